"""Every decision of the application path holds under concurrency (issue 16, bar R7).

Each test runs the actions at the same moment with ``race()`` (threads behind a barrier, one
database connection each; ``at_once`` adds a second barrier once every thread is connected) and asserts the final state, how many decisions or rows exist and
the audit trail: exactly one event per real change, and no lock error. PostgreSQL runs them
under READ COMMITTED, where a read without a lock does not see the other's uncommitted write;
SQLite takes the write lock when a transaction begins (``transaction_mode="IMMEDIATE"``).
Races whose outcome depends on who comes first run several trials."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.utils import timezone

from attunement.associations.models import Role
from attunement.audit.models import AuditEvent
from attunement.endorsement.actions.application import (
    check_completeness,
    register_application,
    submit_application,
    withdraw,
)
from attunement.endorsement.actions.exam import assign_readers, new_sitting, record_part1, score_part2
from attunement.endorsement.actions.review import decide, resume_review, save_review
from attunement.endorsement.actions.rulesets import load_rule_set
from attunement.endorsement.models import (
    Application,
    Assignment,
    Credential,
    Decision,
    ExamSitting,
    Outcome,
    Part2Score,
    RuleSetVersion,
    State,
)
from attunement.endorsement.rules.ruleset import SHIPPED
from attunement.endorsement.tests.test_workflow import pay_all
from attunement.lib.errors import ActionRefused
from attunement.lib.testing import RaceResult, race
from attunement.payments.models import InvoiceLine

pytestmark = pytest.mark.django_db(transaction=True)

TRIALS = 5
Go = Callable[[], None]
WAITING = "has not finished yet"
AGREED = "decision is recorded"


def trail(obj: Any) -> Counter[str]:
    """The audit verbs recorded against one object, counted."""
    return Counter(AuditEvent.objects.filter(target_id=str(obj.public_id)).values_list("verb", flat=True))


def at_once(*steps: Callable[[Go], Any]) -> RaceResult:
    """``race()`` with a second barrier: each thread first connects and loads what it acts on
    (as a view would), calls ``go()``, and only then acts, so the actions start together
    instead of being spread out by connection set-up."""
    gate = threading.Barrier(len(steps))

    def go() -> None:
        gate.wait(30)

    return race(*(lambda step=step: step(go) for step in steps))


def no_lock_errors(outcome: RaceResult) -> None:
    assert not [e for e in outcome.errors if isinstance(e, DatabaseError)], outcome.errors


def in_review(ready: Any, reviewers: list[Any], category: str = "IFS") -> tuple[Application, list[Assignment]]:
    """An application in its first review round with one assignment per reviewer."""
    application = Application.objects.create(
        portfolio=ready, association=ready.association, category=category, state=State.UNDER_REVIEW, review_round=1
    )
    made = [Assignment.objects.create(application=application, review_round=1, reviewer=r) for r in reviewers]
    return application, made


def close(application: Application) -> None:
    """Make room for the next trial's open application in the same category."""
    Application.objects.filter(pk=application.pk).update(state=State.WITHDRAWN)


def submitting(assignment: Assignment, recommendation: str, comments: str = "") -> Callable[[Go], str]:
    def run(go: Go) -> str:
        loaded = Assignment.objects.select_related("application__association").get(pk=assignment.pk)
        go()
        return save_review(
            actor=assignment.reviewer,
            assignment=loaded,
            checklist={"reflection": "met"},
            comments=comments,
            recommendation=recommendation,
            submit=True,
        )

    return run


@pytest.fixture
def reviewers(personas: dict[str, Any], make_person: Any, riverbend: Any) -> list[Any]:
    extra = [
        make_person(f"reviewer{i}@example.org", roles=(Role.REVIEWER,), association=riverbend, totp=False)
        for i in (2, 3)
    ]
    return [personas["reviewer"], *extra]


# --- Review: consensus, disagreement, the coordinator ------------------------------------------


