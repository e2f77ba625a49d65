"""Applying, up to review: register, the application's fee hook, submit, the completeness
check, withdraw, the advisor, and clarifications between reviewers and the applicant.

registered -> in_progress -> submitted -> under_review (or back to in_progress)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from attunement.associations.models import ResidencyRule
from attunement.audit.actions import record
from attunement.endorsement.actions.common import APPLICATION_TARGET, bill, move, notify
from attunement.endorsement.eligibility import judge
from attunement.endorsement.models import (
    OPEN_STATES,
    Application,
    Assignment,
    Clarification,
    Credential,
    CredentialStatus,
    State,
)
from attunement.endorsement.renewal_dates import next_review_date
from attunement.lib.errors import ActionRefused
from attunement.payments import settlement
from attunement.payments.models import FeeKind, InvoiceLine
from attunement.people.models import User
from attunement.portfolios.models import Education, Portfolio, Reference, ReferenceStatus, Verification


@transaction.atomic
def register_application(
    *, actor: User, portfolio: Portfolio, category: str, residency_attested: bool = False
) -> Application:
    association = portfolio.association
    if association.policy.residency_rule != ResidencyRule.NONE and not residency_attested:
        raise ValidationError({"residency": _("Confirm that you live or work where the association endorses.")})
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
    bill(
        actor=actor,
        application=application,
        kind=FeeKind.REGISTRATION,
        label=_("Registration fee, %(category)s") % {"category": category},
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
        move(application, actor=actor, from_states=[State.REGISTERED], to=State.IN_PROGRESS, verb="started")
        notify(
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
    today = timezone.localdate()
    judgement = judge(application.portfolio, application.category, as_of=today)
    blockers = submission_blockers(application, judgement.report)
    if blockers:
        raise ValidationError({"application": blockers})
    application = move(
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
    bill(
        actor=actor,
        application=application,
        kind=FeeKind.PROCESSING,
        label=_("Processing fee, %(category)s") % {"category": application.category},
    )
    notify(
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
        application = move(
            application,
            actor=actor,
            from_states=[State.SUBMITTED],
            to=State.UNDER_REVIEW,
            verb="review_started",
            # Counted in the row, not from the caller's copy (which may be stale).
            review_round=F("review_round") + 1,
        )
        notify(application, _("Your application is under review"), _("Reviewers are reading your application now."))
        return application
    if not note.strip():
        raise ValidationError({"note": _("Tell the applicant what is missing.")})
    application = move(
        application,
        actor=actor,
        from_states=[State.SUBMITTED],
        to=State.IN_PROGRESS,
        verb="returned_incomplete",
        data={"note": note},
        feedback=note,
    )
    notify(application, _("Your application needs more"), note)
    return application


@transaction.atomic
def withdraw(*, actor: User, application: Application) -> Application:
    return move(application, actor=actor, from_states=list(OPEN_STATES), to=State.WITHDRAWN, verb="withdrawn")


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
    notify(application, _("A question about your application"), clarification.question)


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
