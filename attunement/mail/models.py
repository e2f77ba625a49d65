"""Every message the system sends, recorded before it is sent and delivered by a task.

A message is written in the transaction that asks for it (so a change that rolls back sends
nothing), then a worker hands it to the transport (SMTP, or a provider). When the transport is
down the message waits and is tried again with growing delays; after the last try it is
"gave up", with the error, for the operator to send again from the admin."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Being sent")
    RETRYING = "retrying", _("Queued: the mail server did not take it yet")
    SENT = "sent", _("Sent")
    GAVE_UP = "gave_up", _("Not sent: gave up")
    SUPPRESSED = "suppressed", _("Not sent: mail to this address bounced or was reported as spam")


class Delivery(models.TextChoices):
    """What the provider said happened after it took the message (its tracking webhooks)."""

    UNKNOWN = "", _("No report")
    DELIVERED = "delivered", _("Delivered")
    DEFERRED = "deferred", _("Delayed by the receiving server")
    BOUNCED = "bounced", _("Bounced: the address may be wrong or blocked")
    COMPLAINED = "complained", _("Reported as spam by the recipient")
    REJECTED = "rejected", _("Refused by the provider")


# Reports after which no more mail goes to the address until someone fixes it.
SUPPRESSING = (Delivery.BOUNCED, Delivery.COMPLAINED, Delivery.REJECTED)


WAITING = (MailStatus.QUEUED, MailStatus.SENDING, MailStatus.RETRYING)


class OutgoingMail(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # What the message is for, e.g. ``reference_request``, and what it is about, e.g.
    # ``portfolios.reference:<public id>``: pages find a thing's mail by ``about``.
    purpose = models.CharField(_("purpose"), max_length=40, blank=True)
    about = models.CharField(_("about"), max_length=120, blank=True, db_index=True)
    recipients = models.JSONField(_("recipients"), default=list)
    # The first recipient, lower-cased: staff find the mail sent to a person by their addresses.
    to_address = models.CharField(_("to"), max_length=254, blank=True, db_index=True)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    message = models.JSONField(_("message"))  # the serialised EmailMessage (attunement.mail.messages)
    message_id = models.CharField(_("Message-ID"), max_length=250, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=MailStatus.choices, default=MailStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    attempt_started_at = models.DateTimeField(_("last attempt started"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # The provider's id for the message (anymail's message_id), to match its tracking events.
    provider = models.CharField(_("provider"), max_length=40, blank=True)
    provider_message_id = models.CharField(_("provider's message id"), max_length=250, blank=True, db_index=True)
    delivery = models.CharField(_("delivery"), max_length=12, choices=Delivery.choices, blank=True, default="")
    delivery_at = models.DateTimeField(_("delivery reported"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")
        indexes = [models.Index(fields=["status", "attempt_started_at"], name="mail_status_idx")]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.recipients)}"


class MailEvent(models.Model):
    """One tracking event from the provider, as anymail normalised it. A provider that sends an
    event again (they retry their webhooks) is recorded once."""

    mail = models.ForeignKey(OutgoingMail, on_delete=models.CASCADE, related_name="events", null=True, blank=True)
    provider = models.CharField(_("provider"), max_length=40)
    event_type = models.CharField(_("event"), max_length=20)
    provider_event_id = models.CharField(_("provider's event id"), max_length=250, blank=True)
    provider_message_id = models.CharField(_("provider's message id"), max_length=250, blank=True)
    recipient = models.CharField(_("recipient"), max_length=254, blank=True)
    description = models.TextField(_("description"), blank=True)
    mta_response = models.TextField(_("receiving server's answer"), blank=True)
    reject_reason = models.CharField(_("reason"), max_length=40, blank=True)
    occurred_at = models.DateTimeField(_("happened"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("mail event")
        verbose_name_plural = _("mail events")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_event_id"],
                condition=~models.Q(provider_event_id=""),
                name="mail_event_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.recipient}"


class SuppressedAddress(models.Model):
    """An address mail is not sent to (after a bounce or a complaint) until it is lifted: by the
    person who gave the address checking it (a rater's address sent again), or by staff."""

    address = models.CharField(_("address"), max_length=254)  # lower-cased
    reason = models.CharField(_("reason"), max_length=12, choices=Delivery.choices)
    description = models.TextField(_("description"), blank=True)
    mail = models.ForeignKey(OutgoingMail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("since"), default=timezone.now)
    lifted_at = models.DateTimeField(_("lifted"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["address"], condition=models.Q(lifted_at__isnull=True), name="one_active_suppression"
            )
        ]

    def __str__(self) -> str:
        return self.address


class MailOptOut(models.Model):
    """An address that asked for no more mail of one kind (the List-Unsubscribe link of a
    renewal reminder). Mail a person needs to act on (decisions, sign-in codes) cannot be
    turned off this way."""

    address = models.CharField(_("address"), max_length=254)  # lower-cased
    purpose = models.CharField(_("kind of mail"), max_length=40)
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("mail opt-out")
        verbose_name_plural = _("mail opt-outs")
        constraints = [models.UniqueConstraint(fields=["address", "purpose"], name="one_opt_out_per_kind")]

    def __str__(self) -> str:
        return f"{self.address} ({self.purpose})"
