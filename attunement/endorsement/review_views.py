"""A reviewer's pages: their assignments and score sheets, a review, a Part 2 reading."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from attunement.associations.access import staff_required
from attunement.associations.models import Role
from attunement.endorsement.actions.application import (
    ask_clarification,
)
from attunement.endorsement.actions.exam import score_part2
from attunement.endorsement.actions.review import save_review
from attunement.endorsement.eligibility import build
from attunement.endorsement.models import (
    Assignment,
    Clarification,
    Outcome,
    Part2Score,
)
from attunement.endorsement.portfolio_access import reviewing
from attunement.lib.errors import ActionRefused
from attunement.lib.http import StaffRequest
from attunement.portfolios.forms import DOMAIN_CHOICES

CHECKLIST_VALUES = {"met": _("Met"), "not_met": _("Not met"), "unclear": _("Unclear")}


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


def _assignment(request: StaffRequest, assignment_id: str) -> Assignment:
    try:
        key = uuid.UUID(assignment_id)
    except ValueError:
        raise Http404 from None
    return get_object_or_404(
        Assignment.objects.select_related(
            "application__portfolio__person", "application__association", "application__rule_set"
        ),
        public_id=key,
        reviewer=request.user,
        application__association=request.association,
    )


@staff_required(Role.REVIEWER)
def review(request: StaffRequest, assignment_id: str) -> HttpResponse:
    assignment = _assignment(request, assignment_id)
    application = assignment.application
    domains = [(slug, label) for slug, label in DOMAIN_CHOICES]
    if application.rule_set is not None:
        wanted = build(application.rule_set).category(application.category).domains
        domains = [(slug, label) for slug, label in DOMAIN_CHOICES if slug in wanted]
    if request.method == "POST":
        checklist = {slug: request.POST.get(f"domain-{slug}", "") for slug, _label in domains}
        checklist = {k: v for k, v in checklist.items() if v in CHECKLIST_VALUES}
        try:
            if request.POST.get("question", "").strip():
                ask_clarification(actor=request.user, application=application, question=request.POST["question"])
                messages.success(request, _("Your question went to the coordinator, who sends it on."))
            else:
                message = save_review(
                    actor=request.user,
                    assignment=assignment,
                    checklist=checklist,
                    comments=request.POST.get("comments", ""),
                    recommendation=request.POST.get("recommendation", ""),
                    submit=request.POST.get("submit") == "1",
                )
                messages.success(request, message)
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(
            "endorsement_staff:review", association_slug=request.association.slug, assignment_id=assignment.public_id
        )
    return render(
        request,
        "endorsement/review.html",
        {
            "assignment": assignment,
            "application": application,
            "report": application.submission_report,
            "domains": domains,
            "values": CHECKLIST_VALUES,
            "outcomes": Outcome.choices,
            "clarifications": Clarification.objects.filter(application=application, asked_by=request.user),
            "portfolio_open": reviewing(request.user, application.portfolio),
        },
    )


@staff_required(Role.REVIEWER)
def reading(request: StaffRequest, score_id: str) -> HttpResponse:
    """Part 2 answers to score, shown by anonymous code only."""
    try:
        key = uuid.UUID(score_id)
    except ValueError:
        raise Http404 from None
    score = get_object_or_404(
        Part2Score.objects.select_related("sitting"),
        public_id=key,
        reader=request.user,
        sitting__application__association=request.association,
    )
    if request.method == "POST":
        rubric = {}
        for criterion in ("understanding", "reflection", "relationships", "culture"):
            value = request.POST.get(criterion, "")
            if value in {"1", "2", "3", "4"}:
                rubric[criterion] = int(value)
        passed = request.POST.get("passed")
        if len(rubric) < 4 or passed not in {"yes", "no"}:
            messages.error(request, _("Score every criterion and say whether the answers pass."))
        else:
            try:
                messages.success(
                    request,
                    score_part2(
                        actor=request.user,
                        score=score,
                        rubric=rubric,
                        passed=passed == "yes",
                        comments=request.POST.get("comments", ""),
                    ),
                )
            except ActionRefused as refusal:
                messages.error(request, str(refusal))
        return redirect("endorsement_staff:reviews", association_slug=request.association.slug)
    return render(request, "endorsement/reading.html", {"score": score, "sitting": score.sitting})
