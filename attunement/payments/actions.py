from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attunement.associations.models import Association
from attunement.audit.actions import record
from attunement.payments import settlement
from attunement.payments.gateways import Gateway, GatewayError, gateway
from attunement.payments.models import (
    CardAttempt,
    CardAttemptStatus,
    Fee,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    PaymentMethod,
)
from attunement.people.models import User

CENT = Decimal("0.01")


@dataclass
class Line:
    kind: str
    description: str
    amount: Decimal
    purpose: str = ""
    person: User | None = None


def fee_for(association: Association, kind: str, category: str = "") -> Decimal:
    """The association's fee of ``kind`` for ``category`` (a category's own fee, else the
    general one, else nothing to pay)."""
    fees = {
        f.category: f.amount
        for f in Fee.objects.filter(association=association, kind=kind, category__in=[category, ""])
    }
    return fees.get(category, fees.get("", Decimal("0.00")))


@transaction.atomic
def issue_invoice(
    *, actor: User | None, association: Association, billed_to: User, lines: Iterable[Line], billed_name: str = ""
) -> Invoice:
    """An invoice; one whose total is zero is settled at once (nothing to pay)."""
    invoice = Invoice.objects.create(
        association=association, billed_to=billed_to, billed_name=billed_name or billed_to.display_name
    )
    for line in lines:
        if line.amount < 0:
            raise ValidationError({"amount": _("An amount cannot be negative.")})
        InvoiceLine.objects.create(
            invoice=invoice,
            kind=line.kind,
            description=line.description,
            amount=line.amount.quantize(CENT),
            purpose=line.purpose,
            person=line.person,
        )
    record(
        actor=actor,
        verb="payments.invoice.issued",
        association=association,
        target=invoice,
        data={"number": invoice.number, "total": str(invoice.total)},
    )
    if invoice.total == 0:
        _settle(invoice, InvoiceStatus.PAID, actor)
    return invoice


def _settle(invoice: Invoice, status: str, actor: User | None) -> None:
    Invoice.objects.filter(pk=invoice.pk).update(status=status, settled_at=timezone.now())
    invoice.status = status
    record(actor=actor, verb=f"payments.invoice.{status}", association=invoice.association, target=invoice)
    for line in invoice.lines.all():
        settlement.settle(line, actor)


@transaction.atomic
def record_payment(
    *, actor: User | None, invoice: Invoice, method: str, amount: Decimal, reference: str = "", reason: str = ""
) -> Payment:
    """Set money (or a waiver) against an open invoice. A waiver or scholarship needs a reason
    and is approved by the staff member who records it. Settles the invoice when covered."""
    invoice = Invoice.objects.select_for_update(of=("self",)).select_related("association").get(pk=invoice.pk)
    if invoice.status != InvoiceStatus.OPEN:
        raise ValidationError({"amount": _("This invoice is already settled.")})
    if (
        reference.strip()
        and Payment.objects.filter(invoice=invoice, method=method, reference=reference.strip()).exists()
    ):
        # The same cheque (or gateway payment) recorded twice is one payment.
        raise ValidationError({"reference": _("This payment is already recorded.")})
    method = PaymentMethod(method)
    if method in {PaymentMethod.WAIVER, PaymentMethod.SCHOLARSHIP} and not reason.strip():
        raise ValidationError({"reason": _("Say why the fee is waived.")})
    amount = amount.quantize(CENT)
    outstanding = invoice.total - invoice.paid_amount()
    if amount <= 0 or amount > outstanding:
        raise ValidationError({"amount": _("Enter an amount between 0.01 and %(max)s.") % {"max": outstanding}})
    payment = Payment.objects.create(
        invoice=invoice, method=method, amount=amount, reference=reference, reason=reason, recorded_by=actor
    )
    record(
        actor=actor,
        verb="payments.payment.recorded",
        association=invoice.association,
        target=invoice,
        data={"method": method.value, "amount": str(amount), "reason": reason},
    )
    if invoice.paid_amount() >= invoice.total:
        waived = all(p.method in {PaymentMethod.WAIVER, PaymentMethod.SCHOLARSHIP} for p in invoice.payments.all())
        _settle(invoice, InvoiceStatus.WAIVED if waived else InvoiceStatus.PAID, actor)
    return payment


# --- Card payments: intent, call, outcome (R13) ------------------------------------------------

# A pending attempt older than this is checked with the gateway (its call has long timed out).
STALE_ATTEMPT = timedelta(minutes=10)
logger = logging.getLogger(__name__)


