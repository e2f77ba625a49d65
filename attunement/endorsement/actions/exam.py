"""The exam, for an application approved to sit it: the sitting (and its fee), Part 1, the
window, Part 2 answers, readers and their scores, the result, and a retake."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attunement.audit.actions import record
from attunement.endorsement.actions.common import bill, decision_letter, move, notify
from attunement.endorsement.actions.credential import issue_credential
from attunement.endorsement.eligibility import build
from attunement.endorsement.matching import reader_candidates
from attunement.endorsement.models import Application, ExamSitting, Outcome, Part2Score, State
from attunement.lib.errors import ActionRefused
from attunement.payments.models import FeeKind
from attunement.people.models import User


@transaction.atomic
def approve_for_exam(*, actor: User | None, application: Application) -> ExamSitting:
    days = application.association.policy.exam_approval_days
    sitting = ExamSitting.objects.create(
        application=application, approved_until=timezone.localdate() + timedelta(days=days)
    )
    bill(
        actor=actor,
        application=application,
        kind=FeeKind.EXAM,
        label=_("Exam fee, %(category)s") % {"category": application.category},
    )
    return sitting


def _exam_rules(application: Application) -> dict[str, Any]:
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
    if not all(a.strip() for a in answers):
        raise ValidationError({"answers": _("Answer both vignettes.")})
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
        move(
            application,
            actor=actor,
            from_states=[State.APPROVED_FOR_EXAM],
            to=State.ENDORSED,
            verb="endorsed_after_exam",
        )
        credential = issue_credential(actor=actor, application=application)
        subject, body = decision_letter(application, Outcome.ENDORSE, letter, credential)
        notify(application, subject, body)
    else:
        notify(application, _("Your exam results"), letter)


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
