from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from attunement.mail import actions
from attunement.mail.models import MailEvent, MailOptOut, OutgoingMail, SuppressedAddress


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin[OutgoingMail]):
    """What was sent, what waits and what gave up (with the error); "send again" re-queues."""

    list_display = ["created_at", "subject", "recipient_list", "purpose", "status", "delivery", "attempts"]
    list_filter = ["status", "delivery", "purpose"]
    search_fields = ["subject", "about", "message_id", "to_address"]
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


@admin.register(MailEvent)
class MailEventAdmin(admin.ModelAdmin[MailEvent]):
    list_display = ["received_at", "provider", "event_type", "recipient", "reject_reason", "mail"]
    list_filter = ["provider", "event_type"]
    search_fields = ["recipient", "provider_message_id", "provider_event_id"]
    readonly_fields = [f.name for f in MailEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(SuppressedAddress)
class SuppressedAddressAdmin(admin.ModelAdmin[SuppressedAddress]):
    """Addresses no mail goes to; "lift" sends mail to them again (audited)."""

    list_display = ["address", "reason", "created_at", "lifted_at", "lifted_by"]
    list_filter = ["reason", ("lifted_at", admin.EmptyFieldListFilter)]
    search_fields = ["address"]
    readonly_fields = [f.name for f in SuppressedAddress._meta.fields]
    actions = ["lift"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SuppressedAddress | None = None) -> bool:
        return False

    @admin.action(description=_("Lift: send mail to these addresses again"))
    def lift(self, request: HttpRequest, queryset: QuerySet[SuppressedAddress]) -> None:
        lifted = sum(
            actions.lift_suppression(actor=request.user, address=row.address)  # type: ignore[arg-type]
            for row in queryset.filter(lifted_at__isnull=True)
        )
        self.message_user(
            request,
            ngettext("%(count)s address lifted.", "%(count)s addresses lifted.", lifted) % {"count": lifted},
            messages.SUCCESS,
        )


@admin.register(MailOptOut)
class MailOptOutAdmin(admin.ModelAdmin[MailOptOut]):
    """Who turned a kind of mail off from its link; deleting a row turns it back on."""

    list_display = ["address", "purpose", "created_at"]
    list_filter = ["purpose"]
    search_fields = ["address"]
    readonly_fields = ["address", "purpose", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
