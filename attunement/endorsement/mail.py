"""Mail the provider reports as undeliverable, for this app: a renewal reminder that bounced is
marked on the reminder (staff see it on the person's page), as staff could mark it by hand."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.utils import timezone

from attunement.audit.actions import record
from attunement.endorsement.models import Reminder
from attunement.mail.models import OutgoingMail
from attunement.mail.signals import mail_undeliverable

REMINDER_MAIL = "endorsement.reminder"  # the ``about`` of a renewal reminder: endorsement.reminder:<pk>
APPLICATION_MAIL = "endorsement.application"  # notices and letters about an application


@receiver(mail_undeliverable, dispatch_uid="endorsement-reminder-bounced")
def reminder_bounced(sender: Any, mail: OutgoingMail, delivery: str, recipient: str, **kwargs: Any) -> None:
    kind, _sep, key = mail.about.partition(":")
    if kind != REMINDER_MAIL or not key.isdigit():
        return
    reminder = Reminder.objects.select_related("association", "person").filter(pk=int(key)).first()
    if reminder is None:
        return
    if Reminder.objects.filter(pk=reminder.pk, bounced_at__isnull=True).update(bounced_at=timezone.now()):
        record(actor=None, verb="endorsement.reminder.bounced", association=reminder.association,
               target=reminder.person, data={"due": reminder.due.isoformat(), "reported_by": "provider",
                                             "delivery": delivery})  # fmt: skip
