"""Invoices, payments and the ledger. Money is Decimal, in the association's currency;
a gateway (card) is pluggable and optional: cheques, offline payments and waivers are
recorded by staff with who approved them."""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def invoice_number() -> str:
    return "INV-" + secrets.token_hex(4).upper()


class FeeKind(models.TextChoices):
    REGISTRATION = "registration", _("Registration fee")
    PROCESSING = "processing", _("Processing fee")
    EXAM = "exam", _("Exam fee")
    RENEWAL = "renewal", _("Renewal fee")
    LATE = "late", _("Late fee")
    MEMBERSHIP = "membership", _("Membership")
    OTHER = "other", _("Other")


class Fee(models.Model):
    """What an association charges, per kind and category (empty category: every category)."""

    association = models.ForeignKey("associations.Association", on_delete=models.CASCADE, related_name="fees")
    kind = models.CharField(_("fee"), max_length=20, choices=FeeKind.choices)
    category = models.CharField(_("category"), max_length=10, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=9, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        constraints = [
            models.UniqueConstraint(fields=["association", "kind", "category"], name="fee_per_kind_category"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="fee_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.category} {self.amount}".strip()


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAID = "paid", _("Paid")
    WAIVED = "waived", _("Waived")
    VOID = "void", _("Void")


class Invoice(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("number"), max_length=20, unique=True, default=invoice_number)
    association = models.ForeignKey("associations.Association", on_delete=models.PROTECT, related_name="invoices")
    # The person billed, or an agency contact paying for several people (lines name them).
    billed_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invoices")
    billed_name = models.CharField(_("billed to"), max_length=200, help_text=_("A person or an agency."))
    status = models.CharField(_("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN)
    currency = models.CharField(max_length=3, default="USD")
    issued_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        indexes = [models.Index(fields=["association", "status", "-issued_at"], name="invoice_queue_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines.all()), Decimal("0.00"))

    def paid_amount(self) -> Decimal:
        return self.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField(_("fee"), max_length=20, choices=FeeKind.choices)
    description = models.CharField(_("description"), max_length=300)
    amount = models.DecimalField(_("amount"), max_digits=9, decimal_places=2)
    # What the line pays for, e.g. "endorsement.application:<uuid>", so the purpose can be settled.
    purpose = models.CharField(max_length=100, blank=True, db_index=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"


class PaymentMethod(models.TextChoices):
    CARD = "card", _("Card (online)")
    CHEQUE = "cheque", _("Cheque")
    OFFLINE = "offline", _("Other offline payment")
    WAIVER = "waiver", _("Waiver")
    SCHOLARSHIP = "scholarship", _("Scholarship")


class Payment(models.Model):
    """A ledger entry: money (or a waiver) set against an invoice. Never edited; a refund is
    a negative entry."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("amount"), max_digits=9, decimal_places=2)
    reference = models.CharField(_("reference"), max_length=200, blank=True, help_text=_("Cheque number, gateway id…"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount}"


def idempotency_key() -> str:
    return "att-" + uuid.uuid4().hex


class CardAttemptStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the card processor")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Refused or not made")
    # Charged, but the invoice was settled another way meanwhile: staff refund it.
    REFUND_DUE = "refund_due", _("Charged after the invoice was settled: refund due")


class CardAttempt(models.Model):
    """One card payment, recorded before the gateway is called (the intent, committed), and
    its outcome recorded after, in a transaction of its own. The gateway is called with the
    ``idempotency_key``, so a retry after a crash between the charge and the record finds
    the same charge instead of making a second (``actions.reconcile_card_attempts``)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    idempotency_key = models.CharField(max_length=64, unique=True, default=idempotency_key, editable=False)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="card_attempts")
    gateway = models.CharField(max_length=40)
    amount = models.DecimalField(_("amount"), max_digits=9, decimal_places=2)
    currency = models.CharField(max_length=3)
    status = models.CharField(
        _("status"), max_length=12, choices=CardAttemptStatus.choices, default=CardAttemptStatus.PENDING
    )
    gateway_id = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("card payment attempt")
        verbose_name_plural = _("card payment attempts")
        constraints = [
            # At most one charge under way per invoice: two clicks cannot charge twice.
            models.UniqueConstraint(
                fields=["invoice"], condition=Q(status="pending"), name="one_pending_card_attempt_per_invoice"
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="card_attempt_pending_idx")]

    def __str__(self) -> str:
        return f"{self.invoice_id} {self.amount} {self.status}"
