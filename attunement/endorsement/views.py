"""The applicant's side of applying: register, pay, submit, answer questions, see decisions."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attunement.audit.models import AuditEvent
from attunement.endorsement.access import get_own_application
from attunement.endorsement.actions.application import (
    answer_clarification,
    register_application,
    submission_blockers,
    submit_application,
    withdraw,
)
from attunement.endorsement.actions.exam import choose_window, submit_part2
from attunement.endorsement.actions.renewal import submit_renewal
from attunement.endorsement.eligibility import judge, renewal_reports
from attunement.endorsement.forms import (
    AnswerForm,
    ConfirmForm,
    Part2Form,
    RegisterForm,
    RenewForm,
    WindowForm,
    perform,
)
from attunement.endorsement.models import (
    Application,
    Clarification,
    Credential,
    Decision,
    ExamSitting,
    ExamWindow,
    Renewal,
    State,
)
from attunement.endorsement.renewal_dates import held_credentials
from attunement.lib.categories import category_choices
from attunement.lib.http import SignedInRequest
from attunement.membership.models import MembershipType, Term
from attunement.payments.gateways import gateway
from attunement.payments.models import Invoice, InvoiceStatus
from attunement.portfolios.models import Portfolio
from attunement.portfolios.needs import LABELS

# Audit verbs the applicant sees on their timeline (staff-only steps stay off it).
TIMELINE_VERBS = (
    "endorsement.application.",
    "endorsement.exam.passed",
    "endorsement.exam.not_passed",
    "endorsement.credential.",
)


def _portfolio(request: SignedInRequest) -> Portfolio:
    portfolio = Portfolio.objects.select_related("association__policy", "person").filter(person=request.user).first()
    if portfolio is None:
        raise Http404
    return portfolio


def applications(request: SignedInRequest) -> HttpResponse:
    portfolio = Portfolio.objects.select_related("association__policy").filter(person=request.user).first()
    if portfolio is None:
        return redirect("portfolio:home")
    if request.method == "POST":
        form = RegisterForm(request.POST)
        registered: list[Application] = []
        if perform(
            request,
            form,
            lambda: registered.append(
                register_application(
                    actor=request.user,
                    portfolio=portfolio,
                    category=form.cleaned_data["category"],
                    residency_attested=form.cleaned_data["residency"],
                )
            ),
        ):
            messages.success(request, _("Registered. Pay the registration fee to open your application."))
            return redirect("application:detail", application_id=registered[0].public_id)
    offered = portfolio.association.policy.categories_offered
    return render(
        request,
        "endorsement/applications.html",
        {
            "portfolio": portfolio,
            "applications": Application.objects.filter(portfolio=portfolio).order_by("-registered_at"),
            "credentials": Credential.objects.filter(person=request.user).select_related("association"),
            "categories": [(c, label) for c, label in category_choices() if not offered or c in offered],
            "membership_types": MembershipType.objects.filter(association=portfolio.association, active=True),
            "membership": Term.objects.filter(person=request.user, association=portfolio.association)
            .order_by("-valid_through")
            .first(),
            "open_invoices": Invoice.objects.filter(billed_to=request.user, status=InvoiceStatus.OPEN).prefetch_related(
                "lines"
            ),
            "card": gateway() is not None,
        },
    )


def detail(request: SignedInRequest, application_id: str) -> HttpResponse:
    application = get_own_application(request.user, application_id)
    blockers: list[str] = []
    report = None
    if application.state == State.IN_PROGRESS:
        report = judge(application.portfolio, application.category).report
        blockers = submission_blockers(application, report)
    timeline = (
        AuditEvent.objects.filter(target_type="endorsement.application", target_id=str(application.public_id))
        .filter(Q(verb__startswith=TIMELINE_VERBS[0]) | Q(verb__in=TIMELINE_VERBS[1:3]))
        .order_by("occurred_at", "id")
    )
    purpose = f"endorsement.application:{application.public_id}:"
    invoices = (
        Invoice.objects.filter(lines__purpose__startswith=purpose)
        .distinct()
        .prefetch_related("lines")
        .order_by("issued_at")
    )
    return render(
        request,
        "endorsement/application.html",
        {
            "application": application,
            "report": report,
            "blockers": blockers,
            "timeline": timeline,
            "invoices": invoices,
            "card": gateway() is not None,
            "decisions": Decision.objects.filter(application=application).order_by("decided_at"),
            "questions": Clarification.objects.filter(application=application, relayed_at__isnull=False).order_by(
                "asked_at"
            ),
            "sittings": ExamSitting.objects.filter(application=application)
            .select_related("window")
            .order_by("approved_until"),
            "windows": ExamWindow.objects.filter(association=application.association, closes__gte=timezone.localdate()),
        },
    )


def _back(application: Application) -> HttpResponse:
    return redirect("application:detail", application_id=application.public_id)


@require_POST
def submit(request: SignedInRequest, application_id: str) -> HttpResponse:
    application = get_own_application(request.user, application_id)
    form = ConfirmForm(request.POST, application=application)
    if perform(request, form, lambda: submit_application(actor=request.user, application=application)):
        messages.success(request, _("Submitted. Pay the processing fee if one is due."))
    return _back(application)


@require_POST
def withdraw_application(request: SignedInRequest, application_id: str) -> HttpResponse:
    application = get_own_application(request.user, application_id)
    form = ConfirmForm(request.POST, application=application)
    if perform(request, form, lambda: withdraw(actor=request.user, application=application)):
        messages.success(request, _("Withdrawn."))
    return _back(application)


@require_POST
def answer(request: SignedInRequest, application_id: str) -> HttpResponse:
    application = get_own_application(request.user, application_id)
    form = AnswerForm(request.POST, application=application)
    if perform(
        request,
        form,
        lambda: answer_clarification(
            actor=request.user, clarification=form.cleaned_data["question"], answer=form.cleaned_data["answer"]
        ),
    ):
        messages.success(request, _("Your answer went to the reviewers."))
    return _back(application)


@require_POST
def window(request: SignedInRequest, application_id: str) -> HttpResponse:
    application = get_own_application(request.user, application_id)
    form = WindowForm(request.POST, application=application)
    if perform(
        request,
        form,
        lambda: choose_window(
            actor=request.user, sitting=form.cleaned_data["sitting"], window=form.cleaned_data["window"]
        ),
    ):
        messages.success(request, _("Exam window chosen."))
    return _back(application)


@require_POST
def part2(request: SignedInRequest, application_id: str) -> HttpResponse:
    application = get_own_application(request.user, application_id)
    form = Part2Form(request.POST, application=application)
    if perform(
        request,
        form,
        lambda: submit_part2(actor=request.user, sitting=form.cleaned_data["sitting"], answers=form.answers()),
    ):
        messages.success(request, _("Your answers are submitted; readers will score them without your name."))
    return _back(application)


def renewal(request: SignedInRequest) -> HttpResponse:
    """The yearly renewal: every held category judged from one set of hours, one fee."""
    portfolio = Portfolio.objects.select_related("association__policy").filter(person=request.user).first()
    if portfolio is None:
        return redirect("portfolio:home")
    association = portfolio.association
    if request.method == "POST":
        if perform(
            request,
            RenewForm(request.POST),
            lambda: submit_renewal(actor=request.user, person=request.user, association=association),
        ):
            messages.success(request, _("Renewal submitted. Pay the renewal fee to finish."))
        return redirect("application:renewal")
    held = held_credentials(request.user, association)
    reports = renewal_reports(request.user, association).reports if held else {}
    return render(
        request,
        "endorsement/renewal.html",
        {
            "association": association,
            "held": held,
            # Each requirement beside its name; the engine's reports are read, never edited.
            "reports": [
                (category, report, [(LABELS.get(r["id"], r["id"]), r) for r in report["requirements"]])
                for category, report in reports.items()
            ],
            "ready": bool(reports) and all(r["eligible"] for r in reports.values()),
            "renewals": Renewal.objects.filter(person=request.user, association=association).order_by("-due")[:5],
            "open_invoices": Invoice.objects.filter(billed_to=request.user, status=InvoiceStatus.OPEN).prefetch_related(
                "lines"
            ),
            "card": gateway() is not None,
        },
    )
