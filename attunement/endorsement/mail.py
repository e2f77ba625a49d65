"""Mail the provider reports as undeliverable, for this app: a renewal reminder that bounced is
marked on the reminder (staff see it on the person's page), as staff could mark it by hand."""

from __future__ import annotations

import contextlib
from typing import Any

from django.dispatch import receiver

from attunement.endorsement.actions.renewal import mark_reminder_bounced
from attunement.endorsement.daily import REMINDER_MAIL
from attunement.endorsement.models import Reminder
from attunement.lib.errors import ActionRefused
from attunement.mail.models import OutgoingMail
from attunement.mail.signals import mail_undeliverable


@receiver(mail_undeliverable, dispatch_uid="endorsement-reminder-bounced")
def reminder_bounced(sender: Any, mail: OutgoingMail, delivery: str, recipient: str, **kwargs: Any) -> None:
    kind, _sep, key = mail.about.partition(":")
    if kind != REMINDER_MAIL or not key.isdigit():
        return
    reminder = Reminder.objects.select_related("association", "person").filter(pk=int(key)).first()
    if reminder is None:
        return
    with contextlib.suppress(ActionRefused):  # already marked, by staff or by an earlier report
        mark_reminder_bounced(actor=None, reminder=reminder, delivery=delivery)
