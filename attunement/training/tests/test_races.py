"""The training hub's decisions hold under concurrency (issue 16.1): finalising, the last
seat and the waitlist, a cancellation while the fee is paid.

Each test starts the actions together with ``at_once`` (``race()`` plus a second barrier once
every thread has loaded what it acts on) and asserts the final state, the rows and the audit
trail. Races whose outcome depends on who comes first run several trials."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from attunement.audit.models import AuditEvent
from attunement.endorsement.tests.test_races import Go, at_once, no_lock_errors, trail
from attunement.lib.errors import ActionRefused
from attunement.payments.actions import record_payment
from attunement.payments.models import Invoice, InvoiceStatus, Payment
from attunement.portfolios.models import Training
from attunement.training import actions
from attunement.training.models import Registration, RegistrationStatus, Session
from attunement.training.tests.fixtures import make_course, make_provider, make_session

pytestmark = pytest.mark.django_db(transaction=True)

TRIALS = 5
REGISTERED, WAITLISTED, CANCELLED = (
    RegistrationStatus.REGISTERED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.CANCELLED,
)


def statuses(session: Session) -> dict[str, str]:
    """Each person's registration status (their latest registration), by e-mail."""
    return dict(Registration.objects.filter(session=session).order_by("id").values_list("person__email", "status"))


def cancelling(person: Any, registration: Registration) -> Callable[[Go], Registration | None]:
    def run(go: Go) -> Registration | None:
        loaded = Registration.objects.select_related("session").get(pk=registration.pk)
        go()
        return actions.cancel_registration(actor=person, registration=loaded)

    return run


def registering(person: Any, session: Session) -> Callable[[Go], Registration]:
    def run(go: Go) -> Registration:
        loaded = Session.objects.get(pk=session.pk)
        go()
        return actions.register_for_session(actor=person, session=loaded)

    return run


def invoices_of(registration: Registration) -> int:
    return Invoice.objects.filter(lines__purpose=f"training.registration:{registration.public_id}").count()


@pytest.fixture
def provider(riverbend: Any, personas: dict[str, Any]) -> Any:
    return make_provider(riverbend, personas["trainer"])


# --- Finalising -------------------------------------------------------------------------------


def test_finalising_a_session_twice_at_once_credits_the_hours_once(
    provider: Any, personas: dict[str, Any], applicant_portfolio: Any
) -> None:
    trainer, coordinator = personas["trainer"], personas["coordinator"]
    session = make_session(make_course(provider), parts=2, days=-10, trainer=trainer)
    seat = Registration.objects.create(session=session, person=personas["applicant"], status=REGISTERED)
    actions.mark_attendance(
        actor=trainer, session=session, present=[(str(seat.public_id), 1), (str(seat.public_id), 2)]
    )

    def finalise(actor: Any) -> Callable[[Go], actions.Finalised]:
        def run(go: Go) -> actions.Finalised:
            loaded = Session.objects.get(pk=session.pk)
            go()
            return actions.finalise_session(actor=actor, session=loaded)

        return run

    outcome = at_once(finalise(trainer), finalise(coordinator))
    no_lock_errors(outcome)
    [done] = outcome.results
    assert (done.credited, done.hours) == (1, Decimal(6))
    [refusal] = outcome.errors
    assert isinstance(refusal, ActionRefused)
    assert "finalised" in str(refusal)
    [entry] = Training.objects.filter(portfolio=applicant_portfolio)
    assert entry.hours == Decimal(6)
    seat.refresh_from_db()
    assert (seat.credited_hours, seat.training_entry_id) == (Decimal(6), entry.pk)
    session.refresh_from_db()
    assert session.finalised_at is not None
    assert trail(session)["training.session.finalised"] == 1


def test_attendance_marked_while_the_session_is_finalised_is_kept_or_refused(
    provider: Any, personas: dict[str, Any], applicant_portfolio: Any
) -> None:
    """Finalising credits exactly the attendance it saw: a change that comes after it is refused."""
    trainer, coordinator = personas["trainer"], personas["coordinator"]
    for _trial in range(TRIALS):
        session = make_session(make_course(provider), parts=2, days=-10, trainer=trainer)
        seat = Registration.objects.create(session=session, person=personas["applicant"], status=REGISTERED)
        both = [(str(seat.public_id), 1), (str(seat.public_id), 2)]
        actions.mark_attendance(actor=trainer, session=session, present=both)

        def finalise(go: Go, session: Session = session) -> actions.Finalised:
            loaded = Session.objects.get(pk=session.pk)
            go()
            return actions.finalise_session(actor=coordinator, session=loaded)

        def unmark(go: Go, session: Session = session, seat: Registration = seat) -> int:
            loaded = Session.objects.get(pk=session.pk)
            go()
            return actions.mark_attendance(actor=trainer, session=loaded, present=[(str(seat.public_id), 1)])

        outcome = at_once(finalise, unmark)
        no_lock_errors(outcome)
        seat.refresh_from_db()
        assert seat.training_entry_id is not None
        entry = Training.objects.get(pk=seat.training_entry_id)
        assert entry.hours == seat.credited_hours
        events = trail(session)
        assert events["training.session.finalised"] == 1
        if outcome.errors:  # finalised first: the change is refused, both parts are credited
            [refusal] = outcome.errors
            assert isinstance(refusal, ActionRefused)
            assert (entry.hours, events["training.attendance.marked"]) == (Decimal(6), 1)
        else:  # marked first: finalising credits the one part left
            assert (entry.hours, events["training.attendance.marked"]) == (Decimal(3), 2)
        Training.objects.filter(pk=entry.pk).delete()


# --- The last seat and the waitlist -----------------------------------------------------------


