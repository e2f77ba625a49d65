"""One application, as staff see it: the page, and one view per action on it (each with its
form; who may do it, and when, is the action's rule)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from attunement.associations.access import staff_required
from attunement.associations.models import Role
from attunement.endorsement.access import get_application_for_user
from attunement.endorsement.actions.application import check_completeness, processing_fee_settled, relay_clarification
from attunement.endorsement.actions.exam import assign_readers, new_sitting, record_part1
from attunement.endorsement.actions.review import assign_reviewers, decide, resume_review
from attunement.endorsement.eligibility import judge
from attunement.endorsement.forms import (
    AssignForm,
    ConfirmForm,
    DecideForm,
    IncompleteForm,
    Part1Form,
    PaymentForm,
    ReadersForm,
    RelayForm,
    perform,
)
from attunement.endorsement.matching import reader_candidates, reviewer_candidates
from attunement.endorsement.models import Application, Assignment, Clarification, Decision, ExamSitting, Outcome, State
from attunement.lib.http import StaffRequest
from attunement.payments.actions import record_payment
from attunement.payments.models import Invoice, PaymentMethod

COORDINATING = (Role.ADMIN, Role.COORDINATOR)


@staff_required(*COORDINATING)
@require_GET
def application_detail(request: StaffRequest, application_id: str) -> HttpResponse:
    application = get_application_for_user(request.user, request.association, application_id)
    report = application.submission_report or None
    if application.state in {State.IN_PROGRESS, State.REGISTERED}:
        report = judge(application.portfolio, application.category).report
    assignments = (
        Assignment.objects.filter(application=application)
        .select_related("reviewer")
        .order_by("review_round", "assigned_at")
    )
    purpose = f"endorsement.application:{application.public_id}:"
    sittings = list(ExamSitting.objects.filter(application=application).prefetch_related("scores__reader"))
    return render(
        request,
        "endorsement/staff_application.html",
        {
            "application": application,
            "report": report,
            "assignments": assignments,
            "candidates": reviewer_candidates(application) if application.state == State.UNDER_REVIEW else [],
            "decisions": Decision.objects.filter(application=application).select_related("decided_by"),
            "clarifications": Clarification.objects.filter(application=application).select_related("asked_by"),
            "invoices": Invoice.objects.filter(lines__purpose__startswith=purpose)
            .distinct()
            .prefetch_related("lines", "payments"),
            "processing_paid": processing_fee_settled(application),
            "outcomes": Outcome.choices,
            "methods": PaymentMethod.choices,
            "sittings": sittings,
            # Only readers the rules allow (trained reviewers without a conflict); none to
            # work out when there is no exam.
            "readers": [c.user for c in reader_candidates(application) if not c.excluded] if sittings else [],
        },
    )


def _application(request: StaffRequest, application_id: str) -> Application:
    return get_application_for_user(request.user, request.association, application_id)


def _back(request: StaffRequest, application: Application, done: bool) -> HttpResponse:
    if done:
        messages.success(request, _("Done."))
    return redirect(
        "endorsement_staff:application", association_slug=request.association.slug, application_id=application.public_id
    )


@staff_required(*COORDINATING)
@require_POST
def complete(request: StaffRequest, application_id: str) -> HttpResponse:
    application = _application(request, application_id)
    form = ConfirmForm(request.POST, application=application)
    done = perform(
        request, form, lambda: check_completeness(actor=request.user, application=application, complete=True)
    )
    return _back(request, application, done)


@staff_required(*COORDINATING)
@require_POST
def incomplete(request: StaffRequest, application_id: str) -> HttpResponse:
    application = _application(request, application_id)
    form = IncompleteForm(request.POST, application=application)
    done = perform(
        request,
        form,
        lambda: check_completeness(
            actor=request.user, application=application, complete=False, note=form.cleaned_data["note"]
        ),
    )
    return _back(request, application, done)


@staff_required(*COORDINATING)
@require_POST
def assign(request: StaffRequest, application_id: str) -> HttpResponse:
    application = _application(request, application_id)
    form = AssignForm(request.POST, application=application)

    def run() -> None:
        made = assign_reviewers(actor=request.user, application=application, reviewers=form.cleaned_data["reviewer"])
        messages.success(request, _("%(n)s reviewers assigned.") % {"n": len(made)})

    return _back(request, application, perform(request, form, run))


@staff_required(*COORDINATING)
@require_POST
def resolve(request: StaffRequest, application_id: str) -> HttpResponse:
    application = _application(request, application_id)
    form = DecideForm(request.POST, application=application)
    done = perform(
        request,
        form,
        lambda: decide(
            actor=request.user,
            application=application,
            outcome=form.cleaned_data["outcome"],
            basis="coordinator",
            feedback=form.cleaned_data["feedback"],
        ),
    )
    return _back(request, application, done)


@staff_required(*COORDINATING)
@require_POST
def resume(request: StaffRequest, application_id: str) -> HttpResponse:
    application = _application(request, application_id)
    form = ConfirmForm(request.POST, application=application)
    done = perform(request, form, lambda: resume_review(actor=request.user, application=application))
    return _back(request, application, done)


@staff_required(*COORDINATING)
@require_POST
def relay(request: StaffRequest, application_id: str) -> HttpResponse:
    application = _application(request, application_id)
    form = RelayForm(request.POST, application=application)
    done = perform(
        request, form, lambda: relay_clarification(actor=request.user, clarification=form.cleaned_data["clarification"])
    )
    return _back(request, application, done)


@staff_required(*COORDINATING)
@require_POST
def payment(request: StaffRequest, application_id: str) -> HttpResponse:
    application = _application(request, application_id)
    form = PaymentForm(request.POST, application=application, association=request.association)
    done = perform(
        request,
        form,
        lambda: record_payment(
            actor=request.user,
            invoice=form.cleaned_data["invoice"],
            method=form.cleaned_data["method"],
            amount=form.cleaned_data["amount"],
            reference=form.cleaned_data["reference"],
            reason=form.cleaned_data["reason"],
        ),
    )
    return _back(request, application, done)


@staff_required(*COORDINATING)
@require_POST
def part1(request: StaffRequest, application_id: str) -> HttpResponse:
    application = _application(request, application_id)
    form = Part1Form(request.POST, application=application)
    done = perform(
        request,
        form,
        lambda: record_part1(
            actor=request.user,
            sitting=form.cleaned_data["sitting"],
            percent=form.cleaned_data["percent"],
            taken_on=form.cleaned_data["taken_on"],
        ),
    )
    return _back(request, application, done)


@staff_required(*COORDINATING)
@require_POST
def readers(request: StaffRequest, application_id: str) -> HttpResponse:
    application = _application(request, application_id)
    form = ReadersForm(request.POST, application=application)
    done = perform(
        request,
        form,
        lambda: assign_readers(
            actor=request.user,
            sitting=form.cleaned_data["sitting"],
            readers=form.cleaned_data["reader"],
            third=form.cleaned_data["third"],
        ),
    )
    return _back(request, application, done)


@staff_required(*COORDINATING)
@require_POST
def retake(request: StaffRequest, application_id: str) -> HttpResponse:
    application = _application(request, application_id)
    form = ConfirmForm(request.POST, application=application)
    done = perform(request, form, lambda: new_sitting(actor=request.user, application=application))
    return _back(request, application, done)
