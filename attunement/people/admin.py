from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from attunement.audit.admin import AuditedAdmin
from attunement.people.models import User


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin[User]):
    ordering = ["email"]
    list_display = ["email", "legal_name", "preferred_name", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "legal_name", "preferred_name"]
    readonly_fields = ["public_id", "date_joined", "last_login"]
    fieldsets = (
        (None, {"fields": ("email", "password", "public_id")}),
        (
            _("Profile"),
            {"fields": ("legal_name", "preferred_name", "pronouns", "languages", "region", "preferred_language")},
        ),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Dates"), {"fields": ("date_joined", "last_login")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