def test_two_reviewers_agreeing_at_once_record_exactly_one_decision(ready: Any, reviewers: list[Any]) -> None:
    for _trial in range(TRIALS):
        application, (first, second) = in_review(ready, reviewers[:2])
        outcome = at_once(
            submitting(first, Outcome.ENDORSE, "Strong work."), submitting(second, Outcome.ENDORSE, "Agreed.")
        )
        assert outcome.errors == []
        # Each reviewer is told the truth: the first waits for the other, the second decides.
        assert sorted(WAITING in m for m in outcome.results) == [False, True]
        assert sum(AGREED in m for m in outcome.results) == 1
        [decision] = Decision.objects.filter(application=application)
        assert (decision.outcome, decision.basis, decision.review_round) == (Outcome.ENDORSE, "consensus", 1)
        assert {decision.decided_by_id} <= {first.reviewer_id, second.reviewer_id}
        assert set(decision.feedback.split("\n\n")) == {"Strong work.", "Agreed."}
        application.refresh_from_db()
        assert application.state == State.ENDORSED
        assert Credential.objects.filter(application=application).count() == 1
        events = trail(application)
        assert events["endorsement.review.submitted"] == 2
        assert events["endorsement.application.decided.endorse"] == 1
        assert events["endorsement.review.disagreement"] == 0
        assert Assignment.objects.filter(application=application, submitted_at__isnull=True).count() == 0


def test_three_reviewers_agreeing_at_once_record_exactly_one_decision(ready: Any, reviewers: list[Any]) -> None:
    for _trial in range(TRIALS):
        application, assignments = in_review(ready, reviewers)
        outcome = at_once(*(submitting(a, Outcome.APPROVE_FOR_EXAM) for a in assignments))
        assert outcome.errors == []
        assert sorted(WAITING in m for m in outcome.results) == [False, True, True]
        [decision] = Decision.objects.filter(application=application)
        assert decision.outcome == Outcome.APPROVE_FOR_EXAM
        application.refresh_from_db()
        assert application.state == State.APPROVED_FOR_EXAM
        assert ExamSitting.objects.filter(application=application).count() == 1
        events = trail(application)
        assert events["endorsement.review.submitted"] == 3
        assert events["endorsement.application.decided.approve_for_exam"] == 1
        close(application)


def test_two_reviewers_disagreeing_at_once_refer_to_the_coordinator_exactly_once(
    ready: Any, reviewers: list[Any]
) -> None:
    for _trial in range(TRIALS):
        application, (first, second) = in_review(ready, reviewers[:2])
        outcome = at_once(submitting(first, Outcome.ENDORSE), submitting(second, Outcome.DEFER, "More RS/C."))
        assert outcome.errors == []
        assert sorted(WAITING in m for m in outcome.results) == [False, True]
        assert sum("disagree" in m for m in outcome.results) == 1
        assert not Decision.objects.filter(application=application).exists()
        application.refresh_from_db()
        assert application.state == State.UNDER_REVIEW
        events = trail(application)
        assert events["endorsement.review.submitted"] == 2
        assert events["endorsement.review.disagreement"] == 1
        close(application)


def test_the_coordinator_deciding_while_the_last_reviewer_submits_leaves_one_decision(
    ready: Any, reviewers: list[Any], personas: dict[str, Any]
) -> None:
    coordinator = personas["coordinator"]
    winners = set()
    for _trial in range(TRIALS):
        application, (first, second) = in_review(ready, reviewers[:2])
        save_review(actor=first.reviewer, assignment=first, checklist={}, comments="",
                            recommendation=Outcome.ENDORSE, submit=True)  # fmt: skip

        def coordinator_decides(go: Go, application: Application = application) -> Decision:
            loaded = Application.objects.get(pk=application.pk)
            go()
            return decide(actor=coordinator, application=loaded, outcome=Outcome.ON_HOLD, basis="coordinator")

        outcome = at_once(coordinator_decides, submitting(second, Outcome.ENDORSE))
        no_lock_errors(outcome)
        [decision] = Decision.objects.filter(application=application)
        winners.add(decision.basis)
        assert len(outcome.results) == 1
        [refusal] = outcome.errors
        assert isinstance(refusal, ActionRefused)
        assert "already recorded the decision" in str(refusal)
        application.refresh_from_db()
        events = trail(application)
        second.refresh_from_db()
        if decision.basis == "coordinator":
            # The reviewer is told their review came too late, and nothing of it is kept.
            assert (application.state, decision.decided_by) == (State.ON_HOLD, coordinator)
            assert "your review was not saved" in str(refusal)
            assert second.submitted_at is None
            assert events["endorsement.review.submitted"] == 1
            assert events["endorsement.application.decided.on_hold"] == 1
        else:
            assert (application.state, decision.decided_by_id) == (State.ENDORSED, second.reviewer_id)
            assert second.submitted_at is not None
            assert events["endorsement.review.submitted"] == 2
            assert events["endorsement.application.decided.endorse"] == 1
        assert sum(v for k, v in events.items() if k.startswith("endorsement.application.decided.")) == 1
        close(application)
    assert winners  # at least one trial ran; which side wins is up to the scheduler


