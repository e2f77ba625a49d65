"""Every write of the API app: organisations, keys, quotas, webhook endpoints (audited)."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from attunement.api import keys, roster, webhooks
from attunement.api.models import (
    WEBHOOK_EVENTS,
    ApiClient,
    ApiKey,
    DeliveryStatus,
    RosterCheck,
    RosterStatus,
    WebhookDelivery,
    WebhookEndpoint,
)
from attunement.associations.models import Association
from attunement.audit.actions import record
from attunement.lib.errors import ActionRefused

if TYPE_CHECKING:
    from attunement.people.models import User

EVENT_NAMES = frozenset(code for code, _label in WEBHOOK_EVENTS)


@transaction.atomic
def create_client(
    *, actor: User, association: Association, name: str, contact_email: str, contact_name: str = ""
) -> ApiClient:
    """A new organisation. The association row is locked before the name is looked up, so two
    admins creating the same name at once (in any case) make one; the other is told."""
    name = name.strip()
    taken = ValidationError({"name": _("An organisation with this name already exists.")})
    association = Association.objects.select_for_update().get(pk=association.pk)
    if ApiClient.objects.filter(association=association, name__iexact=name).exists():
        raise taken
    try:
        with transaction.atomic():
            client = ApiClient.objects.create(
                association=association,
                name=name,
                contact_email=contact_email,
                contact_name=contact_name,
                created_by=actor,
            )
    except IntegrityError:  # the unique constraint stands behind the lock
        raise taken from None
    record(actor=actor, verb="api.client.created", association=association, target=client, data={"name": name})
    return client


@dataclass
class IssuedKey:
    key: ApiKey
    token: str


@transaction.atomic
def issue_key(*, actor: User | None, client: ApiClient, label: str = "", token: str | None = None) -> IssuedKey:
    """A new key; the token is returned once and only its SHA-256 is kept. ``token`` is for
    the demo's fixed key only."""
    token = token or keys.new_token()
    key = ApiKey.objects.create(
        client=client, label=label, prefix=token[: keys.PREFIX_LENGTH], hashed=keys.digest(token), created_by=actor
    )
    record(
        actor=actor,
        verb="api.key.issued",
        association=client.association,
        target=key,
        data={"client": client.name, "prefix": key.prefix, "label": label},
    )
    return IssuedKey(key, token)


@transaction.atomic
def revoke_key(*, actor: User, key: ApiKey) -> None:
    if not ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        raise ActionRefused(_("This key was already revoked."))
    record(
        actor=actor,
        verb="api.key.revoked",
        association=key.client.association,
        target=key,
        data={"client": key.client.name, "prefix": key.prefix},
    )
    # This worker forgets it now (and again at commit); the others within keys.KEY_CACHE_SECONDS.
    keys.forget_keys()
    transaction.on_commit(keys.forget_keys)


@transaction.atomic
def set_quota(*, actor: User, client: ApiClient, quota: int | None, key: ApiKey | None = None) -> None:
    """The requests per minute of one key, or of every key of the organisation (None: default)."""
    if quota is not None and not 1 <= quota <= 1_000_000:
        raise ValidationError({"quota": _("A quota is between 1 and 1,000,000 requests per minute.")})
    if key is not None:
        ApiKey.objects.filter(pk=key.pk).update(quota_per_minute=quota)
    else:
        ApiClient.objects.filter(pk=client.pk).update(quota_per_minute=quota)
    record(
        actor=actor,
        verb="api.quota.set",
        association=client.association,
        target=key or client,
        data={"client": client.name, "key": key.prefix if key else None, "quota": quota},
    )
    transaction.on_commit(keys.forget_keys)


