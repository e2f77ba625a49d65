from django.contrib import admin

from attunement.audit.admin import AuditedAdmin
from attunement.membership.models import MembershipType, Term


@admin.register(Term)
class TermAdmin(AuditedAdmin):
    list_display = ["person", "association", "valid_from", "valid_through", "source"]
    list_filter = ["association"]
    search_fields = ["person__email"]
    list_select_related = ["person", "association"]
    raw_id_fields = ["person"]


@admin.register(MembershipType)
class MembershipTypeAdmin(AuditedAdmin):
    list_display = ["name", "association", "kind", "price", "counts_for_endorsement", "active"]
    list_filter = ["association", "kind", "active"]
