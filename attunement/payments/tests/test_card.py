"""Card payments (issue 16.3, R13): no gateway call inside a transaction; the intent is
recorded first and the outcome after; a crash between the charge and its record is
reconciled under the idempotency key, never charged twice."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any, ClassVar

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from attunement.audit.models import AuditEvent
from attunement.endorsement.daily import run_daily
from attunement.lib.testing import race
from attunement.payments import actions
from attunement.payments.actions import Line, issue_invoice, pay_by_card
from attunement.payments.gateways import GatewayError
from attunement.payments.models import CardAttempt, CardAttemptStatus, Invoice, InvoiceStatus, Payment, PaymentMethod

pytestmark = pytest.mark.django_db(transaction=True)


class Crash(BaseException):
    """The process dies (after the gateway charged, before the outcome is recorded)."""


class FakeGateway:
    """Honours idempotency keys like a real gateway; notes whether a transaction was open."""

    name = "fake"
    charges: ClassVar[dict[str, str]] = {}
    calls: ClassVar[list[dict[str, Any]]] = []
    behaviour: ClassVar[str] = "ok"  # ok | decline | crash_after_charge | timeout

    def charge(self, *, idempotency_key: str, invoice_number: str, amount: str, currency: str, token: str) -> str:
        self.calls.append({"in_transaction": connection.in_atomic_block, "key": idempotency_key, "amount": amount})
        if self.behaviour == "decline":
            raise GatewayError("Your card was declined.")
        if self.behaviour == "timeout":
            raise TimeoutError("read timed out")
        gateway_id = self.charges.setdefault(idempotency_key, f"ch_{len(self.charges) + 1}")
        if self.behaviour == "crash_after_charge":
            raise Crash
        return gateway_id

    def find_charge(self, *, idempotency_key: str) -> str | None:
        self.calls.append({"in_transaction": connection.in_atomic_block, "find": idempotency_key})
        return self.charges.get(idempotency_key)


@pytest.fixture(autouse=True)
def fake_gateway(settings: Any) -> type[FakeGateway]:
    settings.PAYMENT_GATEWAY = f"{__name__}.FakeGateway"
    FakeGateway.charges, FakeGateway.calls, FakeGateway.behaviour = {}, [], "ok"
    return FakeGateway


@pytest.fixture
def invoice(riverbend: Any, make_person: Any) -> Invoice:
    person = make_person("payer@example.org")
    return issue_invoice(actor=None, association=riverbend, billed_to=person,
                         lines=[Line("renewal", "Renewal fee", Decimal("30.00"), person=person)])  # fmt: skip


def verbs() -> list[str]:
    return list(
        AuditEvent.objects.filter(verb__startswith="payments.card").order_by("id").values_list("verb", flat=True)
    )


def test_the_gateway_is_called_with_no_transaction_open(invoice: Invoice) -> None:
    payment = pay_by_card(actor=invoice.billed_to, invoice=invoice, token="tok")
    assert [call["in_transaction"] for call in FakeGateway.calls] == [False]
    attempt = CardAttempt.objects.get()
    assert (attempt.status, attempt.gateway_id, attempt.payment) == (CardAttemptStatus.SUCCEEDED, "ch_1", payment)
    assert FakeGateway.calls[0]["key"] == attempt.idempotency_key
    assert (payment.method, payment.amount, payment.reference) == (PaymentMethod.CARD, Decimal("30.00"), "ch_1")
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PAID
    assert verbs() == ["payments.card.started"]
    assert AuditEvent.objects.filter(verb="payments.payment.recorded").count() == 1


def test_a_refused_card_leaves_the_attempt_recorded_as_failed(invoice: Invoice) -> None:
    FakeGateway.behaviour = "decline"
    with pytest.raises(ValidationError) as refused:
        pay_by_card(actor=invoice.billed_to, invoice=invoice, token="tok")
    assert refused.value.message_dict == {"token": ["Your card was declined."]}
    attempt = CardAttempt.objects.get()
    assert (attempt.status, attempt.error) == (CardAttemptStatus.FAILED, "Your card was declined.")
    assert not Payment.objects.exists()
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.OPEN
    assert verbs() == ["payments.card.started", "payments.card.failed"]
    FakeGateway.behaviour = "ok"  # another card: a new attempt, paid
    pay_by_card(actor=invoice.billed_to, invoice=invoice, token="tok2")
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PAID


def age(attempt: CardAttempt) -> None:
    CardAttempt.objects.filter(pk=attempt.pk).update(created_at=timezone.now() - actions.STALE_ATTEMPT - timedelta(1))


def test_a_crash_after_the_charge_is_reconciled_and_never_charged_twice(invoice: Invoice) -> None:
    FakeGateway.behaviour = "crash_after_charge"
    with pytest.raises(Crash):
        pay_by_card(actor=invoice.billed_to, invoice=invoice, token="tok")
    attempt = CardAttempt.objects.get()
    assert attempt.status == CardAttemptStatus.PENDING  # the intent survived the crash
    assert len(FakeGateway.charges) == 1
    assert not Payment.objects.exists()
    FakeGateway.behaviour = "ok"
    # Paying again at once is refused: the first charge may have gone through.
    with pytest.raises(ValidationError, match="already under way"):
        pay_by_card(actor=invoice.billed_to, invoice=invoice, token="tok")
    # The daily job looks the attempt up under its key and records the charge it finds.
    age(attempt)
    assert run_daily().failures == {}
    attempt.refresh_from_db()
    assert (attempt.status, attempt.gateway_id) == (CardAttemptStatus.SUCCEEDED, "ch_1")
    assert Payment.objects.get().reference == "ch_1"
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PAID
    with pytest.raises(ValidationError, match="already settled"):
        pay_by_card(actor=invoice.billed_to, invoice=invoice, token="tok")
    assert len(FakeGateway.charges) == 1
    assert not any(call["in_transaction"] for call in FakeGateway.calls)


def test_a_retry_after_a_crash_settles_the_old_attempt_before_charging(invoice: Invoice) -> None:
    FakeGateway.behaviour = "crash_after_charge"
    with pytest.raises(Crash):
        pay_by_card(actor=invoice.billed_to, invoice=invoice, token="tok")
    age(CardAttempt.objects.get())
    FakeGateway.behaviour = "ok"
    with pytest.raises(ValidationError, match="already settled"):
        pay_by_card(actor=invoice.billed_to, invoice=invoice, token="tok")
    assert len(FakeGateway.charges) == 1
    assert Payment.objects.count() == 1


def test_no_answer_from_the_gateway_stays_pending_and_no_charge_means_failed(invoice: Invoice) -> None:
    FakeGateway.behaviour = "timeout"
    with pytest.raises(ValidationError, match="will not be charged twice"):
        pay_by_card(actor=invoice.billed_to, invoice=invoice, token="tok")
    attempt = CardAttempt.objects.get()
    assert attempt.status == CardAttemptStatus.PENDING
    assert actions.reconcile_card_attempts() == 0  # too recent: its call may still be answered
    age(attempt)
    assert actions.reconcile_card_attempts() == 1
    attempt.refresh_from_db()
    assert attempt.status == CardAttemptStatus.FAILED
    assert verbs() == ["payments.card.started", "payments.card.failed"]


def test_a_charge_after_the_invoice_was_settled_is_marked_for_refund(
    invoice: Invoice, personas: dict[str, Any]
) -> None:
    FakeGateway.behaviour = "crash_after_charge"
    with pytest.raises(Crash):
        pay_by_card(actor=invoice.billed_to, invoice=invoice, token="tok")
    actions.record_payment(actor=personas["coordinator"], invoice=invoice, method="cheque",
                           amount=Decimal("30.00"), reference="12")  # fmt: skip
    age(CardAttempt.objects.get())
    assert actions.reconcile_card_attempts() == 1
    attempt = CardAttempt.objects.get()
    assert (attempt.status, attempt.gateway_id) == (CardAttemptStatus.REFUND_DUE, "ch_1")
    assert list(Payment.objects.values_list("method", flat=True)) == ["cheque"]
    assert verbs() == ["payments.card.started", "payments.card.refund_due"]


def test_two_payments_of_one_invoice_at_once_charge_once(invoice: Invoice) -> None:
    payer = invoice.billed_to
    outcome = race(lambda: pay_by_card(actor=payer, invoice=invoice, token="a"),
                   lambda: pay_by_card(actor=payer, invoice=invoice, token="b"))  # fmt: skip
    assert len(outcome.results) == 1
    assert [type(e) for e in outcome.errors] == [ValidationError]
    assert len(FakeGateway.charges) == 1
    assert Payment.objects.count() == 1
    assert CardAttempt.objects.count() == 1
    assert Invoice.objects.get(pk=invoice.pk).status == InvoiceStatus.PAID
    assert verbs() == ["payments.card.started"]
