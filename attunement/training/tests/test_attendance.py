"""Attendance (checklist and file) and finalising: hours flow to the portfolio, verified, once,
and the eligibility engine sees them at once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from attunement.audit.models import AuditEvent
from attunement.endorsement.eligibility import build, portfolio_document, rule_set_version_in_force
from attunement.endorsement.rules import evaluate, parse_portfolio
from attunement.lib.errors import ActionRefused
from attunement.portfolios.models import Provenance, Training, Verification
from attunement.training import actions
from attunement.training.attendance_file import AttendanceFileError
from attunement.training.models import Attendance, CourseStatus, Registration, RegistrationStatus
from attunement.training.tests.fixtures import make_course, make_provider, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def series(riverbend: Any, personas: dict[str, Any], applicant_portfolio: Any, make_person: Any) -> Any:
    """A three-part series (3 hours each) that took place, led by the trainer; Alex (with a
    portfolio) and Bea (without one) are registered."""
    provider = make_provider(riverbend, personas["trainer"])
    course = make_course(provider, dei=True, clock_hours=Decimal(9))
    session = make_session(course, parts=3, days=-20, trainer=personas["trainer"])
    bea = make_person("bea@example.org")
    for person in (personas["applicant"], bea):
        Registration.objects.create(session=session, person=person, status=RegistrationStatus.REGISTERED)
    return session


def training_requirement(portfolio: Any, category: str = "IFS") -> dict[str, Any]:
    today = timezone.localdate()
    report = evaluate(
        parse_portfolio(portfolio_document(portfolio, today), today),
        build(rule_set_version_in_force(portfolio.association, today)),
        category,
        today,
    )
    return next(r for r in report["requirements"] if r["id"] == "training")


def all_present(session: Any) -> list[tuple[str, int]]:
    return [(str(r.public_id), p.position) for r in session.registrations.all() for p in session.parts.all()]


def test_finalising_puts_verified_hours_in_the_portfolio_and_the_engine_sees_them(
    series: Any, personas: dict[str, Any], applicant_portfolio: Any
) -> None:
    before = training_requirement(applicant_portfolio)
    assert before["status"] == "unmet"
    alex = str(series.registrations.get(person=personas["applicant"]).public_id)
    bea = str(series.registrations.exclude(person=personas["applicant"]).get().public_id)
    # Alex missed part 2: partial attendance credits the other two parts' hours.
    actions.mark_attendance(actor=personas["trainer"], session=series,
                            present=[(alex, 1), (alex, 3), (bea, 1), (bea, 2), (bea, 3)])  # fmt: skip
    done = actions.finalise_session(actor=personas["trainer"], session=series)
    assert (done.credited, done.waiting_for_portfolio, done.hours) == (1, 1, Decimal(15))
    entry = Training.objects.get(portfolio=applicant_portfolio)
    assert (entry.hours, entry.dei, entry.date) == (Decimal(6), True, series.ends_on)
    assert entry.provenance == Provenance.TRAINING
    assert entry.verification == Verification.VERIFIED
    assert entry.provider == series.course.provider.name
    assert entry.domains == series.course.domains
    after = training_requirement(applicant_portfolio)
    assert float(after["progress"]["have"]) == float(before["progress"]["have"] or 0) + 6
    assert AuditEvent.objects.filter(verb="training.session.finalised").count() == 1
    # The hours went in through the portfolio's action: its own trail says where they came from.
    credited = AuditEvent.objects.get(verb="portfolios.training.credited")
    assert (credited.target_type, credited.target_id) == ("portfolios.portfolio", str(applicant_portfolio.public_id))
    assert credited.data == {"entries": [str(entry.public_id)], "source": f"training.session:{series.public_id}"}
    assert credited.association_id == applicant_portfolio.association_id


def test_finalising_twice_credits_once(series: Any, personas: dict[str, Any], applicant_portfolio: Any) -> None:
    actions.mark_attendance(actor=personas["trainer"], session=series, present=all_present(series))
    actions.finalise_session(actor=personas["coordinator"], session=series)
    with pytest.raises(ActionRefused):
        actions.finalise_session(actor=personas["coordinator"], session=series)
    assert Training.objects.filter(portfolio=applicant_portfolio).count() == 1
    assert AuditEvent.objects.filter(verb="training.session.finalised").count() == 1
    with pytest.raises(ActionRefused):
        actions.mark_attendance(actor=personas["trainer"], session=series, present=[])


def test_finalising_is_refused_while_attendance_is_incomplete(series: Any, personas: dict[str, Any]) -> None:
    with pytest.raises(ActionRefused, match="not complete"):
        actions.finalise_session(actor=personas["trainer"], session=series)
    assert series.__class__.objects.get(pk=series.pk).finalised_at is None
    assert not AuditEvent.objects.filter(verb="training.session.finalised").exists()


def test_finalising_is_refused_before_the_session_took_place(riverbend: Any, personas: dict[str, Any]) -> None:
    session = make_session(make_course(make_provider(riverbend)), days=5)
    with pytest.raises(ActionRefused, match="not taken place"):
        actions.finalise_session(actor=personas["coordinator"], session=session)


def test_only_those_who_run_the_session_mark_attendance(series: Any, personas: dict[str, Any]) -> None:
    for persona in ("reviewer", "applicant", "outsider"):
        with pytest.raises(ActionRefused):
            actions.mark_attendance(actor=personas[persona], session=series, present=[])
    assert not Attendance.objects.exists()


def test_an_unapproved_course_posts_self_reported_hours(
    riverbend: Any, personas: dict[str, Any], applicant_portfolio: Any
) -> None:
    course = make_course(make_provider(riverbend), CourseStatus.SUBMITTED)
    session = make_session(course, days=-2)
    reg = Registration.objects.create(session=session, person=personas["applicant"], status="registered")
    actions.mark_attendance(actor=personas["coordinator"], session=session, present=[(str(reg.public_id), 1)])
    actions.finalise_session(actor=personas["coordinator"], session=session)
    entry = Training.objects.get(portfolio=applicant_portfolio)
    assert entry.verification == Verification.UNVERIFIED
    assert entry.verified_by is None


def test_someone_without_a_portfolio_claims_the_record_when_they_start_one(
    series: Any, personas: dict[str, Any], riverbend: Any
) -> None:
    from attunement.portfolios.actions import start_portfolio

    actions.mark_attendance(actor=personas["trainer"], session=series, present=all_present(series))
    actions.finalise_session(actor=personas["trainer"], session=series)
    bea = series.registrations.exclude(person=personas["applicant"]).get().person
    with pytest.raises(ActionRefused):
        actions.claim_training(actor=bea)
    portfolio = start_portfolio(actor=bea, person=bea, association=riverbend, aim="IFS")
    assert actions.claim_training(actor=bea) == 1
    assert actions.claim_training(actor=bea) == 0
    entry = Training.objects.get(portfolio=portfolio)
    assert entry.hours == Decimal(9)
    assert entry.verification == Verification.VERIFIED


# --- The attendance file --------------------------------------------------------------------


def upload(series: Any, personas: dict[str, Any], text: str) -> int:
    return actions.upload_attendance(actor=personas["trainer"], session=series, text=text, file_name="a.csv")


def problems_of(series: Any, personas: dict[str, Any], text: str) -> list[tuple[int, str]]:
    with pytest.raises(AttendanceFileError) as caught:
        upload(series, personas, text)
    assert not Attendance.objects.exists(), "a refused file changes nothing"
    assert not AuditEvent.objects.filter(verb="training.attendance.uploaded").exists()
    return [(p.row, p.column) for p in caught.value.problems]


def test_a_file_of_parts_marks_attendance(series: Any, personas: dict[str, Any]) -> None:
    text = "email,part,present\napplicant@example.org,1,yes\napplicant@example.org,2,no\nBEA@example.org,3,yes\n"
    assert upload(series, personas, text) == 2
    marks = {(a.registration.person.email, a.part.position): a.hours for a in Attendance.objects.all()}
    assert marks == {("applicant@example.org", 1): 3, ("applicant@example.org", 2): 0, ("bea@example.org", 3): 3}
    assert AuditEvent.objects.filter(verb="training.attendance.uploaded").count() == 1


def test_a_file_of_hours_credits_partial_hours_part_by_part(series: Any, personas: dict[str, Any]) -> None:
    upload(series, personas, "email,hours\napplicant@example.org,7.5\nbea@example.org,9\n")
    alex = {a.part.position: a.hours for a in Attendance.objects.filter(registration__person=personas["applicant"])}
    assert alex == {1: Decimal(3), 2: Decimal(3), 3: Decimal("1.5")}


def test_a_file_with_an_unknown_person_is_refused_whole_with_row_and_column(
    series: Any, personas: dict[str, Any]
) -> None:
    text = "email,part,present\napplicant@example.org,1,yes\nnobody@example.org,1,yes\n"
    assert problems_of(series, personas, text) == [(3, "email")]


def test_a_file_with_a_duplicate_row_is_refused(series: Any, personas: dict[str, Any]) -> None:
    text = "email,part,present\napplicant@example.org,1,yes\nbea@example.org,1,yes\napplicant@example.org,1,no\n"
    assert problems_of(series, personas, text) == [(4, "email")]
    assert problems_of(series, personas, "email,hours\nbea@example.org,2\nbea@example.org,3\n") == [(3, "email")]


def test_a_file_with_hours_above_the_sessions_is_refused(series: Any, personas: dict[str, Any]) -> None:
    assert problems_of(series, personas, "email,hours\napplicant@example.org,9.5\n") == [(2, "hours")]
    assert problems_of(series, personas, "email,part,hours\nbea@example.org,2,4\n") == [(2, "hours")]


def test_every_problem_of_a_file_is_reported_at_once(series: Any, personas: dict[str, Any]) -> None:
    text = "email,part,present\nx@example.org,1,yes\napplicant@example.org,9,yes\nbea@example.org,1,maybe\n"
    assert problems_of(series, personas, text) == [(2, "email"), (3, "part"), (4, "present")]


def test_a_file_without_the_needed_columns_is_refused(series: Any, personas: dict[str, Any]) -> None:
    assert problems_of(series, personas, "name,present\nAlex,yes\n") == [(1, "email")]
    assert problems_of(series, personas, "email,present\napplicant@example.org,yes\n") == [(1, "hours")]


def test_a_row_with_fewer_cells_than_the_header_is_refused_with_its_row_named(
    series: Any, personas: dict[str, Any]
) -> None:
    # Before: the missing "present" read as blank, and blank means "no": Bea silently absent.
    text = "email,part,present\napplicant@example.org,1,yes\nbea@example.org,1\n"
    with pytest.raises(AttendanceFileError) as caught:
        upload(series, personas, text)
    assert [(p.row, p.column) for p in caught.value.problems] == [(3, "present")]
    assert "2 cells but the header has 3" in str(caught.value)
    assert not Attendance.objects.exists()
    assert problems_of(series, personas, "email,hours\nbea@example.org\n") == [(2, "hours")]


@pytest.mark.parametrize("value", ["NaN", "nan", "Infinity", "-Infinity", "inf", "sNaN"])
def test_nan_and_infinite_hours_are_refused_as_not_a_number(series: Any, personas: dict[str, Any], value: str) -> None:
    with pytest.raises(AttendanceFileError) as caught:
        upload(series, personas, f"email,hours\nbea@example.org,{value}\n")
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (2, "hours")
    assert f"“{value}” is not a number of hours" in problem.message
    assert "negative" not in problem.message
    assert not Attendance.objects.exists()
