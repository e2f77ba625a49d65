"""The application path, one action per transition (conventions: every state change is one
function: audited, mailed to the applicant in their language, on their timeline).

registered -> in_progress -> submitted -> under_review -> on_hold | approved_for_exam |
emerging | endorsed, and deferred back to in_progress with feedback.

Imported by ``endorsement.actions``; callers use that module."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from attunement.associations.models import Association, ReviewSchedule, Role, StaffRole
from attunement.audit.actions import record
from attunement.endorsement.letters import render as render_letter
from attunement.endorsement.models import (
    OPEN_STATES,
    Application,
    Assignment,
    Clarification,
    Credential,
    CredentialStatus,
    Decision,
    ExamSitting,
    LetterTemplate,
    Outcome,
    Part2Score,
    ReviewerProfile,
    State,
)
from attunement.endorsement.signals import send_credentials_changed
from attunement.lib.errors import ActionRefused
from attunement.mail.messages import tags
from attunement.payments import settlement
from attunement.payments.actions import Line, fee_for, issue_invoice
from attunement.payments.models import FeeKind, InvoiceLine
from attunement.people.models import User
from attunement.portfolios.models import Education, Portfolio, Reference, ReferenceStatus, Verification

# Seniority for "endorsed at the same category or higher" (the categories are not a ladder
# for practice, but reviewing follows this order).
RANK = {
    "IFA": 1,
    "ECFA": 1,
    "IFS": 2,
    "ECFS": 2,
    "IFRS": 3,
    "ECFRS": 3,
    "IMHS": 4,
    "ECMHS": 4,
    "IMHM-C": 5,
    "IMHM-P": 5,
    "IMHM-RF": 5,
    "ECMHM-C": 5,
    "ECMHM-P": 5,
    "ECMHM-RF": 5,
    "ERS": 3,
}
APPLICATION_TARGET = "endorsement.application"


def _notify(application: Application, subject: str, body: str) -> None:
    person = application.portfolio.person

    def send() -> None:
        with translation.override(person.preferred_language):
            headers = tags(
                "application_notice", f"{APPLICATION_TARGET}:{application.public_id}", application.association
            )
            EmailMessage(str(subject), str(body), None, [person.email], headers=headers).send()

    transaction.on_commit(send)


def _move(
    application: Application,
    *,
    actor: User | None,
    from_states: list[str],
    to: str,
    verb: str,
    data: dict[str, Any] | None = None,
    **fields: Any,
) -> Application:
    """A conditional UPDATE decides: of two people moving an application at once, exactly one
    changes it; the other is told what happened."""
    now = timezone.now()
    updated = Application.objects.filter(pk=application.pk, state__in=from_states).update(
        state=to, state_changed_at=now, **fields
    )
    if updated != 1:
        current = Application.objects.get(pk=application.pk)
        raise ActionRefused(
            _("This application is now “%(state)s”; nothing was changed.") % {"state": current.get_state_display()}
        )
    application.refresh_from_db()
    record(
        actor=actor,
        verb=f"endorsement.application.{verb}",
        association=application.association,
        target=application,
        data={"from": from_states, "to": to, **(data or {})},
    )
    return application


def next_review_date(association: Association, today: date) -> date | None:
    policy = association.policy
    if policy.review_schedule == ReviewSchedule.MONTHLY:
        return date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    if policy.review_schedule == ReviewSchedule.QUARTERLY:
        for month in (1, 4, 7, 10):
            if date(today.year, month, 1) > today:
                return date(today.year, month, 1)
        return date(today.year + 1, 1, 1)
    if policy.review_schedule == ReviewSchedule.FIXED:
        upcoming = sorted(d for d in (date.fromisoformat(x) for x in policy.review_dates) if d >= today)
        return upcoming[0] if upcoming else None
    if policy.review_schedule == ReviewSchedule.COHORT:
        return today + timedelta(days=policy.application_window_days)
    return None


# --- Registration and submission -------------------------------------------------------------


@transaction.atomic
def register_application(
    *, actor: User, portfolio: Portfolio, category: str, residency_attested: bool = False
) -> Application:
    association = portfolio.association
    offered = association.policy.categories_offered
    if offered and category not in offered:
        raise ValidationError(
            {"category": _("%(association)s does not offer this category.") % {"association": association.name}}
        )
    # A person whose credential in this category lapsed comes back by reinstatement: no
    # registration fee, new entries and three new ratings, then the processing fee.
    lapsed = (
        Credential.objects.filter(
            person=portfolio.person, association=association, category=category, status=CredentialStatus.LAPSED
        )
        .order_by("-valid_through")
        .first()
    )
    try:
        with transaction.atomic():
            application = Application.objects.create(
                portfolio=portfolio, association=association, category=category, reinstates=lapsed,
                state=State.IN_PROGRESS if lapsed else State.REGISTERED,
            )  # fmt: skip
    except IntegrityError:
        raise ValidationError({"category": _("You already have an open application for this category.")}) from None
    record(
        actor=actor,
        verb="endorsement.application.registered",
        association=association,
        target=application,
        data={"category": category, "residency_attested": residency_attested, "reinstatement": lapsed is not None},
    )
    if lapsed is not None:
        application.refresh_from_db()
        return application
    issue_invoice(
        actor=actor,
        association=association,
        billed_to=portfolio.person,
        lines=[
            Line(
                FeeKind.REGISTRATION,
                _("Registration fee, %(category)s") % {"category": category},
                fee_for(association, FeeKind.REGISTRATION, category),
                f"{APPLICATION_TARGET}:{application.public_id}:registration",
                portfolio.person,
            )
        ],
    )
    application.refresh_from_db()
    return application


@settlement.register(APPLICATION_TARGET)
def _fee_paid(line: InvoiceLine, actor: User | None) -> None:
    _prefix, public_id, stage = line.purpose.split(":")
    # Locked before its state is read: a withdrawal at the same moment wins or waits, and the
    # payment is still recorded either way.
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("portfolio__person", "association")
        .get(public_id=public_id)
    )
    if stage == "registration" and application.state == State.REGISTERED:
        _move(application, actor=actor, from_states=[State.REGISTERED], to=State.IN_PROGRESS, verb="started")
        _notify(
            application,
            _("Your application is open"),
            _(
                "Your registration for %(category)s is complete. Build your portfolio; submit when “What do I still need?” shows nothing left."
            )
            % {"category": application.category},
        )
    elif stage == "processing":
        record(
            actor=actor,
            verb="endorsement.application.processing_paid",
            association=application.association,
            target=application,
        )
    elif stage == "exam":
        record(
            actor=actor,
            verb="endorsement.application.exam_paid",
            association=application.association,
            target=application,
        )


def submission_blockers(application: Application, report: dict[str, Any]) -> list[str]:
    """What keeps an application from being submitted: anything unmet the applicant can fix
    (the exam comes after review), unverified transcripts, ratings not yet completed."""
    blockers = [r["summary"] for r in report["requirements"] if r["status"] == "unmet" and r["id"] != "exam"]
    portfolio = application.portfolio
    unverified = Education.objects.filter(portfolio=portfolio).exclude(verification=Verification.VERIFIED).count()
    if unverified:
        blockers.append(
            _("%(count)s education entries wait for staff to verify the transcript.") % {"count": unverified}
        )
    if application.reinstates is not None:
        lapsed_on = application.reinstates.valid_through or application.reinstates.since
        fresh = Reference.objects.filter(
            portfolio=portfolio, status=ReferenceStatus.COMPLETED, completed_at__date__gt=lapsed_on
        ).count()
        if fresh < 3:
            blockers.append(
                _(
                    "Reinstatement needs three reference ratings completed since your Endorsement lapsed (%(count)s so far)."
                )
                % {"count": fresh}
            )
    pending = Reference.objects.filter(
        portfolio=portfolio,
        status__in=[ReferenceStatus.SENT, ReferenceStatus.OPENED, ReferenceStatus.DRAFT, ReferenceStatus.BOUNCED],
    ).count()
    if pending:
        blockers.append(_("%(count)s reference ratings are not completed yet.") % {"count": pending})
    return blockers


@transaction.atomic
def submit_application(*, actor: User, application: Application) -> Application:
    from attunement.portfolios.selectors import judge

    today = timezone.localdate()
    judgement = judge(application.portfolio, application.category, as_of=today)
    blockers = submission_blockers(application, judgement.report)
    if blockers:
        raise ValidationError({"application": blockers})
    application = _move(
        application,
        actor=actor,
        from_states=[State.IN_PROGRESS],
        to=State.SUBMITTED,
        verb="submitted",
        data={"rule_set": judgement.rule_set.key},
        submitted_at=timezone.now(),
        rule_set=judgement.rule_set,
        submission_report=judgement.report,
        review_by=next_review_date(application.association, today),
    )
    issue_invoice(
        actor=actor,
        association=application.association,
        billed_to=application.portfolio.person,
        lines=[
            Line(
                FeeKind.PROCESSING,
                _("Processing fee, %(category)s") % {"category": application.category},
                fee_for(application.association, FeeKind.PROCESSING, application.category),
                f"{APPLICATION_TARGET}:{application.public_id}:processing",
                application.portfolio.person,
            )
        ],
    )
    _notify(
        application,
        _("Your application is submitted"),
        _("We received your application for %(category)s. Staff check that it is complete, then reviewers read it.")
        % {"category": application.category},
    )
    return application


def processing_fee_settled(application: Application) -> bool:
    return not InvoiceLine.objects.filter(
        purpose=f"{APPLICATION_TARGET}:{application.public_id}:processing", invoice__status="open"
    ).exists()


@transaction.atomic
def check_completeness(*, actor: User, application: Application, complete: bool, note: str = "") -> Application:
    """The coordinator's completeness check: on to review, or back to the applicant."""
    if complete:
        if not processing_fee_settled(application):
            raise ActionRefused(_("The processing fee is not paid yet."))
        application = _move(
            application,
            actor=actor,
            from_states=[State.SUBMITTED],
            to=State.UNDER_REVIEW,
            verb="review_started",
            # Counted in the row, not from the caller's copy (which may be stale).
            review_round=F("review_round") + 1,
        )
        _notify(application, _("Your application is under review"), _("Reviewers are reading your application now."))
        return application
    if not note.strip():
        raise ValidationError({"note": _("Tell the applicant what is missing.")})
    application = _move(
        application,
        actor=actor,
        from_states=[State.SUBMITTED],
        to=State.IN_PROGRESS,
        verb="returned_incomplete",
        data={"note": note},
        feedback=note,
    )
    _notify(application, _("Your application needs more"), note)
    return application


