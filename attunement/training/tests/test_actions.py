"""Courses, registration, the waitlist and fees: every action with its audit event and refusals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from attunement.audit.models import AuditEvent
from attunement.lib.errors import ActionRefused
from attunement.lib.testing import race
from attunement.payments.models import Invoice
from attunement.training import actions
from attunement.training.models import CourseStatus, Registration, RegistrationStatus
from attunement.training.tests.fixtures import make_course, make_provider, make_session, part_specs

pytestmark = pytest.mark.django_db


def events(prefix: str) -> list[str]:
    return list(AuditEvent.objects.filter(verb__startswith=prefix).order_by("id").values_list("verb", flat=True))


@pytest.fixture
def provider(riverbend: Any, personas: dict[str, Any]) -> Any:
    return make_provider(riverbend, personas["trainer"])


def test_a_course_is_created_as_a_draft_submitted_and_approved_by_a_coordinator(
    provider: Any, personas: dict[str, Any]
) -> None:
    course = actions.create_course(actor=personas["trainer"], provider=provider, title="Attachment basics",
                                   clock_hours=Decimal(6), topics=["attachment"], domains=["reflection"])  # fmt: skip
    assert course.status == CourseStatus.DRAFT
    assert course.tags == ",topic:attachment,domain:reflection,"
    actions.submit_course(actor=personas["trainer"], course=course)
    actions.approve_course(actor=personas["coordinator"], course=course)
    course.refresh_from_db()
    assert course.status == CourseStatus.APPROVED
    assert course.decided_by == personas["coordinator"]
    assert events("training.course.") == [
        "training.course.created",
        "training.course.submitted",
        "training.course.approved",
    ]


def test_it_refuses_unknown_topics(provider: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        actions.create_course(actor=None, provider=provider, title="X", clock_hours=Decimal(1), topics=["astrology"])
    assert "topics" in caught.value.message_dict


def test_only_coordinators_and_admins_approve_and_a_decision_is_taken_once(
    provider: Any, personas: dict[str, Any]
) -> None:
    course = make_course(provider, CourseStatus.SUBMITTED)
    with pytest.raises(ActionRefused):
        actions.approve_course(actor=personas["trainer"], course=course)
    actions.reject_course(actor=personas["admin"], course=course, reason="Hours do not match the agenda.")
    with pytest.raises(ActionRefused):
        actions.approve_course(actor=personas["coordinator"], course=course)
    assert events("training.course.") == ["training.course.rejected"]
    course.refresh_from_db()
    assert course.status == CourseStatus.REJECTED


def test_a_rejection_needs_a_reason(provider: Any, personas: dict[str, Any]) -> None:
    course = make_course(provider, CourseStatus.SUBMITTED)
    with pytest.raises(ValidationError):
        actions.reject_course(actor=personas["coordinator"], course=course, reason=" ")
    assert events("training.course.") == []


def test_submitting_twice_is_refused(provider: Any, personas: dict[str, Any]) -> None:
    course = make_course(provider, CourseStatus.DRAFT)
    actions.submit_course(actor=personas["trainer"], course=course)
    with pytest.raises(ActionRefused):
        actions.submit_course(actor=personas["trainer"], course=course)
    assert events("training.course.") == ["training.course.submitted"]


def test_a_session_is_created_with_its_parts_in_order(provider: Any, personas: dict[str, Any]) -> None:
    course = make_course(provider)
    specs = part_specs(3, days=10)
    session = actions.create_session(actor=personas["trainer"], course=course, parts=list(reversed(specs)),
                                     capacity=12, delivery="hybrid", trainer=personas["trainer"])  # fmt: skip
    parts = list(session.parts.order_by("position"))
    assert [p.starts_at for p in parts] == [s.starts_at for s in specs]
    assert session.starts_on < session.ends_on
    assert events("training.session.") == ["training.session.created"]
    with pytest.raises(ValidationError):
        actions.create_session(actor=None, course=course, parts=[], capacity=3)


def test_registration_fills_the_seats_then_the_waitlist(provider: Any, make_person: Any) -> None:
    session = make_session(make_course(provider), capacity=2)
    people = [make_person(f"p{i}@example.org") for i in range(4)]
    made = [actions.register_for_session(actor=p, session=session) for p in people]
    assert [r.status for r in made] == ["registered", "registered", "waitlisted", "waitlisted"]
    assert [r.position for r in made[2:]] == [1, 2]
    assert (
        events("training.registration.")
        == ["training.registration.registered"] * 2 + ["training.registration.waitlisted"] * 2
    )
    with pytest.raises(ActionRefused):
        actions.register_for_session(actor=people[0], session=session)


def test_cancelling_a_seat_promotes_the_first_on_the_waitlist_and_tells_them(
    provider: Any, make_person: Any, django_capture_on_commit_callbacks: Any
) -> None:
    session = make_session(make_course(provider), capacity=1)
    first, second, third = (make_person(f"p{i}@example.org") for i in range(3))
    seat = actions.register_for_session(actor=first, session=session)
    actions.register_for_session(actor=second, session=session)
    actions.register_for_session(actor=third, session=session)
    with django_capture_on_commit_callbacks(execute=True):
        promoted = actions.cancel_registration(actor=first, registration=seat)
    assert promoted is not None
    assert promoted.person == second
    statuses = dict(Registration.objects.values_list("person__email", "status"))
    assert statuses == {"p0@example.org": "cancelled", "p1@example.org": "registered", "p2@example.org": "waitlisted"}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["p1@example.org"]
    assert events("training.registration.cancelled") == ["training.registration.cancelled"]
    with pytest.raises(ActionRefused):
        actions.cancel_registration(actor=first, registration=seat)


def test_leaving_the_waitlist_promotes_nobody(provider: Any, make_person: Any) -> None:
    session = make_session(make_course(provider), capacity=1)
    first, second = make_person("a@example.org"), make_person("b@example.org")
    actions.register_for_session(actor=first, session=session)
    waiting = actions.register_for_session(actor=second, session=session)
    assert actions.cancel_registration(actor=second, registration=waiting) is None
    assert Registration.objects.filter(status=RegistrationStatus.REGISTERED).count() == 1


def test_a_fee_is_invoiced_on_registration_and_a_scholarship_seat_waives_it(provider: Any, make_person: Any) -> None:
    course = make_course(provider, cost_cents=4500, scholarship_seats=1)
    session = make_session(course, capacity=5)
    payer, scholar, late = make_person("pay@example.org"), make_person("sch@example.org"), make_person("l@example.org")
    paid = actions.register_for_session(actor=payer, session=session)
    assert paid.invoice is not None
    invoice = Invoice.objects.get(pk=paid.invoice.pk)
    assert invoice.total == Decimal("45.00")
    assert invoice.billed_to == payer
    assert invoice.lines.get().purpose == f"training.registration:{paid.public_id}"
    free = actions.register_for_session(actor=scholar, session=session, scholarship=True)
    assert free.invoice is None
    with pytest.raises(ActionRefused):
        actions.register_for_session(actor=late, session=session, scholarship=True)


def test_a_promoted_person_is_invoiced_when_they_get_the_seat(provider: Any, make_person: Any) -> None:
    session = make_session(make_course(provider, cost_cents=2000), capacity=1)
    first, second = make_person("a@example.org"), make_person("b@example.org")
    seat = actions.register_for_session(actor=first, session=session)
    waiting = actions.register_for_session(actor=second, session=session)
    assert waiting.invoice is None
    actions.cancel_registration(actor=first, registration=seat)
    waiting.refresh_from_db()
    assert waiting.invoice is not None


@pytest.mark.django_db(transaction=True)
def test_two_people_taking_the_last_seat_at_once_get_one_seat(make_association: Any, make_person: Any) -> None:
    association = make_association("riverbend")
    session = make_session(make_course(make_provider(association)), capacity=1)
    a, b = make_person("a@example.org"), make_person("b@example.org")
    result = race(
        lambda: actions.register_for_session(actor=a, session=session),
        lambda: actions.register_for_session(actor=b, session=session),
    )
    assert result.errors == []
    assert sorted(r.status for r in result.results) == ["registered", "waitlisted"]
    assert Registration.objects.filter(session=session, status=RegistrationStatus.REGISTERED).count() == 1
    assert AuditEvent.objects.filter(verb="training.registration.registered").count() == 1


def test_registering_for_a_session_that_is_over_is_refused(provider: Any, make_person: Any) -> None:
    session = make_session(make_course(provider), days=-3)
    with pytest.raises(ActionRefused, match="over"):
        actions.register_for_session(actor=make_person("late@example.org"), session=session)
    assert not Registration.objects.exists()


def test_cancelling_a_session_cancels_every_place_and_tells_everyone(
    provider: Any, make_person: Any, personas: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    session = make_session(make_course(provider), capacity=1, trainer=personas["trainer"])
    for i in range(2):
        actions.register_for_session(actor=make_person(f"p{i}@example.org"), session=session)
    with pytest.raises(ActionRefused):
        actions.cancel_session(actor=personas["reviewer"], session=session)
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.cancel_session(actor=personas["trainer"], session=session) == 2
    assert set(Registration.objects.values_list("status", flat=True)) == {"cancelled"}
    assert sorted(m.to[0] for m in mail.outbox) == ["p0@example.org", "p1@example.org"]
    assert events("training.session.cancelled") == ["training.session.cancelled"]
    with pytest.raises(ActionRefused):
        actions.cancel_session(actor=personas["trainer"], session=session)


def test_cancelling_waives_the_unpaid_fee(provider: Any, make_person: Any) -> None:
    session = make_session(make_course(provider, cost_cents=3000), capacity=3)
    person = make_person("pay@example.org")
    registration = actions.register_for_session(actor=person, session=session)
    actions.cancel_registration(actor=person, registration=registration)
    assert registration.invoice is not None
    invoice = Invoice.objects.get(pk=registration.invoice.pk)
    assert invoice.status == "waived"
