from typing import Any

from django.contrib import admin

from attunement.associations.models import Association, AssociationPolicy, StaffRole
from attunement.audit.admin import AuditedAdmin


class PolicyInline(admin.StackedInline[AssociationPolicy, Association]):
    model = AssociationPolicy
    can_delete = False


@admin.register(Association)
class AssociationAdmin(AuditedAdmin):
    list_display = ["name", "slug", "short_name", "state", "country", "is_active"]
    list_filter = ["is_active", "country"]
    search_fields = ["name", "slug", "short_name"]
    inlines = [PolicyInline]

    def audit_association(self, obj: Any) -> Any:
        return obj if obj.pk else None


@admin.register(StaffRole)
class StaffRoleAdmin(AuditedAdmin):
    list_display = ["user", "role", "association", "granted_at", "revoked_at"]
    list_filter = ["role", "association"]
    search_fields = ["user__email", "association__name"]
    # select_related: the list shows each role's person and association.
    list_select_related = ["user", "association"]
    raw_id_fields = ["user", "granted_by", "revoked_by"]
    readonly_fields = ["public_id"]
