from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from attunement.mail import actions
from attunement.mail.models import OutgoingMail


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin[OutgoingMail]):
    """What was sent, what waits and what gave up (with the error); "send again" re-queues."""

    list_display = ["created_at", "subject", "recipient_list", "purpose", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "purpose"]
    search_fields = ["subject", "about", "message_id", "recipients"]
    readonly_fields = [f.name for f in OutgoingMail._meta.fields]
    actions = ["send_again"]
    date_hierarchy = "created_at"

    @admin.display(description=_("recipients"))
    def recipient_list(self, mail: OutgoingMail) -> str:
        return ", ".join(mail.recipients)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: OutgoingMail | None = None) -> bool:
        return False

    @admin.action(description=_("Send again"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutgoingMail]) -> None:
        count = actions.send_again(actor=request.user, mails=list(queryset))  # type: ignore[arg-type]
        self.message_user(
            request,
            ngettext("%(count)s message queued again.", "%(count)s messages queued again.", count) % {"count": count},
            messages.SUCCESS,
        )
