from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from attunement.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """Read-only: events can be looked at, never added, changed or deleted here."""

    list_display = ["occurred_at", "verb", "actor_label", "association", "target_label", "request_id"]
    list_filter = ["verb", "association"]
    search_fields = ["verb", "actor_label", "target_label", "target_id", "request_id"]
    date_hierarchy = "occurred_at"
    list_select_related = ["association"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin[Any]):
    """Admin changes leave an audit event like every other write."""

    def audit_association(self, obj: Any) -> Any:
        return getattr(obj, "association", None)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        from attunement.audit.actions import record

        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record(
                actor=request.user,  # type: ignore[arg-type]
                verb=f"admin.{obj._meta.label_lower}.{'changed' if change else 'created'}",
                association=self.audit_association(obj),
                target=obj,
                data={"fields": sorted(form.changed_data)},
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        from attunement.audit.actions import record

        with transaction.atomic():
            record(
                actor=request.user,  # type: ignore[arg-type]
                verb=f"admin.{obj._meta.label_lower}.deleted",
                association=self.audit_association(obj),
                target=obj,
            )
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            self.delete_model(request, obj)
