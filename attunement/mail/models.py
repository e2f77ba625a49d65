"""Every message the system sends, recorded before it is sent and delivered by a task.

A message is written in the transaction that asks for it (so a change that rolls back sends
nothing), then a worker hands it to the transport (SMTP, or a provider). When the transport is
down the message waits and is tried again with growing delays; after the last try it is
"gave up", with the error, for the operator to send again from the admin."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MailStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Being sent")
    RETRYING = "retrying", _("Queued: the mail server did not take it yet")
    SENT = "sent", _("Sent")
    GAVE_UP = "gave_up", _("Not sent: gave up")


WAITING = (MailStatus.QUEUED, MailStatus.SENDING, MailStatus.RETRYING)


class OutgoingMail(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # What the message is for, e.g. ``reference_request``, and what it is about, e.g.
    # ``portfolios.reference:<public id>``: pages find a thing's mail by ``about``.
    purpose = models.CharField(_("purpose"), max_length=40, blank=True)
    about = models.CharField(_("about"), max_length=120, blank=True, db_index=True)
    recipients = models.JSONField(_("recipients"), default=list)
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

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")
        indexes = [models.Index(fields=["status", "attempt_started_at"], name="mail_status_idx")]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.recipients)}"
