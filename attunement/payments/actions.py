from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attunement.associations.models import Association
from attunement.audit.actions import record
from attunement.payments import settlement
from attunement.payments.gateways import GatewayError, gateway
from attunement.payments.models import Fee, Invoice, InvoiceLine, InvoiceStatus, Payment, PaymentMethod
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


@transaction.atomic
def pay_by_card(*, actor: User, invoice: Invoice, token: str) -> Payment:
    card = gateway()
    if card is None:
        raise ValidationError({"token": _("Card payment is not set up here; pay by cheque or ask the association.")})
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    outstanding = invoice.total - invoice.paid_amount()
    try:
        gateway_id = card.charge(
            invoice_number=invoice.number, amount=str(outstanding), currency=invoice.currency, token=token
        )
    except GatewayError as exc:
        raise ValidationError({"token": str(exc)}) from None
    return record_payment(
        actor=actor, invoice=invoice, method=PaymentMethod.CARD, amount=outstanding, reference=gateway_id
    )


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