@transaction.atomic
def withdraw(*, actor: User, application: Application) -> Application:
    return _move(application, actor=actor, from_states=list(OPEN_STATES), to=State.WITHDRAWN, verb="withdrawn")


@transaction.atomic
def set_advisor(*, actor: User, application: Application, advisor: User | None) -> None:
    Application.objects.filter(pk=application.pk).update(advisor=advisor)
    record(
        actor=actor,
        verb="endorsement.application.advisor",
        association=application.association,
        target=application,
        data={"advisor": str(advisor.public_id) if advisor else None},
    )


# --- Review ------------------------------------------------------------------------------------


@dataclass
class Candidate:
    user: User
    load: int
    excluded: str  # why not, empty when the reviewer may take it


def reviewer_candidates(application: Application) -> list[Candidate]:
    """The association's reviewer pool for this application, least loaded first, with the
    reason each excluded one may not review it (conflicts: ``endorsement.conflicts``)."""
    from attunement.endorsement.conflicts import addresses_of, conflict, ties_of

    association = application.association
    reviewers = User.objects.filter(
        staff_roles__association=association, staff_roles__role=Role.REVIEWER, staff_roles__revoked_at__isnull=True
    ).annotate(load=Count("assignments", filter=Q(assignments__submitted_at__isnull=True), distinct=True))
    profiles = {p.user_id: p for p in ReviewerProfile.objects.filter(association=association)}
    held: dict[int, set[str]] = {}
    today = timezone.localdate()
    for c in Credential.objects.filter(person__in=reviewers, status=CredentialStatus.ACTIVE).filter(
        Q(valid_through__isnull=True) | Q(valid_through__gte=today)
    ):
        held.setdefault(c.person_id, set()).add(c.category)
    ties = ties_of(application)
    addresses = addresses_of(reviewers)
    need = RANK.get(application.category, 5)
    out = []
    for user in reviewers:
        profile = profiles.get(user.pk)
        if profile is None or not profile.trained:
            why = _("has not completed reviewer training")
        elif not profile.active:
            why = _("is not taking assignments")
        elif not any(RANK.get(c, 0) >= need for c in held.get(user.pk, ())):
            why = _("is not endorsed at %(category)s or higher") % {"category": application.category}
        else:
            why = conflict(ties, user, addresses.get(user.pk, set()), profile.employer)
        out.append(Candidate(user, user.load, why))
    return sorted(out, key=lambda c: (bool(c.excluded), c.load, c.user.email))


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