# --- Submission and the completeness check ----------------------------------------------------


def test_submitting_an_application_twice_at_once_submits_it_once(ready: Any, personas: dict[str, Any]) -> None:
    alex, coordinator = personas["applicant"], personas["coordinator"]
    application = register_application(actor=alex, portfolio=ready, category="IFS", residency_attested=True)
    pay_all(application, coordinator)

    def submit(go: Go) -> Application:
        loaded = Application.objects.get(pk=application.pk)
        go()
        return submit_application(actor=alex, application=loaded)

    outcome = at_once(submit, submit)
    assert len(outcome.results) == 1
    assert [type(e) for e in outcome.errors] == [ActionRefused]
    assert "nothing was changed" in str(outcome.errors[0])
    application.refresh_from_db()
    assert application.state == State.SUBMITTED
    assert InvoiceLine.objects.filter(purpose__endswith=f"{application.public_id}:processing").count() == 1
    assert trail(application)["endorsement.application.submitted"] == 1


def test_the_completeness_check_twice_at_once_starts_one_review_round(ready: Any, personas: dict[str, Any]) -> None:
    alex, coordinator, admin = personas["applicant"], personas["coordinator"], personas["admin"]
    application = register_application(actor=alex, portfolio=ready, category="IFS", residency_attested=True)
    pay_all(application, coordinator)
    submit_application(actor=alex, application=Application.objects.get(pk=application.pk))
    pay_all(application, coordinator)

    def check(actor: Any) -> Callable[[Go], Application]:
        def run(go: Go) -> Application:
            loaded = Application.objects.get(pk=application.pk)
            go()
            return check_completeness(actor=actor, application=loaded, complete=True)

        return run

    outcome = at_once(check(coordinator), check(admin))
    assert len(outcome.results) == 1
    assert [type(e) for e in outcome.errors] == [ActionRefused]
    application.refresh_from_db()
    assert (application.state, application.review_round) == (State.UNDER_REVIEW, 1)
    assert trail(application)["endorsement.application.review_started"] == 1


def test_a_stale_copy_does_not_reopen_a_decided_round(
    ready: Any, reviewers: list[Any], personas: dict[str, Any]
) -> None:
    """The next round is counted in the database, not from the caller's copy of the application."""
    coordinator = personas["coordinator"]
    application, _assignments = in_review(ready, reviewers[:1])
    decide(actor=coordinator, application=application, outcome=Outcome.ON_HOLD, basis="coordinator")
    stale = Application.objects.get(pk=application.pk)  # on hold, round 1
    resume_review(actor=coordinator, application=Application.objects.get(pk=application.pk))
    decide(actor=coordinator, application=application, outcome=Outcome.ON_HOLD, basis="coordinator")
    resume_review(actor=coordinator, application=stale)
    application.refresh_from_db()
    assert (application.state, application.review_round) == (State.UNDER_REVIEW, 3)
    assert not Decision.objects.filter(application=application, review_round=3).exists()


# --- Exam: two readers, the third-reader rule, Part 1, retakes ----------------------------------


def exam(ready: Any, readers: list[Any], *, part1: Decimal | None = None) -> tuple[ExamSitting, list[Part2Score]]:
    application = Application.objects.create(
        portfolio=ready, association=ready.association, category="IFS", state=State.APPROVED_FOR_EXAM, review_round=1
    )
    sitting = ExamSitting.objects.create(
        application=application,
        approved_until=timezone.localdate() + timedelta(days=365),
        part2_answers=["First vignette.", "Second vignette."],
        part1_percent=part1,
        taken_on=timezone.localdate() if part1 is not None else None,
    )
    scores = [Part2Score.objects.create(sitting=sitting, reader=reader) for reader in readers]
    return sitting, scores