def pay_by_card(*, actor: User, invoice: Invoice, token: str) -> Payment:
    """Pay what is outstanding by card, in three steps with no transaction open during the
    gateway call: (1) record the attempt and commit, (2) call the gateway with the attempt's
    idempotency key, (3) record the outcome in a transaction of its own. Must not be called
    inside ``transaction.atomic``. Raises ValidationError (field ``token``) for the person."""
    card = gateway()
    if card is None:
        raise ValidationError({"token": _("Card payment is not set up here; pay by cheque or ask the association.")})
    # A crashed earlier attempt on this invoice is settled first, so it is never charged twice.
    for stale in CardAttempt.objects.filter(
        invoice=invoice, status=CardAttemptStatus.PENDING, created_at__lt=timezone.now() - STALE_ATTEMPT
    ):
        _reconcile(card, stale)
    attempt = start_card_attempt(actor=actor, invoice=invoice, gateway_name=card.name)
    try:
        gateway_id = card.charge(
            idempotency_key=attempt.idempotency_key,
            invoice_number=invoice.number,
            amount=str(attempt.amount),
            currency=attempt.currency,
            token=token,
        )
    except GatewayError as exc:
        fail_card_attempt(actor=actor, attempt=attempt, error=str(exc))
        raise ValidationError({"token": str(exc)}) from None
    except Exception:
        # The outcome is unknown (a timeout, a dropped connection): the attempt stays pending
        # and is checked with the gateway later under its idempotency key.
        logger.exception("card payment %s: no answer from the gateway", attempt.public_id)
        raise ValidationError(
            {
                "token": _(
                    "The card processor did not answer. The payment will be checked; you will not be charged twice."
                )
            }
        ) from None
    payment = complete_card_attempt(actor=actor, attempt=attempt, gateway_id=gateway_id)
    if payment is None:
        raise ValidationError(
            {
                "token": _(
                    "This invoice was settled while your card was charged; the association will refund the charge."
                )
            }
        )
    return payment


@transaction.atomic
def start_card_attempt(*, actor: User | None, invoice: Invoice, gateway_name: str) -> CardAttempt:
    """Step 1: the intent. The invoice is locked, so of two payments started at once one
    records its attempt and the other is told a payment is under way."""
    invoice = Invoice.objects.select_for_update(of=("self",)).select_related("association").get(pk=invoice.pk)
    if invoice.status != InvoiceStatus.OPEN:
        raise ValidationError({"token": _("This invoice is already settled.")})
    if CardAttempt.objects.filter(invoice=invoice, status=CardAttemptStatus.PENDING).exists():
        raise ValidationError({"token": _("A card payment for this invoice is already under way.")})
    outstanding = invoice.total - invoice.paid_amount()
    if outstanding <= 0:
        raise ValidationError({"token": _("Nothing is left to pay on this invoice.")})
    attempt = CardAttempt.objects.create(
        invoice=invoice, gateway=gateway_name, amount=outstanding, currency=invoice.currency, created_by=actor
    )
    record(actor=actor, verb="payments.card.started", association=invoice.association, target=invoice,
           data={"attempt": str(attempt.public_id), "amount": str(outstanding), "gateway": gateway_name})  # fmt: skip
    return attempt


@transaction.atomic
def fail_card_attempt(*, actor: User | None, attempt: CardAttempt, error: str) -> None:
    """Step 3, refused: the attempt is kept, marked failed with the gateway's reason."""
    if not CardAttempt.objects.filter(pk=attempt.pk, status=CardAttemptStatus.PENDING).update(
        status=CardAttemptStatus.FAILED, error=error[:500], completed_at=timezone.now()
    ):
        return  # already recorded (by a reconciliation)
    invoice = Invoice.objects.select_related("association").get(pk=attempt.invoice_id)
    record(actor=actor, verb="payments.card.failed", association=invoice.association, target=invoice,
           data={"attempt": str(attempt.public_id), "error": error[:500]})  # fmt: skip