def _letter(application: Application, outcome: str, feedback: str, credential: Credential | None) -> tuple[str, str]:
    person = application.portfolio.person
    templates = LetterTemplate.objects.filter(outcome=outcome, language__in=[person.preferred_language, "en"]).filter(
        Q(association=application.association) | Q(association__isnull=True)
    )
    chosen = sorted(templates, key=lambda t: (t.association_id is None, t.language != person.preferred_language))
    values = {
        "name": person.display_name,
        "category": application.get_category_display(),
        "association": application.association.name,
        "date": timezone.localdate().isoformat(),
        "feedback": feedback,
        "code": credential.public_code if credential else "",
    }
    if chosen:
        # Only the named placeholders are filled, in the subject as in the body: a stored
        # template cannot reach into a value, format it, or fail the letter.
        return render_letter(chosen[0].subject, values), render_letter(chosen[0].body, values)
    with translation.override(person.preferred_language):
        subject = _("Decision on your Endorsement application")
        body = _(
            "Dear %(name)s,\n\nThe decision on your application for %(category)s: %(outcome)s.\n\n%(feedback)s"
        ) % {
            "name": person.display_name,
            "category": values["category"],
            "outcome": Outcome(outcome).label,
            "feedback": feedback,
        }
    return str(subject), str(body)


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
    _move(
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
    subject, letter = _letter(application, outcome, feedback, credential)
    Decision.objects.filter(pk=decision.pk).update(letter=letter)
    _notify(application, subject, letter)
    return decision


@transaction.atomic
def resume_review(*, actor: User, application: Application) -> Application:
    """From on hold, back to review (a new round)."""
    return _move(
        application,
        actor=actor,
        from_states=[State.ON_HOLD],
        to=State.UNDER_REVIEW,
        verb="review_resumed",
        review_round=F("review_round") + 1,
    )


@transaction.atomic
def issue_credential(*, actor: User | None, application: Application, emerging: bool = False) -> Credential:
    from attunement.endorsement.renewal import first_due

    credential = Credential.objects.create(
        valid_through=first_due(application.association, timezone.localdate()),
        person=application.portfolio.person,
        association=application.association,
        category=application.category,
        emerging=emerging,
        since=timezone.localdate(),
        application=application,
    )
    record(
        actor=actor,
        verb="endorsement.credential.issued",
        association=application.association,
        target=credential,
        data={"category": credential.category, "emerging": emerging},
    )
    send_credentials_changed(application.association, "issued", [credential.pk])
    return credential


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


@transaction.atomic
def reinstate_credential(*, actor: User | None, application: Application) -> Credential:
    """A lapsed credential comes back with its code: active, first due next year."""
    from attunement.endorsement.renewal import first_due

    credential = application.reinstates
    assert credential is not None
    if Credential.objects.filter(pk=credential.pk, status=CredentialStatus.LAPSED).update(
        status=CredentialStatus.ACTIVE, valid_through=first_due(application.association, timezone.localdate())
    ):
        send_credentials_changed(application.association, "reinstated", [credential.pk])
    record(
        actor=actor, verb="endorsement.credential.reinstated", association=application.association, target=credential
    )
    credential.refresh_from_db()
    return credential


# --- Clarifications ---------------------------------------------------------------------------


@transaction.atomic
def ask_clarification(*, actor: User, application: Application, question: str) -> Clarification:
    if not Assignment.objects.filter(application=application, reviewer=actor).exists():
        raise ActionRefused(_("Only the application's reviewers ask for clarification."))
    c = Clarification.objects.create(application=application, asked_by=actor, question=question.strip())
    record(actor=actor, verb="endorsement.clarification.asked", association=application.association, target=application)
    return c


@transaction.atomic
def relay_clarification(*, actor: User, clarification: Clarification) -> None:
    if not Clarification.objects.filter(pk=clarification.pk, relayed_at__isnull=True).update(relayed_at=timezone.now()):
        raise ActionRefused(_("Already sent to the applicant."))
    application = clarification.application
    record(
        actor=actor, verb="endorsement.clarification.relayed", association=application.association, target=application
    )
    _notify(application, _("A question about your application"), clarification.question)


@transaction.atomic
def answer_clarification(*, actor: User, clarification: Clarification, answer: str) -> None:
    if not answer.strip():
        raise ValidationError({"answer": _("Write your answer.")})
    updated = Clarification.objects.filter(
        pk=clarification.pk, relayed_at__isnull=False, answered_at__isnull=True
    ).update(answer=answer.strip(), answered_at=timezone.now())
    if not updated:
        raise ActionRefused(_("This question is already answered."))
    record(
        actor=actor,
        verb="endorsement.clarification.answered",
        association=clarification.application.association,
        target=clarification.application,
    )


# --- Exam ---------------------------------------------------------------------------------------


@transaction.atomic
def approve_for_exam(*, actor: User | None, application: Application) -> ExamSitting:
    days = application.association.policy.exam_approval_days
    sitting = ExamSitting.objects.create(
        application=application, approved_until=timezone.localdate() + timedelta(days=days)
    )
    issue_invoice(
        actor=actor,
        association=application.association,
        billed_to=application.portfolio.person,
        lines=[
            Line(
                FeeKind.EXAM,
                _("Exam fee, %(category)s") % {"category": application.category},
                fee_for(application.association, FeeKind.EXAM, application.category),
                f"{APPLICATION_TARGET}:{application.public_id}:exam",
                application.portfolio.person,
            )
        ],
    )
    return sitting


def _exam_rules(application: Application) -> dict[str, Any]:
    from attunement.endorsement.selectors import build

    if application.rule_set is None:
        return {"min_part1_percent": 80, "part2_passed": True}
    rules = build(application.rule_set).category(application.category)
    return next((r for r in rules.earn if r["type"] == "exam"), {})


@transaction.atomic
def record_part1(*, actor: User, sitting: ExamSitting, percent: Decimal, taken_on: date) -> None:
    if not Decimal(0) <= percent <= Decimal(100):
        raise ValidationError({"part1_percent": _("A percentage between 0 and 100.")})
    # Lock the sitting before reading it: of two people recording Part 1 at once (or Part 1
    # and the last Part 2 score), one finishes the exam and the other sees it finished.
    sitting = (
        ExamSitting.objects.select_for_update(of=("self",))
        .select_related("application__association")
        .get(pk=sitting.pk)
    )
    if sitting.completed_at is not None:
        raise ValidationError({"part1_percent": _("This exam is already decided; its Part 1 score was not changed.")})
    if taken_on > sitting.approved_until:
        raise ValidationError({"taken_on": _("The approval to sit the exam had expired on that day.")})
    ExamSitting.objects.filter(pk=sitting.pk).update(part1_percent=percent, taken_on=taken_on)
    record(
        actor=actor,
        verb="endorsement.exam.part1",
        association=sitting.application.association,
        target=sitting.application,
        data={"percent": str(percent)},
    )
    sitting.refresh_from_db()
    _finish_exam(actor, sitting)


@transaction.atomic
def choose_window(*, actor: User, sitting: ExamSitting, window: Any) -> None:
    """The examinee picks an exam window that opens before their approval runs out."""
    if sitting.application.portfolio.person_id != actor.pk:
        raise ActionRefused(_("Only the examinee chooses their exam window."))
    if (
        window.association_id != sitting.application.association_id
        or window.opens > sitting.approved_until
        or window.closes < timezone.localdate()
    ):
        raise ValidationError({"window": _("Choose a window that opens before your approval runs out.")})
    ExamSitting.objects.filter(pk=sitting.pk, completed_at__isnull=True).update(window=window)
    record(actor=actor, verb="endorsement.exam.window_chosen", association=sitting.application.association,
           target=sitting.application, data={"window": window.name})  # fmt: skip


@transaction.atomic
def submit_part2(*, actor: User, sitting: ExamSitting, answers: list[str]) -> None:
    if sitting.application.portfolio.person_id != actor.pk:
        raise ActionRefused(_("Only the examinee submits their answers."))
    if not ExamSitting.objects.filter(pk=sitting.pk, part2_answers=[]).update(
        part2_answers=[a.strip() for a in answers]
    ):
        raise ActionRefused(_("Your answers were already submitted."))
    record(
        actor=actor,
        verb="endorsement.exam.part2_submitted",
        association=sitting.application.association,
        target=sitting.application,
    )


def reader_candidates(application: Application) -> list[Candidate]:
    """Who may read this application's Part 2 answers: the reviewer pool's rules (trained,
    taking assignments, endorsed high enough, no conflict of interest), and not one of the
    application's reviewers, who know whose answers they would be."""
    reviewed = set(Assignment.objects.filter(application=application).values_list("reviewer_id", flat=True))
    out = []
    for candidate in reviewer_candidates(application):
        if not candidate.excluded and candidate.user.pk in reviewed:
            candidate.excluded = _("reviewed this application (readers read without knowing whose answers)")
        out.append(candidate)
    return sorted(out, key=lambda c: (bool(c.excluded), c.load, c.user.email))


@transaction.atomic
def assign_readers(*, actor: User, sitting: ExamSitting, readers: list[User], third: bool = False) -> None:
    """Part 2 readers for a sitting: only from ``reader_candidates``; a refusal names the
    ``reader`` field and the person. Two first readers and at most one third reader: the
    sitting is locked before the readers are counted, so two coordinators assigning at once
    add them once (the second is told who is already there)."""
    sitting = ExamSitting.objects.select_for_update(of=("self",)).get(pk=sitting.pk)
    application = Application.objects.select_related("portfolio__person", "association").get(pk=sitting.application_id)
    if not readers:
        raise ValidationError({"reader": _("Part 2 readers: choose at least one reader.")})
    if sitting.completed_at is not None or sitting.part2_passed is not None:
        raise ActionRefused(_("Part 2 of this sitting is already decided; no reader was added."))
    examinee = application.portfolio.person
    candidates = {c.user.pk: c for c in reader_candidates(application)}
    for reader in readers:
        if reader.pk == examinee.pk:
            raise ValidationError({"reader": _("Part 2 readers: an examinee cannot read their own answers.")})
        candidate = candidates.get(reader.pk)
        if candidate is None or candidate.excluded:
            raise ValidationError(
                {
                    "reader": _("Part 2 readers: %(person)s may not read these answers: %(why)s.")
                    % {
                        "person": reader.display_name,
                        "why": candidate.excluded if candidate else _("not a reviewer of this association"),
                    }
                }
            )
    existing = list(Part2Score.objects.filter(sitting=sitting))
    assigned = {score.reader_id for score in existing}
    new = list({reader.pk: reader for reader in readers if reader.pk not in assigned}.values())
    if not new:
        raise ValidationError({"reader": _("Part 2 readers: everyone chosen is already a reader of these answers.")})
    if third:
        if any(score.third_reader for score in existing):
            raise ValidationError({"reader": _("Part 2 readers: a third reader is already assigned.")})
        if len(new) != 1:
            raise ValidationError({"reader": _("Part 2 readers: choose one third reader.")})
    else:
        firsts = sum(not score.third_reader for score in existing)
        if firsts + len(new) > 2:
            raise ValidationError(
                {"reader": _("Part 2 readers: two readers score the answers and %(count)s are already assigned.")
                 % {"count": firsts}}
            )  # fmt: skip
    Part2Score.objects.bulk_create([Part2Score(sitting=sitting, reader=reader, third_reader=third) for reader in new])
    record(
        actor=actor,
        verb="endorsement.exam.readers_assigned",
        association=application.association,
        target=application,
        data={"count": len(new), "third": third},
    )


@transaction.atomic
def score_part2(*, actor: User, score: Part2Score, rubric: dict[str, int], passed: bool, comments: str) -> str:
    if score.reader_id != actor.pk:
        raise ActionRefused(_("This is another reader's score sheet."))
    if not Part2Score.objects.filter(pk=score.pk, submitted_at__isnull=True).update(
        rubric=rubric, passed=passed, comments=comments, submitted_at=timezone.now()
    ):
        raise ActionRefused(_("You already scored these answers."))
    sitting = (
        ExamSitting.objects.select_for_update(of=("self",))
        .select_related("application__association")
        .get(pk=score.sitting_id)
    )
    record(
        actor=actor,
        verb="endorsement.exam.part2_scored",
        association=sitting.application.association,
        target=sitting.application,
    )
    scores = list(Part2Score.objects.filter(sitting=sitting, submitted_at__isnull=False))
    firsts = [s for s in scores if not s.third_reader]
    if len(firsts) < 2:
        return _("Scored. Waiting for the other reader.")
    thirds = [s for s in scores if s.third_reader]
    if firsts[0].passed == firsts[1].passed:
        verdict: bool | None = firsts[0].passed
    elif thirds:
        verdict = thirds[0].passed
    else:
        record(
            actor=actor,
            verb="endorsement.exam.readers_disagree",
            association=sitting.application.association,
            target=sitting.application,
        )
        return _("Scored. The readers disagree; a third reader will decide.")
    ExamSitting.objects.filter(pk=sitting.pk).update(part2_passed=verdict)
    sitting.refresh_from_db()
    _finish_exam(actor, sitting)
    return _("Scored. Part 2 is decided.")


def _finish_exam(actor: User | None, sitting: ExamSitting) -> None:
    """Both parts known: pass rules from the rule set, then the credential or a retake date."""
    if sitting.part1_percent is None or sitting.part2_passed is None or sitting.completed_at is not None:
        return
    rules = _exam_rules(sitting.application)
    passed = sitting.part1_percent >= Decimal(str(rules.get("min_part1_percent", 80))) and (
        sitting.part2_passed or not rules.get("part2_passed", True)
    )
    comments = "\n\n".join(s.comments for s in sitting.scores.filter(submitted_at__isnull=False) if s.comments)
    application = Application.objects.select_related("portfolio__person", "association__policy").get(
        pk=sitting.application_id
    )
    if passed:
        feedback = _("You passed the exam (Part 1: %(p1)s%%).") % {"p1": sitting.part1_percent}
    else:
        retake = (sitting.taken_on or timezone.localdate()) + timedelta(
            days=application.association.policy.exam_retake_wait_days
        )
        feedback = _(
            "You did not pass this time (Part 1: %(p1)s%%, Part 2: %(p2)s). You may sit it again from %(date)s."
        ) % {
            "p1": sitting.part1_percent,
            "p2": _("passed") if sitting.part2_passed else _("not passed"),
            "date": retake.isoformat(),
        }
    letter = f"{feedback}\n\n{comments}".strip()
    if not ExamSitting.objects.filter(pk=sitting.pk, completed_at__isnull=True).update(
        completed_at=timezone.now(), feedback=letter
    ):
        return  # finished by someone else meanwhile (callers hold the sitting's lock; belt and braces)
    record(
        actor=actor,
        verb=f"endorsement.exam.{'passed' if passed else 'not_passed'}",
        association=application.association,
        target=application,
    )
    if passed:
        _move(
            application,
            actor=actor,
            from_states=[State.APPROVED_FOR_EXAM],
            to=State.ENDORSED,
            verb="endorsed_after_exam",
        )
        credential = issue_credential(actor=actor, application=application)
        subject, body = _letter(application, Outcome.ENDORSE, letter, credential)
        _notify(application, subject, body)
    else:
        _notify(application, _("Your exam results"), letter)


@transaction.atomic
def new_sitting(*, actor: User, application: Application) -> ExamSitting:
    """A retake, once the waiting period after the last attempt is over."""
    # Lock the application before reading its sittings: two people approving a retake at once
    # open one sitting (and one exam invoice), not two.
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("association__policy", "portfolio__person")
        .get(pk=application.pk)
    )
    if application.state != State.APPROVED_FOR_EXAM:
        raise ActionRefused(
            _("Only an application approved for the exam gets a retake; this one is “%(state)s”.")
            % {"state": application.get_state_display()}
        )
    if application.sittings.filter(completed_at__isnull=True).exists():
        raise ActionRefused(_("An exam sitting is already open for this application; no retake was added."))
    last = application.sittings.filter(completed_at__isnull=False).order_by("-completed_at").first()
    wait = application.association.policy.exam_retake_wait_days
    if last is not None and last.taken_on and timezone.localdate() < last.taken_on + timedelta(days=wait):
        raise ActionRefused(
            _("A retake is possible from %(date)s.") % {"date": (last.taken_on + timedelta(days=wait)).isoformat()}
        )
    sitting = approve_for_exam(actor=actor, application=application)
    record(
        actor=actor,
        verb="endorsement.exam.retake_approved",
        association=application.association,
        target=application,
        data={"approved_until": sitting.approved_until.isoformat()},
    )
    return sitting
