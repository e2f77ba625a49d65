from django.contrib import admin

from attunement.audit.admin import AuditedAdmin
from attunement.endorsement.models import ExamWindow, LetterTemplate, ReviewerProfile, RuleSetVersion


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(AuditedAdmin):
    list_display = ["user", "association", "trained", "active", "employer"]
    list_filter = ["association", "trained", "active"]
    raw_id_fields = ["user"]


@admin.register(ExamWindow)
class ExamWindowAdmin(AuditedAdmin):
    list_display = ["name", "association", "opens", "closes"]


@admin.register(LetterTemplate)
class LetterTemplateAdmin(AuditedAdmin):
    list_display = ["outcome", "language", "association", "subject"]


@admin.register(RuleSetVersion)
class RuleSetVersionAdmin(admin.ModelAdmin[RuleSetVersion]):
    """Read-only: rule sets are loaded from files (`attunement rulesets load`)."""

    list_display = ["key", "association", "effective", "name"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
