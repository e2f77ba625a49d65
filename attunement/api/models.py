"""Verification API clients (payers, employers), their keys, webhook endpoints and the outbox.

A client belongs to the association whose admin created it and sees only that association's
credentials. Keys are stored as the SHA-256 of a high-entropy token; the first characters
(``prefix``) are kept to tell keys apart on the admin page."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

WEBHOOK_EVENTS = [
    ("lapsed", _("Lapsed")),
    ("suspended", _("Suspended")),
    ("revoked", _("Revoked")),
    ("renewed", _("Renewed")),
    ("reinstated", _("Reinstated")),
    ("restored", _("Restored after suspension")),
    ("issued", _("Issued")),
    ("inactive", _("Inactive")),
    ("reactivated", _("Reactivated")),
    ("archived", _("Archived")),
    ("emeritus", _("Emeritus")),
]


class ApiClient(models.Model):
    """An organisation that calls the verification API: a payer, an employer."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    association = models.ForeignKey("associations.Association", on_delete=models.PROTECT, related_name="api_clients")
    name = models.CharField(_("organisation name"), max_length=200)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"))
    quota_per_minute = models.PositiveIntegerField(
        _("requests per minute"),
        null=True,
        blank=True,
        help_text=_("For each of the organisation's keys; empty means the deployment's default."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        constraints = [models.UniqueConstraint(fields=["association", "name"], name="one_api_client_name")]

    def __str__(self) -> str:
        return self.name


class ApiKey(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="keys")
    label = models.CharField(_("label"), max_length=100, blank=True)
    prefix = models.CharField(_("key starts with"), max_length=16)
    hashed = models.CharField(max_length=64, unique=True)
    quota_per_minute = models.PositiveIntegerField(
        _("requests per minute"), null=True, blank=True, help_text=_("Empty means the organisation's quota.")
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.prefix}…"


class WebhookEndpoint(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("address"), max_length=500)
    events = models.JSONField(_("events"), default=list)
    # Kept in clear: the worker needs it to sign. Shown once to the admin who adds the endpoint.
    secret = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed (gave up)")


class WebhookDelivery(models.Model):
    """The outbox: one event about one credential for one endpoint. ``public_id`` is the
    ``webhook-id`` header, the same on every retry, so receivers can drop duplicates."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=20)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due_idx")]

    def __str__(self) -> str:
        return f"{self.event} {self.public_id}"


class QuotaWindow(models.Model):
    """Requests counted for a key in the current minute, when quotas are counted in the
    database (``API_RATE_LIMIT_STORE=database``): one row per key, overwritten when a new minute
    starts. Unlogged on PostgreSQL: counters need no crash safety, so their writes skip the WAL."""

    key = models.OneToOneField(ApiKey, on_delete=models.CASCADE, primary_key=True, related_name="+")
    minute = models.BigIntegerField()
    used = models.PositiveIntegerField()
    refused = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.key_id}: {self.used} in minute {self.minute}"


class RosterStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being checked")
    DONE = "done", _("Done")


class RosterCheck(models.Model):
    """A roster sent with ``Prefer: respond-async``: checked by a task, its answers kept for
    the client that sent it until ``expires_at`` (a day), then deleted. The rows sent are
    dropped once checked."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="roster_checks")
    association = models.ForeignKey("associations.Association", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=RosterStatus.choices, default=RosterStatus.QUEUED)
    rows = models.PositiveIntegerField(default=0)
    roster = models.JSONField(default=list)  # the rows as sent, until they are checked
    answer = models.JSONField(null=True, blank=True)  # {"rows", "counts", "results"}
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("roster check")
        verbose_name_plural = _("roster checks")
        indexes = [models.Index(fields=["expires_at"], name="roster_check_expiry")]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.status})"
