from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from attunement.credentials.models import SigningKey


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin[SigningKey]):
    """Read-only keys; the one action makes a new current key for the chosen keys' associations."""

    list_display = ["kid", "association", "created_at", "retired_at"]
    list_filter = ["association"]
    list_select_related = ["association"]
    fields = ("kid", "association", "public_jwk", "created_at", "retired_at")
    readonly_fields = fields
    actions = ["rotate"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_rotate_permission(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_superuser", False))

    @admin.action(description=_("Rotate: make a new current key for these keys' associations"), permissions=["rotate"])
    def rotate(self, request: HttpRequest, queryset: QuerySet[SigningKey]) -> None:
        from attunement.credentials.actions import rotate_signing_key

        associations = {key.association_id: key.association for key in queryset}
        for association in associations.values():
            rotate_signing_key(actor=request.user, association=association)  # type: ignore[arg-type]
        count = len(associations)
        self.message_user(
            request,
            ngettext("%(count)d association has a new key.", "%(count)d associations have a new key.", count)
            % {"count": count},
            messages.SUCCESS,
        )
