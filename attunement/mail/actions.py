"""Queueing and delivering mail: every write of the mail app.

``queue`` records a message and enqueues its delivery in the caller's transaction. ``deliver``
(run by a worker) takes the record under a lock, so a duplicate task or a second worker does
nothing; it hands the message to the transport outside any transaction, and records the
outcome. A failure is tried again after 1 min, 5 min, 30 min, 2 h and 12 h, then gives up.
``requeue_stalled`` gives a message whose worker died mid-send back to the queue."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.utils import timezone

from attunement.audit.actions import record
from attunement.mail import messages
from attunement.mail.models import MailStatus, OutgoingMail
from attunement.people.models import User

logger = logging.getLogger("attunement.mail")

RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
# A worker that has held a message this long without recording an outcome is taken to be dead.
STALLED_AFTER = timedelta(minutes=10)
ERROR_LENGTH = 2000


def queue(message: EmailMessage) -> OutgoingMail:
    """Record one message and enqueue its delivery (in the caller's transaction, if any)."""
    from attunement.mail.tasks import deliver_mail

    if not message.from_email:
        message.from_email = settings.DEFAULT_FROM_EMAIL
    if not messages.header(message, "Message-ID"):
        # One Message-ID for every attempt: a receiver seeing a retry can tell it is the same mail.
        message.extra_headers["Message-ID"] = make_msgid(domain=_domain(message.from_email))
    with transaction.atomic():
        mail = OutgoingMail.objects.create(
            purpose=messages.header(message, messages.PURPOSE_HEADER)[:40],
            about=messages.header(message, messages.ABOUT_HEADER)[:120],
            recipients=list(message.recipients()),
            subject=str(message.subject)[:300],
            message=messages.dump(message),
            message_id=messages.header(message, "Message-ID")[:250],
        )
        deliver_mail.enqueue(mail.pk)
    return mail


def _domain(from_email: str) -> str:
    address = from_email.rsplit("<", 1)[-1].rstrip(">").strip()
    return address.rsplit("@", 1)[-1] if "@" in address else "localhost"


def _transport() -> str:
    return getattr(settings, "MAIL_TRANSPORT", "transport")


def deliver(mail_id: int) -> str:
    """Send one recorded message; returns its status afterwards."""
    now = timezone.now()
    with transaction.atomic():
        mail = OutgoingMail.objects.select_for_update().filter(pk=mail_id).first()
        if mail is None:
            return "missing"
        if mail.status in (MailStatus.SENT, MailStatus.GAVE_UP):
            return mail.status  # a duplicate task: already done
        stale = now - STALLED_AFTER
        if mail.status == MailStatus.SENDING and mail.attempt_started_at and mail.attempt_started_at > stale:
            return mail.status  # another worker is sending it right now
        mail.status, mail.attempts, mail.attempt_started_at = MailStatus.SENDING, mail.attempts + 1, now
        mail.next_attempt_at = None
        mail.save(update_fields=["status", "attempts", "attempt_started_at", "next_attempt_at"])
    attempt = mail.attempts
    try:
        mailers[_transport()].send_messages([messages.load(mail.message)])
    except Exception as exc:
        return _failed(mail, attempt, f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH])
    OutgoingMail.objects.filter(pk=mail.pk, status=MailStatus.SENDING, attempts=attempt).update(
        status=MailStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return MailStatus.SENT


def _failed(mail: OutgoingMail, attempt: int, error: str) -> str:
    from attunement.mail.tasks import deliver_mail

    with transaction.atomic():
        if attempt > len(RETRY_DELAYS):
            status, next_at = MailStatus.GAVE_UP, None
        else:
            status, next_at = MailStatus.RETRYING, timezone.now() + RETRY_DELAYS[attempt - 1]
        updated = OutgoingMail.objects.filter(pk=mail.pk, status=MailStatus.SENDING, attempts=attempt).update(
            status=status, next_attempt_at=next_at, last_error=error
        )
        if updated and next_at is not None:
            deliver_mail.using(run_after=next_at).enqueue(mail.pk)
    log = logger.error if status == MailStatus.GAVE_UP else logger.warning
    log("mail %s to %s: attempt %s failed (%s); %s", mail.public_id, mail.recipients, attempt, error, status)
    return status


def requeue_stalled(*, now: datetime | None = None) -> int:
    """Messages a dead worker left half-sent go back to the queue; returns how many. The
    message may have reached the server before the worker died: it keeps its Message-ID."""
    from attunement.mail.tasks import deliver_mail

    now = now or timezone.now()
    count = 0
    with transaction.atomic():
        stalled = OutgoingMail.objects.select_for_update(skip_locked=True).filter(
            status=MailStatus.SENDING, attempt_started_at__lt=now - STALLED_AFTER
        )
        for mail in stalled:
            OutgoingMail.objects.filter(pk=mail.pk).update(
                status=MailStatus.RETRYING, next_attempt_at=now, last_error="The worker stopped while sending."
            )
            deliver_mail.enqueue(mail.pk)
            count += 1
    if count:
        logger.warning("requeued %s message(s) a stopped worker left", count)
    return count


def send_again(*, actor: User | None, mails: Sequence[OutgoingMail]) -> int:
    """The operator's retry of messages that gave up (or still wait): queued at once, audited."""
    from attunement.mail.tasks import deliver_mail

    count = 0
    with transaction.atomic():
        for mail in OutgoingMail.objects.select_for_update().filter(
            pk__in=[m.pk for m in mails], status__in=[MailStatus.GAVE_UP, MailStatus.RETRYING]
        ):
            OutgoingMail.objects.filter(pk=mail.pk).update(status=MailStatus.QUEUED, next_attempt_at=None)
            deliver_mail.enqueue(mail.pk)
            record(actor=actor, verb="mail.sent_again", target=mail, data={"attempts": mail.attempts})
            count += 1
    return count
