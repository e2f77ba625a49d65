"""Webhooks: an outbox written with the change, delivered by a task.

The receiver of ``credentials_changed`` runs inside the transaction that changed the
credentials and only writes outbox rows (one per subscribed endpoint and credential) and one
task, so a rolled-back change sends nothing and the request that made it never waits on the
network. The task (``deliver_webhooks``, run by ``attunement worker``) posts them, signed the Standard Webhooks way
(``webhook-id``, ``webhook-timestamp``, ``webhook-signature: v1,<base64 HMAC-SHA256 of
"id.timestamp.body">`` with the endpoint's ``whsec_`` secret), and retries a failure after
1 min, 5 min, 30 min, 2 h and 12 h before giving up, each retry a task due at that time. The
outbox rows are the worker's bookkeeping, not people's decisions, so they are not audited one
by one."""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import orjson
from django.db import transaction
from django.dispatch import receiver
from django.tasks import task
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
    deliver_webhooks.enqueue()  # in this transaction: rolled back with the change


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


class Refused(Exception):
    """The endpoint's host resolves to an address the server must not post to."""


def resolve(host: str, port: int) -> str:
    """The address to connect to for ``host``: resolved once here and then used for the
    connection itself, so a name cannot resolve to a public address when checked and to a
    private one when connected (DNS rebinding). In production every address the name has must
    be public (no loopback, private, link-local or reserved ones): an organisation must not be
    able to make the server post into its own network."""
    from django.conf import settings

    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise Refused(f"{host} has no address")
    if settings.PRODUCTION:
        for address in addresses:
            if not ipaddress.ip_address(str(address).split("%")[0]).is_global:
                raise Refused(f"{host} resolves to {address}, which is not a public address")
    return str(addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        # The certificate is checked against the host name, not the address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """POST one delivery; (HTTP status or None, error text). Redirects are not followed."""
    body = orjson.dumps(delivery.payload)
    message_id = f"msg_{delivery.public_id.hex}"
    stamp = int(time.time())
    url = urlsplit(delivery.endpoint.url)
    secure = url.scheme == "https"
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Attunement-Webhooks/1",
        "webhook-id": message_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": sign(delivery.endpoint.secret, message_id, stamp, body),
    }
    connection: http.client.HTTPConnection | None = None
    try:
        host, port = url.hostname or "", url.port or (443 if secure else 80)
        address = resolve(host, port)
        kind = _PinnedHTTPSConnection if secure else _PinnedHTTPConnection
        connection = kind(host, port, address, TIMEOUT_SECONDS)
        path = (url.path or "/") + (f"?{url.query}" if url.query else "")
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(65536)
    except Refused as exc:
        return None, f"refused: {exc}"[:300]
    except (OSError, ValueError, http.client.HTTPException) as exc:
        return None, (str(exc) or type(exc).__name__)[:300]
    finally:
        if connection is not None:
            connection.close()
    if 200 <= response.status < 300:
        return response.status, ""
    return response.status, f"HTTP {response.status}"


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


@task(queue_name="webhooks")
def deliver_webhooks() -> dict[str, int]:
    """The task: post what is due (in rounds of 100, another task if more is due)."""
    run = deliver_due(schedule=True)
    return {"delivered": run.delivered, "retried": run.retried, "failed": run.failed}


def deliver_due(*, now: datetime | None = None, limit: int = 100, schedule: bool = False) -> DeliveryRun:
    """Post the due deliveries. ``schedule``: enqueue the tasks that carry on (each retry at its
    time, the rest of a full round now, and one after the lease in case this worker dies)."""
    run = DeliveryRun()
    now = now or timezone.now()
    claimed = _claim(now, limit)
    if schedule and claimed:
        deliver_webhooks.using(run_after=now + LEASE + timedelta(seconds=1)).enqueue()
    retries: list[datetime] = []
    for delivery in claimed:
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
            retries.append(fields["next_attempt_at"])
            run.retried += 1
        with transaction.atomic():
            WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    if schedule:
        for at in sorted({at.replace(microsecond=0) + timedelta(seconds=1) for at in retries}):
            deliver_webhooks.using(run_after=at).enqueue()
        if len(claimed) == limit:
            deliver_webhooks.enqueue()
    return run
