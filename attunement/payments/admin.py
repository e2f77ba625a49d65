from django.contrib import admin

from attunement.audit.admin import AuditedAdmin
from attunement.payments.models import Fee, Invoice


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
