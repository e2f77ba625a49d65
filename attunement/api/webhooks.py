"""Webhooks: an outbox written with the change, a worker that delivers it.

The receiver of ``credentials_changed`` runs inside the transaction that changed the
credentials and only writes outbox rows (one per subscribed endpoint and credential), so a
rolled-back change sends nothing and the request that made it never waits on the network.
``attunement webhooks deliver`` posts them, signed the Standard Webhooks way
(``webhook-id``, ``webhook-timestamp``, ``webhook-signature: v1,<base64 HMAC-SHA256 of
"id.timestamp.body">`` with the endpoint's ``whsec_`` secret), and retries a failure after
1 min, 5 min, 30 min, 2 h and 12 h before giving up. The outbox rows are the worker's
bookkeeping, not people's decisions, so they are not audited one by one."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from attunement.api import selectors
from attunement.api.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from attunement.endorsement.models import Credential
from attunement.endorsement.signals import credentials_changed

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=12))
LEASE = timedelta(minutes=2)
TIMEOUT_SECONDS = 10


@receiver(credentials_changed, dispatch_uid="api-webhook-outbox")
def queue_webhooks(sender: Any, association: Any, event: str, credential_ids: list[int], **kwargs: Any) -> None:
    """Two queries and one bulk insert, whatever the size of the batch."""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(client__association=association, is_active=True)
        if event in endpoint.events
    ]
    if not endpoints:
        return
    now = timezone.now()
    rows = Credential.objects.filter(pk__in=credential_ids).values(*selectors.FIELDS)
    payloads = [
        orjson.loads(
            orjson.dumps(
                {"type": f"credential.{event}", "timestamp": now.isoformat(), "data": selectors.credential_answer(row)}
            )
        )
        for row in rows
    ]
    WebhookDelivery.objects.bulk_create(
        (
            WebhookDelivery(endpoint=endpoint, event=event, payload=payload, next_attempt_at=now, created_at=now)
            for endpoint in endpoints
            for payload in payloads
        ),
        batch_size=1_000,
    )


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def verify(secret: str, headers: dict[str, str], body: bytes, *, tolerance: int = 300) -> bool:
    """What a receiver does (used by the tests and shown in docs/operations.md)."""
    message_id, stamp = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "")
    if not stamp.isdigit() or abs(time.time() - int(stamp)) > tolerance:
        return False
    expected = sign(secret, message_id, int(stamp), body)
    return any(hmac.compare_digest(expected, given) for given in headers.get("webhook-signature", "").split())


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """POST one delivery; (HTTP status or None, error text)."""
    body = orjson.dumps(delivery.payload)
    message_id = f"msg_{delivery.public_id.hex}"
    stamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 — http(s) only, checked when the endpoint was added
        delivery.endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Attunement-Webhooks/1",
            "webhook-id": message_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": sign(delivery.endpoint.secret, message_id, stamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return None, str(getattr(exc, "reason", exc))[:300]


@dataclass
class DeliveryRun:
    delivered: int = 0
    retried: int = 0
    failed: int = 0


def _claim(now: datetime, limit: int) -> list[WebhookDelivery]:
    """Due deliveries, each taken by a conditional UPDATE so two workers never send one twice
    at the same time (the lease runs out if a worker dies mid-way)."""
    due = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", "next_attempt_at")[:limit]
    )
    taken = [
        pk
        for pk, at in due
        if WebhookDelivery.objects.filter(pk=pk, status=DeliveryStatus.PENDING, next_attempt_at=at).update(
            next_attempt_at=now + LEASE
        )
    ]
    # select_related: each delivery is sent to its endpoint with the endpoint's secret.
    return list(WebhookDelivery.objects.filter(pk__in=taken).select_related("endpoint").order_by("id"))


def deliver_due(*, now: datetime | None = None, limit: int = 100) -> DeliveryRun:
    run = DeliveryRun()
    now = now or timezone.now()
    for delivery in _claim(now, limit):
        if not delivery.endpoint.is_active:
            code, error = None, "endpoint removed"
            attempts = len(BACKOFF) + 1
        else:
            code, error = post(delivery)
            attempts = delivery.attempts + 1
        fields: dict[str, Any] = {"attempts": attempts, "last_status_code": code, "last_error": error}
        if code is not None and 200 <= code < 300:
            fields.update(status=DeliveryStatus.DELIVERED, delivered_at=timezone.now(), last_error="")
            run.delivered += 1
        elif attempts > len(BACKOFF):
            fields.update(status=DeliveryStatus.FAILED)
            run.failed += 1
        else:
            fields.update(next_attempt_at=timezone.now() + BACKOFF[attempts - 1])
            run.retried += 1
        with transaction.atomic():
            WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    return run