def check_webhook_url(url: str) -> str:
    """http(s) only, https in production; no credentials in the address."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError({"url": _("The address must start with https:// (or http:// outside production).")})
    if settings.PRODUCTION and parts.scheme != "https":
        raise ValidationError({"url": _("In production webhook addresses must use https://.")})
    if parts.username or parts.password:
        raise ValidationError({"url": _("Put no user name or password in the address.")})
    if settings.PRODUCTION and _internal_host(parts.hostname):
        raise ValidationError({"url": _("The address must be a public one, not this server or a private network.")})
    return url.strip()


def _internal_host(host: str) -> bool:
    """A literal private, loopback or link-local address, or a local name (checked in
    production so that an organisation cannot make the server post into its own network)."""
    import ipaddress

    if host.lower() in ("localhost", "localhost.localdomain") or host.lower().endswith((".local", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not address.is_global


@dataclass
class AddedWebhook:
    endpoint: WebhookEndpoint
    secret: str


def new_webhook_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@transaction.atomic
def add_webhook(*, actor: User, client: ApiClient, url: str, events: list[str]) -> AddedWebhook:
    url = check_webhook_url(url)
    unknown = sorted(set(events) - EVENT_NAMES)
    if not events or unknown:
        raise ValidationError({"events": _("Choose at least one of the listed events.")})
    secret = new_webhook_secret()
    endpoint = WebhookEndpoint.objects.create(client=client, url=url, events=sorted(set(events)), secret=secret)
    record(
        actor=actor,
        verb="api.webhook.added",
        association=client.association,
        target=endpoint,
        data={"client": client.name, "url": url, "events": endpoint.events},
    )
    return AddedWebhook(endpoint, secret)


@transaction.atomic
def remove_webhook(*, actor: User, endpoint: WebhookEndpoint) -> None:
    if not WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(is_active=False):
        raise ActionRefused(_("This webhook was already removed."))
    record(
        actor=actor,
        verb="api.webhook.removed",
        association=endpoint.client.association,
        target=endpoint,
        data={"client": endpoint.client.name, "url": endpoint.url},
    )


# --- Rosters checked in the background (Prefer: respond-async) ----------------------------------

ROSTER_KEPT = timedelta(days=1)


@transaction.atomic
def queue_roster_check(*, client_id: int, association_id: int, rows: list[Any]) -> RosterCheck:
    """Keep the rows and enqueue their check; the answer is the client's to fetch for a day.
    Row messages are written in the language of the request."""
    check = RosterCheck.objects.create(
        client_id=client_id,
        association_id=association_id,
        rows=len(rows),
        roster={"language": translation.get_language() or "en", "rows": rows},
        expires_at=timezone.now() + ROSTER_KEPT,
    )
    check_roster.enqueue(check.pk)
    return check


@task(queue_name="default")
def check_roster(check_id: int) -> str:
    """The task: answer every row, keep the answer, drop the rows; and delete expired checks."""
    RosterCheck.objects.filter(expires_at__lt=timezone.now()).delete()
    if not RosterCheck.objects.filter(pk=check_id, status=RosterStatus.QUEUED).update(status=RosterStatus.RUNNING):
        return "not queued"  # a second task for the same roster, or expired
    check = RosterCheck.objects.get(pk=check_id)
    with translation.override(check.roster.get("language") or "en"):
        # Dates as the direct answer writes them (orjson: ISO 8601), so both answers are the same.
        answer = orjson.loads(orjson.dumps(roster.answer(check.association_id, check.roster.get("rows", []))))
    RosterCheck.objects.filter(pk=check.pk).update(
        status=RosterStatus.DONE, answer=answer, roster={}, finished_at=timezone.now()
    )
    return RosterStatus.DONE


def deliver_again(*, actor: User, deliveries: list[WebhookDelivery]) -> int:
    """The operator's retry of failed deliveries: pending now, a task to post them (audited)."""
    failed = [d.pk for d in deliveries if d.status == DeliveryStatus.FAILED]
    with transaction.atomic():
        count = WebhookDelivery.objects.filter(pk__in=failed, status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.PENDING, next_attempt_at=timezone.now(), attempts=0
        )
        if count:
            webhooks.deliver_webhooks.enqueue()
            record(actor=actor, verb="api.webhooks.delivered_again", data={"count": count})
    return count
