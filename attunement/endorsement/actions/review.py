"""Review: reviewers assigned (from ``endorsement.matching``), their reviews, consensus, the
round's decision, resuming a review on hold, and keeping the reviewer pool.

under_review -> on_hold | approved_for_exam | emerging | endorsed, or deferred back to
in_progress with feedback."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from attunement.associations.models import Association, Role, StaffRole
from attunement.audit.actions import record
from attunement.endorsement.actions.common import decision_letter, move, notify
from attunement.endorsement.actions.credential import issue_credential, reinstate_credential
from attunement.endorsement.actions.exam import approve_for_exam
from attunement.endorsement.matching import reviewer_candidates
from attunement.endorsement.models import Application, Assignment, Decision, Outcome, ReviewerProfile, State
from attunement.lib.errors import ActionRefused
from attunement.people.models import User


@transaction.atomic
def assign_reviewers(*, actor: User, application: Application, reviewers: list[User] | None = None) -> list[Assignment]:
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("association__policy", "portfolio__person")
        .get(pk=application.pk)
    )
    if application.state != State.UNDER_REVIEW:
        raise ActionRefused(_("Only an application under review gets reviewers."))
    candidates = {c.user.pk: c for c in reviewer_candidates(application)}
    if reviewers is None:
        wanted = application.association.policy.reviewers_per_application
        reviewers = [c.user for c in candidates.values() if not c.excluded][:wanted]
        if len(reviewers) < wanted:
            raise ActionRefused(_("Not enough eligible reviewers without a conflict; add reviewers to the pool."))
    made = []
    for reviewer in reviewers:
        candidate = candidates.get(reviewer.pk)
        if candidate is None or candidate.excluded:
            raise ActionRefused(
                _("%(person)s may not review this application: %(why)s.")
                % {
                    "person": reviewer.display_name,
                    "why": candidate.excluded if candidate else _("not a reviewer here"),
                }
            )
        assignment, created = Assignment.objects.get_or_create(
            application=application,
            review_round=application.review_round,
            reviewer=reviewer,
            defaults={"assigned_by": actor},
        )
        if created:
            record(
                actor=actor,
                verb="endorsement.review.assigned",
                association=application.association,
                target=application,
                data={"reviewer": str(reviewer.public_id)},
            )
            made.append(assignment)
    return made


@transaction.atomic
def save_review(
    *,
    actor: User,
    assignment: Assignment,
    checklist: dict[str, str],
    comments: str,
    recommendation: str = "",
    submit: bool = False,
) -> str:
    """Save a reviewer's checklist and comments; with ``submit``, their recommendation. Returns
    a message for the reviewer (consensus reached, waiting for the other reviewer, …)."""
    if assignment.reviewer_id != actor.pk:
        raise ActionRefused(_("This is another reviewer's assignment."))
    fields: dict[str, Any] = {"checklist": checklist, "comments": comments}
    if submit:
        if recommendation not in Outcome.values:
            raise ValidationError({"recommendation": _("Choose a recommendation.")})
        fields.update(recommendation=recommendation, submitted_at=timezone.now())
    # Lock the application before touching the round (issue 16): reviewers submitting at once
    # take turns, so the last of them reads every other submission and exactly one decision is
    # recorded. Without it, under READ COMMITTED each saw only its own and nobody decided.
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("association", "portfolio__person")
        .get(pk=assignment.application_id)
    )
    if application.state != State.UNDER_REVIEW or assignment.review_round != application.review_round:
        decision = (
            Decision.objects.filter(application=application, review_round=assignment.review_round)
            .select_related("decided_by")
            .first()
        )
        if decision is not None:
            raise ActionRefused(
                _("%(who)s already recorded the decision for this review (%(outcome)s); your review was not saved.")
                % {"who": decision.decided_by.display_name, "outcome": decision.get_outcome_display()}
            )
        raise ActionRefused(
            _("This application is now “%(state)s”; your review was not saved.")
            % {"state": application.get_state_display()}
        )
    updated = Assignment.objects.filter(pk=assignment.pk, submitted_at__isnull=True).update(**fields)
    if updated != 1:
        raise ActionRefused(_("You already submitted this review."))
    record(
        actor=actor,
        verb="endorsement.review.submitted" if submit else "endorsement.review.saved",
        association=application.association,
        target=application,
        data={"recommendation": recommendation} if submit else {},
    )
    if not submit:
        return _("Saved.")
    return try_consensus(actor=actor, application=application)


def try_consensus(*, actor: User, application: Application) -> str:
    """Decide the round when every reviewer has submitted and they agree; refer it to the
    coordinator once when they disagree. The caller holds the application's row lock
    (``save_review``), so of reviewers submitting at once exactly one sees the full round."""
    round_assignments = list(Assignment.objects.filter(application=application, review_round=application.review_round))
    if any(a.submitted_at is None for a in round_assignments):
        return _("Submitted. The other reviewer has not finished yet.")
    outcomes = {a.recommendation for a in round_assignments}
    if len(outcomes) == 1:
        try:
            decide(
                actor=actor,
                application=application,
                outcome=outcomes.pop(),
                basis="consensus",
                feedback="\n\n".join(a.comments for a in round_assignments if a.comments),
            )
        except ActionRefused as refusal:
            return str(refusal)
        return _("Submitted. The reviewers agree; the decision is recorded.")
    record(
        actor=actor,
        verb="endorsement.review.disagreement",
        association=application.association,
        target=application,
        data={"recommendations": sorted(outcomes)},
    )
    return _("Submitted. The reviewers disagree; the coordinator will resolve it.")


OUTCOME_STATE = {
    Outcome.ENDORSE: State.ENDORSED,
    Outcome.EMERGING: State.EMERGING,
    Outcome.APPROVE_FOR_EXAM: State.APPROVED_FOR_EXAM,
    Outcome.ON_HOLD: State.ON_HOLD,
    Outcome.DEFER: State.IN_PROGRESS,
}


@transaction.atomic
def decide(*, actor: User, application: Application, outcome: str, basis: str, feedback: str = "") -> Decision:
    """Record the round's decision. Exactly one stands: the row lock (and on any database the
    one-decision-per-round constraint) makes a second decider fail, and they are told."""
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("association__policy", "portfolio__person")
        .get(pk=application.pk)
    )
    existing = (
        Decision.objects.filter(application=application, review_round=application.review_round)
        .select_related("decided_by")
        .first()
    )
    if existing is not None or application.state != State.UNDER_REVIEW:
        who = existing.decided_by.display_name if existing else _("someone else")
        raise ActionRefused(
            _("%(who)s already recorded the decision for this review; yours was not saved.") % {"who": who}
        )
    outcome = Outcome(outcome)
    if outcome == Outcome.DEFER and not feedback.strip():
        raise ValidationError({"feedback": _("A deferral always comes with feedback.")})
    try:
        with transaction.atomic():
            decision = Decision.objects.create(
                application=application,
                review_round=application.review_round,
                outcome=outcome,
                basis=basis,
                decided_by=actor,
                feedback=feedback,
            )
    except IntegrityError:
        raise ActionRefused(
            _("Someone else already recorded the decision for this review; yours was not saved.")
        ) from None
    credential = None
    extra: dict[str, Any] = {"feedback": feedback} if outcome == Outcome.DEFER else {}
    move(
        application,
        actor=actor,
        from_states=[State.UNDER_REVIEW],
        to=OUTCOME_STATE[outcome],
        verb=f"decided.{outcome.value}",
        data={"basis": basis},
        **extra,
    )
    if outcome in {Outcome.ENDORSE, Outcome.EMERGING} and application.reinstates is not None:
        credential = reinstate_credential(actor=actor, application=application)
    elif outcome in {Outcome.ENDORSE, Outcome.EMERGING}:
        credential = issue_credential(actor=actor, application=application, emerging=outcome == Outcome.EMERGING)
    elif outcome == Outcome.APPROVE_FOR_EXAM:
        approve_for_exam(actor=actor, application=application)
    subject, letter = decision_letter(application, outcome, feedback, credential)
    Decision.objects.filter(pk=decision.pk).update(letter=letter)
    notify(application, subject, letter)
    return decision


@transaction.atomic
def resume_review(*, actor: User, application: Application) -> Application:
    """From on hold, back to review (a new round)."""
    return move(
        application,
        actor=actor,
        from_states=[State.ON_HOLD],
        to=State.UNDER_REVIEW,
        verb="review_resumed",
        review_round=F("review_round") + 1,
    )


@transaction.atomic
def update_reviewer(
    *, actor: User, association: Association, reviewer: User, trained: bool, active: bool, employer: str
) -> ReviewerProfile:
    """Keep the reviewer pool: who completed the training, who takes assignments, where they work."""
    if not StaffRole.objects.current().filter(association=association, user=reviewer, role=Role.REVIEWER).exists():
        raise ActionRefused(_("Grant the reviewer role first."))
    profile, _created = ReviewerProfile.objects.update_or_create(
        association=association,
        user=reviewer,
        defaults={"trained": trained, "active": active, "employer": employer.strip()},
    )
    record(actor=actor, verb="endorsement.reviewer.updated", association=association, target=reviewer,
           data={"trained": trained, "active": active})  # fmt: skip
    return profile