@transaction.atomic
def complete_card_attempt(*, actor: User | None, attempt: CardAttempt, gateway_id: str) -> Payment | None:
    """Step 3, charged: the payment goes on the ledger once (the attempt row is locked and
    must still be pending; a second record of the same charge returns the first payment).
    None when the invoice was settled another way meanwhile: the charge is marked for refund."""
    locked = CardAttempt.objects.select_for_update().get(pk=attempt.pk)
    if locked.status == CardAttemptStatus.SUCCEEDED and locked.payment_id is not None:
        return Payment.objects.get(pk=locked.payment_id)
    if locked.status != CardAttemptStatus.PENDING:
        raise ValidationError({"token": _("This card payment was already recorded.")})
    invoice = Invoice.objects.select_related("association").get(pk=locked.invoice_id)
    try:
        with transaction.atomic():
            payment = record_payment(
                actor=actor, invoice=invoice, method=PaymentMethod.CARD, amount=locked.amount, reference=gateway_id
            )
    except ValidationError:
        # Settled another way while the card was charged: the money is for staff to refund.
        CardAttempt.objects.filter(pk=locked.pk).update(
            status=CardAttemptStatus.REFUND_DUE, gateway_id=gateway_id, completed_at=timezone.now(),
            error="charged after the invoice was settled",
        )  # fmt: skip
        record(actor=actor, verb="payments.card.refund_due", association=invoice.association, target=invoice,
               data={"attempt": str(locked.public_id), "gateway_id": gateway_id, "amount": str(locked.amount)})  # fmt: skip
        return None  # the caller tells the person (raising here would undo this record)
    CardAttempt.objects.filter(pk=locked.pk).update(
        status=CardAttemptStatus.SUCCEEDED, gateway_id=gateway_id, payment=payment, completed_at=timezone.now()
    )
    return payment


def _reconcile(card: Gateway, attempt: CardAttempt) -> str:
    """Ask the gateway what became of a pending attempt; record it. Returns the new status."""
    if attempt.gateway != card.name:
        return CardAttemptStatus.PENDING
    gateway_id = card.find_charge(idempotency_key=attempt.idempotency_key)
    if gateway_id is None:
        fail_card_attempt(actor=None, attempt=attempt, error="no charge was made (checked with the gateway)")
        return CardAttemptStatus.FAILED
    try:
        payment = complete_card_attempt(actor=None, attempt=attempt, gateway_id=gateway_id)
    except ValidationError:  # recorded meanwhile by another process
        return CardAttemptStatus.SUCCEEDED
    return CardAttemptStatus.SUCCEEDED if payment is not None else CardAttemptStatus.REFUND_DUE


def reconcile_card_attempts(*, association: Association | None = None, older_than: timedelta = STALE_ATTEMPT) -> int:
    """Settle the attempts left pending by a crash or a timeout (the daily job runs this):
    each is looked up at the gateway by its idempotency key, never charged again. Returns
    how many were settled. No transaction is open while the gateway is asked."""
    card = gateway()
    if card is None:
        return 0
    pending = CardAttempt.objects.filter(
        status=CardAttemptStatus.PENDING, created_at__lt=timezone.now() - older_than
    ).order_by("pk")
    if association is not None:
        pending = pending.filter(invoice__association=association)
    settled = 0
    for attempt in pending:
        settled += _reconcile(card, attempt) != CardAttemptStatus.PENDING
    return settled


@transaction.atomic
def combine_for_agency(
    *, actor: User, association: Association, invoices: list[Invoice], contact: User, agency: str
) -> Invoice:
    """One agency invoice covering several people's open invoices (theirs become void)."""
    locked = list(Invoice.objects.select_for_update().filter(pk__in=[i.pk for i in invoices], association=association))
    if len(locked) != len(invoices) or any(i.status != InvoiceStatus.OPEN or i.payments.exists() for i in locked):
        raise ValidationError({"invoices": _("Only open, unpaid invoices of this association can be combined.")})
    lines = [
        Line(
            line.kind,
            f"{line.description} — {line.person or i.billed_name}",
            line.amount,
            line.purpose,
            line.person or i.billed_to,
        )
        for i in locked
        for line in i.lines.all()
    ]
    Invoice.objects.filter(pk__in=[i.pk for i in locked]).update(status=InvoiceStatus.VOID, settled_at=timezone.now())
    combined = issue_invoice(actor=actor, association=association, billed_to=contact, lines=lines, billed_name=agency)
    record(
        actor=actor,
        verb="payments.invoice.combined",
        association=association,
        target=combined,
        data={"replaces": [i.number for i in locked]},
    )
    return combined


@transaction.atomic
def set_fee(*, actor: User, association: Association, kind: str, category: str, amount: Decimal | None) -> None:
    """Set (or, with no amount, remove) what the association charges for ``kind`` and ``category``."""
    before = (
        Fee.objects.filter(association=association, kind=kind, category=category)
        .values_list("amount", flat=True)
        .first()
    )
    if amount is None:
        Fee.objects.filter(association=association, kind=kind, category=category).delete()
    else:
        if amount < 0:
            raise ValidationError({"amount": _("An amount cannot be negative.")})
        Fee.objects.update_or_create(
            association=association, kind=kind, category=category, defaults={"amount": amount.quantize(CENT)}
        )
    record(actor=actor, verb="payments.fee.set", association=association, target=association,
           data={"kind": kind, "category": category, "before": str(before) if before is not None else None,
                 "after": str(amount) if amount is not None else None})  # fmt: skip
