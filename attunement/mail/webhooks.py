"""The providers' tracking webhooks (delivered, bounced, deferred, complained, rejected), read
by django-anymail's views and recorded by ``actions.record_tracking``.

One address per provider, ``/mail/events/<provider>/``, answering only for the provider this
deployment sends through (``MAIL_PROVIDER``). Each request is authenticated as anymail
documents for that provider (Mailgun's HMAC signature; HTTP basic auth with
``ANYMAIL_WEBHOOK_SECRET`` for the others): a request that fails is refused (403) and changes
nothing. A body anymail cannot read is a 400 naming why. An event for a message that is not
ours is logged and acknowledged (200), so the provider does not send it again and again."""

from __future__ import annotations

import logging

from anymail.exceptions import AnymailWebhookValidationFailure
from anymail.signals import AnymailTrackingEvent
from anymail.webhooks.brevo import BrevoTrackingWebhookView
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.mailjet import MailjetTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from anymail.webhooks.sendgrid import SendGridTrackingWebhookView
from anymail.webhooks.sparkpost import SparkPostTrackingWebhookView
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from attunement.mail import actions

logger = logging.getLogger("attunement.mail")

TRACKING = {
    "brevo": BrevoTrackingWebhookView,
    "mailgun": MailgunTrackingWebhookView,
    "mailjet": MailjetTrackingWebhookView,
    "postmark": PostmarkTrackingWebhookView,
    "sendgrid": SendGridTrackingWebhookView,
    "sparkpost": SparkPostTrackingWebhookView,
}


def _text(status: int, text: str) -> HttpResponse:
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@login_not_required
@require_POST
def tracking(request: HttpRequest, provider: str) -> HttpResponse:
    view_class = TRACKING.get(provider)
    if view_class is None or provider != getattr(settings, "MAIL_PROVIDER", ""):
        raise Http404
    view = view_class()
    try:
        view.run_validators(request)
    except AnymailWebhookValidationFailure as failure:
        logger.warning("%s tracking webhook refused: %s", provider, failure)
        return _text(403, f"Refused: {failure}")
    try:
        events = view.parse_events(request)
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        logger.warning("%s tracking webhook: malformed body (%s)", provider, error)
        return _text(400, f"Malformed {view.esp_name} event: {type(error).__name__}: {error}")
    known = unknown = 0
    for event in events:
        if not isinstance(event, AnymailTrackingEvent):
            continue
        event_type = str(event.event_type or "")
        if provider == "postmark" and isinstance(event.esp_event, dict) and event.esp_event.get("Type") == "SoftBounce":
            event_type = "deferred"  # anymail calls a soft bounce a bounce; it is a delay, the address is fine
        outcome = actions.record_tracking(
            provider=view.esp_name,
            event_type=event_type,
            message_id=str(event.message_id or ""),
            recipient=str(event.recipient or ""),
            event_id=str(event.event_id or ""),
            description=str(event.description or ""),
            mta_response=str(event.mta_response or ""),
            reject_reason=str(event.reject_reason or ""),
            occurred_at=event.timestamp,
        )
        known, unknown = known + outcome.known, unknown + (not outcome.known)
    return _text(200, f"ok: {known} event(s) recorded, {unknown} for messages that are not ours")