def scoring(score: Part2Score, passed: bool, comments: str = "") -> Callable[[Go], str]:
    def run(go: Go) -> str:
        loaded = Part2Score.objects.get(pk=score.pk)
        go()
        return score_part2(
            actor=score.reader,
            score=loaded,
            rubric={"reflection": 3 if passed else 1},
            passed=passed,
            comments=comments,
        )

    return run


def test_two_readers_agreeing_at_once_complete_the_exam_once(ready: Any, reviewers: list[Any]) -> None:
    for _trial in range(TRIALS):
        sitting, (first, second) = exam(ready, reviewers[:2], part1=Decimal("90.00"))
        application = sitting.application
        outcome = at_once(scoring(first, True, "Thoughtful."), scoring(second, True, "Clear."))
        assert outcome.errors == []
        assert sorted("Waiting for the other reader" in m for m in outcome.results) == [False, True]
        sitting.refresh_from_db()
        assert sitting.part2_passed is True
        assert sitting.completed_at is not None
        application.refresh_from_db()
        assert application.state == State.ENDORSED
        assert Credential.objects.filter(application=application).count() == 1
        events = trail(application)
        assert events["endorsement.exam.part2_scored"] == 2
        assert events["endorsement.exam.passed"] == 1
        assert events["endorsement.application.endorsed_after_exam"] == 1
        assert events["endorsement.exam.readers_disagree"] == 0


def test_two_readers_disagreeing_at_once_ask_for_exactly_one_third_reader(ready: Any, reviewers: list[Any]) -> None:
    for _trial in range(TRIALS):
        sitting, (first, second) = exam(ready, reviewers[:2])
        application = sitting.application
        outcome = at_once(scoring(first, True), scoring(second, False))
        assert outcome.errors == []
        assert sorted("Waiting for the other reader" in m for m in outcome.results) == [False, True]
        assert sum("third reader" in m for m in outcome.results) == 1
        sitting.refresh_from_db()
        assert (sitting.part2_passed, sitting.completed_at) == (None, None)
        events = trail(application)
        assert events["endorsement.exam.part2_scored"] == 2
        assert events["endorsement.exam.readers_disagree"] == 1
        close(application)


def test_part1_recorded_while_the_last_reader_scores_completes_the_exam_once(
    ready: Any, reviewers: list[Any], personas: dict[str, Any]
) -> None:
    coordinator = personas["coordinator"]
    for _trial in range(TRIALS):
        sitting, (first, second) = exam(ready, reviewers[:2])
        application = sitting.application
        score_part2(actor=first.reader, score=first, rubric={}, passed=True, comments="")

        def part1(go: Go, sitting: ExamSitting = sitting) -> None:
            loaded = ExamSitting.objects.get(pk=sitting.pk)
            go()
            record_part1(actor=coordinator, sitting=loaded, percent=Decimal("85.00"), taken_on=timezone.localdate())

        outcome = at_once(part1, scoring(second, True))
        assert outcome.errors == []
        sitting.refresh_from_db()
        assert (sitting.part1_percent, sitting.part2_passed) == (Decimal("85.00"), True)
        assert sitting.completed_at is not None
        application.refresh_from_db()
        assert application.state == State.ENDORSED
        assert Credential.objects.filter(application=application).count() == 1
        events = trail(application)
        assert (events["endorsement.exam.part1"], events["endorsement.exam.part2_scored"]) == (1, 2)
        assert events["endorsement.exam.passed"] == 1


def test_part1_recorded_twice_at_once_decides_the_exam_on_the_score_it_keeps(
    ready: Any, reviewers: list[Any], personas: dict[str, Any]
) -> None:
    coordinator, admin = personas["coordinator"], personas["admin"]
    for _trial in range(TRIALS):
        sitting, _scores = exam(ready, [])
        ExamSitting.objects.filter(pk=sitting.pk).update(part2_passed=True)
        application = sitting.application

        def part1(actor: Any, percent: str, sitting: ExamSitting = sitting) -> Callable[[Go], None]:
            def run(go: Go) -> None:
                loaded = ExamSitting.objects.get(pk=sitting.pk)
                go()
                record_part1(actor=actor, sitting=loaded, percent=Decimal(percent), taken_on=timezone.localdate())

            return run

        outcome = at_once(part1(coordinator, "85.00"), part1(admin, "70.00"))
        no_lock_errors(outcome)
        assert len(outcome.results) == 1
        [refusal] = outcome.errors
        assert isinstance(refusal, ValidationError)
        assert "part1_percent" in refusal.message_dict
        sitting.refresh_from_db()
        application.refresh_from_db()
        events = trail(application)
        assert events["endorsement.exam.part1"] == 1
        if sitting.part1_percent == Decimal("85.00"):
            assert (events["endorsement.exam.passed"], application.state) == (1, State.ENDORSED)
        else:
            assert sitting.part1_percent == Decimal("70.00")
            assert (events["endorsement.exam.not_passed"], application.state) == (1, State.APPROVED_FOR_EXAM)
        assert f"Part 1: {sitting.part1_percent}%" in sitting.feedback
        close(application)


def test_a_retake_approved_twice_at_once_opens_one_sitting(ready: Any, personas: dict[str, Any]) -> None:
    coordinator, admin = personas["coordinator"], personas["admin"]
    sitting, _scores = exam(ready, [], part1=Decimal("50.00"))
    long_ago = timezone.localdate() - timedelta(days=400)
    ExamSitting.objects.filter(pk=sitting.pk).update(part2_passed=False, taken_on=long_ago, completed_at=timezone.now())
    application = sitting.application

    def retake(actor: Any) -> Callable[[Go], ExamSitting]:
        def run(go: Go) -> ExamSitting:
            loaded = Application.objects.get(pk=application.pk)
            go()
            return new_sitting(actor=actor, application=loaded)

        return run

    outcome = at_once(retake(coordinator), retake(admin))
    assert len(outcome.results) == 1
    assert [type(e) for e in outcome.errors] == [ActionRefused]
    assert "already open" in str(outcome.errors[0])
    assert ExamSitting.objects.filter(application=application, completed_at__isnull=True).count() == 1
    assert InvoiceLine.objects.filter(purpose__endswith=f"{application.public_id}:exam").count() == 1
    assert trail(application)["endorsement.exam.retake_approved"] == 1


def test_a_retake_needs_an_application_approved_for_the_exam(ready: Any, personas: dict[str, Any]) -> None:
    application, _assignments = in_review(ready, [])
    with pytest.raises(ActionRefused, match="approved for the exam"):
        new_sitting(actor=personas["coordinator"], application=application)
    assert not ExamSitting.objects.filter(application=application).exists()


# --- Rule sets ---------------------------------------------------------------------------------


def test_the_same_rule_set_loaded_twice_at_once_is_stored_once() -> None:
    data = json.loads((SHIPPED / "alliance-2025.json").read_text(encoding="utf-8"))
    data.update(id="alliance-2099", effective="2099-01-01")

    def load(go: Go) -> tuple[RuleSetVersion, bool]:
        RuleSetVersion.objects.exists()  # connected
        go()
        return load_rule_set(actor=None, data=data)

    outcome = at_once(load, load)
    assert outcome.errors == []
    assert sorted(created for _version, created in outcome.results) == [False, True]
    version = RuleSetVersion.objects.get(key="alliance-2099")
    assert trail(version)["endorsement.ruleset.loaded"] == 1


def test_a_second_default_rule_set_on_the_same_day_names_the_field() -> None:
    data = json.loads((SHIPPED / "alliance-2025.json").read_text(encoding="utf-8"))
    data.update(id="alliance-2099", effective="2099-01-01")
    load_rule_set(actor=None, data=data)
    with pytest.raises(ValidationError) as caught:
        load_rule_set(actor=None, data={**data, "id": "alliance-2099b", "name": "Another"})
    assert "effective" in caught.value.message_dict


# --- Readers assigned at once, the fee paid while the applicant withdraws ------------------------


@pytest.fixture
def pool(riverbend: Any, make_person: Any) -> list[Any]:
    """Four trained, endorsed reviewers who may read Part 2 answers."""
    from datetime import date

    from attunement.endorsement.models import ReviewerProfile

    people = []
    for i in range(4):
        reader = make_person(f"reader{i}@example.org", roles=(Role.REVIEWER,), association=riverbend, totp=False)
        ReviewerProfile.objects.create(association=riverbend, user=reader, trained=True)
        Credential.objects.create(person=reader, association=riverbend, category="IMHS", since=date(2015, 1, 1))
        people.append(reader)
    return people


