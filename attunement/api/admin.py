"""Operators see every association's API clients, keys (by prefix only), webhooks and deliveries."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from attunement.api import actions
from attunement.api.models import ApiClient, ApiKey, WebhookDelivery, WebhookEndpoint


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin[ApiClient]):
    list_display = ["name", "association", "contact_email", "quota_per_minute", "created_at"]
    list_filter = ["association"]
    search_fields = ["name", "contact_email"]
    readonly_fields = ["public_id", "created_at", "created_by"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    list_display = ["prefix", "client", "label", "quota_per_minute", "created_at", "revoked_at"]
    list_filter = ["client__association"]
    search_fields = ["prefix", "client__name"]
    exclude = ["hashed"]
    readonly_fields = ["public_id", "prefix", "client", "created_at", "created_by", "revoked_at"]

    def has_add_permission(self, request: object) -> bool:
        return False  # keys are issued on the association's API page, where the token is shown once


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin[WebhookEndpoint]):
    list_display = ["url", "client", "is_active", "created_at"]
    list_filter = ["is_active", "client__association"]
    exclude = ["secret"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    list_display = ["public_id", "endpoint", "event", "status", "attempts", "last_status_code", "next_attempt_at"]
    list_filter = ["status", "event"]
    readonly_fields = ["public_id", "endpoint", "event", "payload", "created_at", "delivered_at"]
    actions = ["deliver_again"]

    @admin.action(description=_("Deliver again (failed deliveries)"))
    def deliver_again(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = actions.deliver_again(actor=request.user, deliveries=list(queryset))  # type: ignore[arg-type]
        self.message_user(
            request,
            ngettext("%(count)s delivery queued again.", "%(count)s deliveries queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )
