"""The default mailer: it queues. ``send_mail`` and every other sender record the message and
return at once; a worker sends it through the transport mailer (``MAILERS["transport"]``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from attunement.mail import actions


class QueuedEmailBackend(BaseEmailBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        count = 0
        for message in email_messages:
            if not message.recipients():
                continue
            actions.queue(message)
            count += 1
        return count