def assigning(actor: Any, sitting: ExamSitting, readers: list[Any], third: bool = False) -> Callable[[Go], None]:
    def run(go: Go) -> None:
        loaded = ExamSitting.objects.get(pk=sitting.pk)
        go()
        assign_readers(actor=actor, sitting=loaded, readers=readers, third=third)

    return run


def test_two_coordinators_assigning_first_readers_at_once_leave_two(
    ready: Any, pool: list[Any], personas: dict[str, Any]
) -> None:
    coordinator, admin = personas["coordinator"], personas["admin"]
    for _trial in range(TRIALS):
        sitting, _none = exam(ready, [])
        outcome = at_once(assigning(coordinator, sitting, pool[:2]), assigning(admin, sitting, pool[2:]))
        no_lock_errors(outcome)
        [refusal] = outcome.errors
        assert isinstance(refusal, ValidationError)
        assert "2 are already assigned" in refusal.message_dict["reader"][0]
        readers = set(Part2Score.objects.filter(sitting=sitting).values_list("reader_id", flat=True))
        assert readers in ({p.pk for p in pool[:2]}, {p.pk for p in pool[2:]})
        assert trail(sitting.application)["endorsement.exam.readers_assigned"] == 1
        close(sitting.application)


def test_a_third_reader_assigned_twice_at_once_is_assigned_once(
    ready: Any, pool: list[Any], personas: dict[str, Any]
) -> None:
    coordinator, admin = personas["coordinator"], personas["admin"]
    for _trial in range(TRIALS):
        sitting, (first, second) = exam(ready, pool[:2])
        score_part2(actor=first.reader, score=first, rubric={"reflection": 3}, passed=True, comments="")
        assert "third reader" in score_part2(
            actor=second.reader, score=second, rubric={"reflection": 1}, passed=False, comments=""
        )
        outcome = at_once(assigning(coordinator, sitting, [pool[2]], True), assigning(admin, sitting, [pool[3]], True))
        no_lock_errors(outcome)
        [refusal] = outcome.errors
        assert isinstance(refusal, ValidationError)
        assert "third reader is already assigned" in refusal.message_dict["reader"][0]
        [third] = Part2Score.objects.filter(sitting=sitting, third_reader=True)
        assert third.reader_id in (pool[2].pk, pool[3].pk)
        assert trail(sitting.application)["endorsement.exam.readers_assigned"] == 1
        # The third reader decides; nobody can be added once Part 2 is decided.
        score_part2(actor=third.reader, score=third, rubric={"reflection": 3}, passed=True, comments="")
        with pytest.raises(ActionRefused, match="already decided"):
            assign_readers(actor=coordinator, sitting=sitting, readers=[pool[2], pool[3]], third=True)
        close(sitting.application)


def test_the_registration_fee_paid_while_the_applicant_withdraws_leaves_it_withdrawn(
    ready: Any, personas: dict[str, Any]
) -> None:
    from attunement.payments.actions import record_payment
    from attunement.payments.models import Invoice, Payment

    alex, coordinator = personas["applicant"], personas["coordinator"]
    for trial in range(TRIALS):
        application = register_application(actor=alex, portfolio=ready, category="IFS", residency_attested=True)
        invoice = Invoice.objects.get(lines__purpose__startswith=f"endorsement.application:{application.public_id}")

        def withdrawing(go: Go, application: Application = application) -> Application:
            loaded = Application.objects.get(pk=application.pk)
            go()
            return withdraw(actor=alex, application=loaded)

        def pay(go: Go, invoice: Invoice = invoice, trial: int = trial) -> Any:
            loaded = Invoice.objects.get(pk=invoice.pk)
            go()
            return record_payment(
                actor=coordinator, invoice=loaded, method="cheque", amount=loaded.total, reference=f"w{trial}"
            )

        outcome = at_once(withdrawing, pay)
        assert outcome.errors == []  # the withdrawal always goes through, and the money is recorded
        application.refresh_from_db()
        assert application.state == State.WITHDRAWN
        assert Payment.objects.filter(invoice=invoice, method="cheque").count() == 1
        events = trail(application)
        assert events["endorsement.application.withdrawn"] == 1
        assert events["endorsement.application.started"] <= 1  # paid first: started, then withdrawn