def test_a_cancellation_while_someone_registers_for_the_full_session_gives_them_the_seat_once(
    provider: Any, make_person: Any
) -> None:
    for trial in range(TRIALS):
        session = make_session(make_course(provider, cost_cents=2000), capacity=1)
        holder, newcomer = make_person(f"holder{trial}@example.org"), make_person(f"new{trial}@example.org")
        seat = actions.register_for_session(actor=holder, session=session)
        outcome = at_once(cancelling(holder, seat), registering(newcomer, session))
        assert outcome.errors == []
        assert statuses(session) == {holder.email: CANCELLED, newcomer.email: REGISTERED}
        taken = Registration.objects.get(session=session, person=newcomer)
        assert invoices_of(taken) == 1
        events = trail(session)
        assert events["training.registration.cancelled"] == 1
        # Registered straight away (the seat was free) or waitlisted and promoted by the cancellation.
        assert events["training.registration.registered"] + events["training.registration.waitlisted"] == 2
        cancelled = AuditEvent.objects.get(target_id=str(session.public_id), verb="training.registration.cancelled")
        if events["training.registration.waitlisted"]:
            assert cancelled.data["promoted"] == str(taken.public_id)
        else:
            assert cancelled.data["promoted"] is None


def test_two_cancellations_at_once_promote_two_waiting_people_in_order_once_each(
    provider: Any, make_person: Any
) -> None:
    for trial in range(TRIALS):
        session = make_session(make_course(provider, cost_cents=2000), capacity=2)
        people = [make_person(f"p{trial}-{i}@example.org") for i in range(5)]
        seats = [actions.register_for_session(actor=p, session=session) for p in people]
        assert [s.status for s in seats] == [REGISTERED, REGISTERED, WAITLISTED, WAITLISTED, WAITLISTED]
        outcome = at_once(cancelling(people[0], seats[0]), cancelling(people[1], seats[1]))
        assert outcome.errors == []
        promoted = {r.pk for r in outcome.results if r is not None}
        assert promoted == {seats[2].pk, seats[3].pk}
        assert list(statuses(session).values()) == [CANCELLED, CANCELLED, REGISTERED, REGISTERED, WAITLISTED]
        assert [invoices_of(s) for s in seats[2:]] == [1, 1, 0]
        cancelled = AuditEvent.objects.filter(target_id=str(session.public_id), verb="training.registration.cancelled")
        assert Counter(e.data["promoted"] for e in cancelled) == {
            str(seats[2].public_id): 1,
            str(seats[3].public_id): 1,
        }


def test_the_seat_holder_and_the_first_waiting_person_cancelling_at_once_leave_the_seat_to_the_next(
    provider: Any, make_person: Any
) -> None:
    for trial in range(TRIALS):
        session = make_session(make_course(provider, cost_cents=2000), capacity=1)
        holder, first, second = (make_person(f"{n}{trial}@example.org") for n in ("holder", "first", "second"))
        seat, waiting, next_in_line = (
            actions.register_for_session(actor=p, session=session) for p in (holder, first, second)
        )
        outcome = at_once(cancelling(holder, seat), cancelling(first, waiting))
        assert outcome.errors == []
        assert statuses(session) == {holder.email: CANCELLED, first.email: CANCELLED, second.email: REGISTERED}
        assert invoices_of(next_in_line) == 1
        # The first person's fee, if the seat reached them before they cancelled, is waived.
        assert not Invoice.objects.filter(
            lines__purpose=f"training.registration:{waiting.public_id}", status=InvoiceStatus.OPEN
        ).exists()
        cancelled = AuditEvent.objects.filter(target_id=str(session.public_id), verb="training.registration.cancelled")
        assert len(cancelled) == 2
        assert [e.data["promoted"] for e in cancelled].count(str(next_in_line.public_id)) == 1


# --- Cancelling while the fee is paid ---------------------------------------------------------


def test_a_cancellation_while_the_fee_is_paid_cancels_and_keeps_the_ledger_straight(
    provider: Any, make_person: Any, personas: dict[str, Any]
) -> None:
    coordinator = personas["coordinator"]
    for trial in range(TRIALS):
        session = make_session(make_course(provider, cost_cents=2000), capacity=3)
        person = make_person(f"payer{trial}@example.org")
        seat = actions.register_for_session(actor=person, session=session)
        assert seat.invoice is not None
        invoice = seat.invoice

        def pay(go: Go, invoice: Invoice = invoice, trial: int = trial) -> Payment:
            loaded = Invoice.objects.get(pk=invoice.pk)
            go()
            return record_payment(actor=coordinator, invoice=loaded, method="cheque", amount=Decimal("20.00"),
                                  reference=f"chq-{trial}")  # fmt: skip

        outcome = at_once(cancelling(person, seat), pay)
        no_lock_errors(outcome)
        seat.refresh_from_db()
        assert seat.status == CANCELLED  # the cancellation always goes through
        invoice.refresh_from_db()
        payments = Counter(Payment.objects.filter(invoice=invoice).values_list("method", flat=True))
        events = Counter(AuditEvent.objects.filter(target_id=str(invoice.public_id)).values_list("verb", flat=True))
        if invoice.status == InvoiceStatus.PAID:  # paid first: kept for staff to refund
            assert outcome.errors == []
            assert payments == {"cheque": 1}
            assert events["payments.invoice.paid"] == 1
        else:  # cancelled first: the fee was waived and the cheque is refused
            assert invoice.status == InvoiceStatus.WAIVED
            assert payments == {"waiver": 1}
            [refusal] = outcome.errors
            assert "already settled" in str(refusal)
            assert events["payments.invoice.waived"] == 1
        assert events["payments.payment.recorded"] == 1
        assert trail(session)["training.registration.cancelled"] == 1
