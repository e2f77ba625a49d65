from django.contrib import admin

from attunement.audit.admin import AuditedAdmin
from attunement.competencies.models import Area, Domain, Framework


class AreaInline(admin.TabularInline[Area, Domain]):
    model = Area
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(AuditedAdmin):
    list_display = ["name", "key", "association", "licensed"]


@admin.register(Domain)
class DomainAdmin(AuditedAdmin):
    list_display = ["name", "slug", "framework", "position"]
    list_select_related = ["framework"]
    inlines = [AreaInline]
