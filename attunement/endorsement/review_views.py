"""A reviewer's pages: their assignments and score sheets, a review, a Part 2 reading."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from attunement.associations.access import staff_required
from attunement.associations.models import Role
from attunement.endorsement.access import get_own_assignment, get_own_reading
from attunement.endorsement.actions.application import (
    ask_clarification,
)
from attunement.endorsement.actions.exam import score_part2
from attunement.endorsement.actions.review import save_review
from attunement.endorsement.eligibility import build
from attunement.endorsement.forms import perform
from attunement.endorsement.models import (
    Assignment,
    Clarification,
    Outcome,
    Part2Score,
)
from attunement.endorsement.portfolio_access import reviewing
from attunement.endorsement.staff_forms import CHECKLIST_VALUES, QuestionForm, ReadingForm, ReviewForm
from attunement.lib.http import StaffRequest
from attunement.portfolios.forms import DOMAIN_CHOICES


@staff_required(Role.REVIEWER)
@require_GET
def my_reviews(request: StaffRequest) -> HttpResponse:
    """A reviewer sees only their own assignments and score sheets."""
    assignments = (
        Assignment.objects.filter(reviewer=request.user, application__association=request.association)
        .select_related("application__portfolio__person")
        .order_by("submitted_at", "assigned_at")
    )
    readings = Part2Score.objects.filter(
        reader=request.user, sitting__application__association=request.association
    ).select_related("sitting")
    return render(request, "endorsement/reviews.html", {"assignments": assignments, "readings": readings})


def _domains(assignment: Assignment) -> list[tuple[str, Any]]:
    """The checklist's domains: the category's in the application's rule set (all without one)."""
    application = assignment.application
    domains = [(slug, label) for slug, label in DOMAIN_CHOICES]
    if application.rule_set is not None:
        wanted = build(application.rule_set).category(application.category).domains
        domains = [(slug, label) for slug, label in DOMAIN_CHOICES if slug in wanted]
    return domains


def _to_review(request: StaffRequest, assignment: Assignment) -> HttpResponse:
    return redirect(
        "endorsement_staff:review", association_slug=request.association.slug, assignment_id=assignment.public_id
    )


@staff_required(Role.REVIEWER)
@require_GET
def review(request: StaffRequest, assignment_id: str) -> HttpResponse:
    """A reviewer's checklist and recommendation (saved at ``save``), and their questions for the
    applicant (asked at ``question``)."""
    assignment = get_own_assignment(request.user, request.association, assignment_id)
    application = assignment.application
    return render(
        request,
        "endorsement/review.html",
        {
            "assignment": assignment,
            "application": application,
            "report": application.submission_report,
            "domains": _domains(assignment),
            "values": CHECKLIST_VALUES,
            "outcomes": Outcome.choices,
            "clarifications": Clarification.objects.filter(application=application, asked_by=request.user),
            "portfolio_open": reviewing(request.user, application.portfolio),
        },
    )


@staff_required(Role.REVIEWER)
@require_POST
def question(request: StaffRequest, assignment_id: str) -> HttpResponse:
    assignment = get_own_assignment(request.user, request.association, assignment_id)
    form = QuestionForm(request.POST)

    def ask() -> None:
        ask_clarification(
            actor=request.user, application=assignment.application, question=form.cleaned_data["question"]
        )
        messages.success(request, _("Your question went to the coordinator, who sends it on."))

    perform(request, form, ask)
    return _to_review(request, assignment)


@staff_required(Role.REVIEWER)
@require_POST
def save(request: StaffRequest, assignment_id: str) -> HttpResponse:
    assignment = get_own_assignment(request.user, request.association, assignment_id)
    form = ReviewForm(request.POST, domains=_domains(assignment))
    perform(request, form, lambda: messages.success(request, save_review(
        actor=request.user, assignment=assignment, checklist=form.checklist(), comments=form.cleaned_data["comments"],
        recommendation=form.cleaned_data["recommendation"], submit=form.cleaned_data["submit"] == "1",
    )))  # fmt: skip
    return _to_review(request, assignment)


@staff_required(Role.REVIEWER)
def reading(request: StaffRequest, score_id: str) -> HttpResponse:
    """Part 2 answers to score, shown by anonymous code only."""
    score = get_own_reading(request.user, request.association, score_id)
    if request.method == "POST":
        form = ReadingForm(request.POST)
        perform(request, form, lambda: messages.success(request, score_part2(
            actor=request.user, score=score, rubric=form.cleaned_data["rubric"],
            passed=form.cleaned_data["passed"] == "yes", comments=form.cleaned_data["comments"],
        )))  # fmt: skip
        return redirect("endorsement_staff:reviews", association_slug=request.association.slug)
    return render(request, "endorsement/reading.html", {"score": score, "sitting": score.sitting})
