from django.contrib import admin

from attunement.audit.admin import AuditedAdmin
from attunement.payments.models import CardAttempt, Fee, Invoice


@admin.register(Fee)
class FeeAdmin(AuditedAdmin):
    list_display = ["association", "kind", "category", "amount"]
    list_filter = ["association", "kind"]


@admin.register(Invoice)
class InvoiceAdmin(AuditedAdmin):
    list_display = ["number", "association", "billed_name", "status", "issued_at"]
    list_filter = ["association", "status"]
    search_fields = ["number", "billed_name", "billed_to__email"]
    list_select_related = ["association"]
    readonly_fields = [
        "number",
        "association",
        "billed_to",
        "billed_name",
        "status",
        "currency",
        "issued_at",
        "settled_at",
    ]

    def has_add_permission(self, request: object) -> bool:
        return False  # invoices come from actions, with their audit events


@admin.register(CardAttempt)
class CardAttemptAdmin(AuditedAdmin):
    list_display = ["invoice", "amount", "status", "gateway", "created_at", "completed_at"]
    list_filter = ["status", "gateway"]
    search_fields = ["invoice__number", "gateway_id", "idempotency_key"]
    list_select_related = ["invoice"]
    readonly_fields = [
        "invoice", "idempotency_key", "gateway", "amount", "currency", "status", "gateway_id", "error",
        "payment", "created_by", "created_at", "completed_at",
    ]  # fmt: skip

    def has_add_permission(self, request: object) -> bool:
        return False  # attempts come from pay_by_card, with their audit events
