"""Queueing and delivering mail: every write of the mail app.

``queue`` records a message and enqueues its delivery in the caller's transaction. ``deliver``
(run by a worker) takes the record under a lock, so a duplicate task or a second worker does
nothing; it hands the message to the transport outside any transaction, and records the
outcome. A failure is tried again after 1 min, 5 min, 30 min, 2 h and 12 h, then gives up.
``requeue_stalled`` gives a message whose worker died mid-send back to the queue."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr, make_msgid, parseaddr
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from attunement.audit.actions import record
from attunement.mail import messages
from attunement.mail.models import (
    SUPPRESSING,
    Delivery,
    MailEvent,
    MailOptOut,
    MailStatus,
    OutgoingMail,
    SuppressedAddress,
)
from attunement.mail.signals import mail_undeliverable

if TYPE_CHECKING:
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


@task(queue_name="mail")
def deliver_mail(mail_id: int) -> str:
    """The task a worker runs for one message (``deliver``)."""
    return deliver(mail_id)


def queue(message: EmailMessage) -> OutgoingMail:
    """Record one message and enqueue its delivery (in the caller's transaction, if any)."""
    if not message.from_email:
        message.from_email = settings.DEFAULT_FROM_EMAIL
    sender = _from_association(message, messages.header(message, messages.ASSOCIATION_HEADER))
    if not messages.header(message, "Message-ID"):
        # One Message-ID for every attempt: a receiver seeing a retry can tell it is the same mail.
        message.extra_headers["Message-ID"] = make_msgid(domain=_domain(message.from_email))
    with transaction.atomic():
        # An address that bounced or complained gets nothing until it is fixed; the message is
        # still recorded, so the page that asked for it can say so.
        purpose = messages.header(message, messages.PURPOSE_HEADER)
        blocked = suppressed(message.recipients()) | opted_out(message.recipients(), purpose)
        if blocked:
            message.to = [a for a in message.to if a.lower() not in blocked]
            message.cc = [a for a in message.cc if a.lower() not in blocked]
            message.bcc = [a for a in message.bcc if a.lower() not in blocked]
        if purpose in UNSUBSCRIBABLE and message.recipients():
            _offer_unsubscribe(message, purpose)
        mail = OutgoingMail.objects.create(
            purpose=purpose[:40],
            about=messages.header(message, messages.ABOUT_HEADER)[:120],
            recipients=list(message.recipients()) or sorted(blocked),
            to_address=(list(message.recipients()) or sorted(blocked) or [""])[0].lower()[:254],
            subject=str(message.subject)[:300],
            message=_with_html(messages.dump(message), sender),
            message_id=messages.header(message, "Message-ID")[:250],
            status=MailStatus.QUEUED if message.recipients() else MailStatus.SUPPRESSED,
        )
        if mail.status == MailStatus.QUEUED:
            deliver_mail.enqueue(mail.pk)
        else:
            logger.info("mail %s not sent: %s suppressed", mail.public_id, sorted(blocked))
    return mail


def _from_association(message: EmailMessage, slug: str) -> str:
    """A message from an association goes out under its name (the deployment's address, so SPF
    and DKIM hold) with a reply-to of the association's own address. Returns the name."""
    if not slug:
        return ""
    association = (
        apps.get_model("associations", "Association").objects.filter(slug=slug).only("name", "contact_email").first()
    )
    if association is None:
        return ""
    if message.from_email == settings.DEFAULT_FROM_EMAIL:
        _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
        message.from_email = formataddr((association.name, address))
    if not message.reply_to and association.contact_email:
        message.reply_to = [association.contact_email]
    return str(association.name)


def _with_html(data: dict[str, Any], sender: str) -> dict[str, Any]:
    """Every plain message also gets an HTML part with the same words (links made links), for
    mail programs that show HTML better; a message that brings its own is left as it is."""
    body = str(data.get("body") or "").strip()
    if data.get("alternatives") or data.get("content_subtype", "plain") != "plain" or not body:
        return data
    paragraphs = [p.strip() for p in body.replace("\r\n", "\n").split("\n\n") if p.strip()]
    html = render_to_string(
        "mail/message.html",
        {"subject": data.get("subject", ""), "sender": sender, "paragraphs": paragraphs,
         "language": translation.get_language() or settings.LANGUAGE_CODE},
    )  # fmt: skip
    return {**data, "alternatives": [{"content": {"text": html}, "mimetype": "text/html"}]}


# Kinds of mail a recipient may turn off with one click (RFC 8058 List-Unsubscribe-Post).
UNSUBSCRIBABLE = frozenset({"renewal_reminder"})
UNSUBSCRIBE_SALT = "attunement.mail.unsubscribe"


def unsubscribe_token(addresses: Sequence[str], purpose: str) -> str:
    """A signed link naming the addresses and the kind of mail; it does not expire (old
    reminders' links keep working) and can only turn that kind of mail off."""
    return signing.dumps({"a": sorted({a.lower() for a in addresses}), "p": purpose}, salt=UNSUBSCRIBE_SALT)


def _offer_unsubscribe(message: EmailMessage, purpose: str) -> None:
    url = settings.SITE_URL + reverse(
        "mail_unsubscribe", kwargs={"token": unsubscribe_token(message.recipients(), purpose)}
    )
    message.extra_headers["List-Unsubscribe"] = f"<{url}>"
    message.extra_headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    stop = _("To receive no more of these reminders: %(url)s") % {"url": url}
    message.body = f"{message.body}\n\n{stop}"


def opted_out(addresses: Sequence[str], purpose: str) -> set[str]:
    if purpose not in UNSUBSCRIBABLE:
        return set()
    folded = {a.lower() for a in addresses if a}
    return set(MailOptOut.objects.filter(address__in=folded, purpose=purpose).values_list("address", flat=True))


def opt_out(*, addresses: Sequence[str], purpose: str) -> int:
    """Record that ``addresses`` want no more ``purpose`` mail; returns how many were new."""
    if purpose not in UNSUBSCRIBABLE:
        raise ValueError(f"{purpose!r} mail cannot be turned off")
    rows = [MailOptOut(address=a.strip().lower()[:254], purpose=purpose) for a in addresses if a.strip()]
    before = MailOptOut.objects.filter(purpose=purpose, address__in=[r.address for r in rows]).count()
    MailOptOut.objects.bulk_create(rows, ignore_conflicts=True)
    return MailOptOut.objects.filter(purpose=purpose, address__in=[r.address for r in rows]).count() - before


def suppressed(addresses: Sequence[str]) -> set[str]:
    """Which of ``addresses`` (lower-cased) mail is not sent to now."""
    folded = {a.lower() for a in addresses if a}
    if not folded:
        return set()
    return set(
        SuppressedAddress.objects.filter(address__in=folded, lifted_at__isnull=True).values_list("address", flat=True)
    )


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
        if mail.status in (MailStatus.SENT, MailStatus.GAVE_UP, MailStatus.SUPPRESSED):
            return mail.status  # a duplicate task: already done
        blocked = suppressed(mail.recipients)
        if blocked and not {a.lower() for a in mail.recipients} - blocked:
            # Every recipient bounced or complained while this waited for a retry.
            mail.status = MailStatus.SUPPRESSED
            mail.save(update_fields=["status"])
            return mail.status
        stale = now - STALLED_AFTER
        if mail.status == MailStatus.SENDING and mail.attempt_started_at and mail.attempt_started_at > stale:
            return mail.status  # another worker is sending it right now
        mail.status, mail.attempts, mail.attempt_started_at = MailStatus.SENDING, mail.attempts + 1, now
        mail.next_attempt_at = None
        mail.save(update_fields=["status", "attempts", "attempt_started_at", "next_attempt_at"])
    attempt = mail.attempts
    message = messages.load(mail.message)
    try:
        transport = mailers[_transport()]
        transport.send_messages([message])
    except Exception as exc:  # any transport failure is recorded and retried
        return _failed(mail, attempt, f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH])
    OutgoingMail.objects.filter(pk=mail.pk, status=MailStatus.SENDING, attempts=attempt).update(
        status=MailStatus.SENT,
        sent_at=timezone.now(),
        last_error="",
        provider=str(getattr(transport, "esp_name", "") or "")[:40],
        provider_message_id=_provider_message_id(message)[:250],
    )
    return MailStatus.SENT


def _provider_message_id(message: EmailMessage) -> str:
    """The id the provider gave the message (anymail), or our own Message-ID over SMTP."""
    status = getattr(message, "anymail_status", None)
    ids = getattr(status, "message_id", None)
    if isinstance(ids, str) and ids:
        return ids
    if isinstance(ids, set):
        known = sorted(str(i) for i in ids if i)
        if known:
            return known[0]
    return messages.header(message, "Message-ID")


def _failed(mail: OutgoingMail, attempt: int, error: str) -> str:
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


# --- What the provider reports (tracking webhooks, through anymail) ----------------------------

# anymail's normalised event types, and what each says about delivery.
EVENT_DELIVERY = {
    "delivered": Delivery.DELIVERED,
    "deferred": Delivery.DEFERRED,
    "bounced": Delivery.BOUNCED,
    "complained": Delivery.COMPLAINED,
    "rejected": Delivery.REJECTED,
}


@dataclass(frozen=True)
class TrackingOutcome:
    known: bool  # the message id is one of ours
    duplicate: bool  # the provider sent this event before


@transaction.atomic
def record_tracking(
    *,
    provider: str,
    event_type: str,
    message_id: str,
    recipient: str = "",
    event_id: str = "",
    description: str = "",
    mta_response: str = "",
    reject_reason: str = "",
    occurred_at: datetime | None = None,
) -> TrackingOutcome:
    """Record one tracking event and act on it: the message's delivery, and after a bounce, a
    complaint or a refusal, the address suppressed and the app that sent it told. An event for a
    message that is not ours is logged and acknowledged; an event seen before changes nothing."""
    provider, recipient = provider[:40], (recipient or "").strip().lower()[:254]
    mail = (
        OutgoingMail.objects.select_for_update().filter(provider_message_id=message_id).order_by("-id").first()
        if message_id
        else None
    )
    if event_id and MailEvent.objects.filter(provider=provider, provider_event_id=event_id[:250]).exists():
        return TrackingOutcome(known=mail is not None, duplicate=True)
    MailEvent.objects.create(
        mail=mail,
        provider=provider,
        event_type=event_type[:20],
        provider_event_id=event_id[:250],
        provider_message_id=(message_id or "")[:250],
        recipient=recipient,
        description=description or "",
        mta_response=mta_response or "",
        reject_reason=(reject_reason or "")[:40],
        occurred_at=occurred_at,
    )
    if mail is None:
        logger.info("tracking event %s from %s for an unknown message id %r", event_type, provider, message_id)
        return TrackingOutcome(known=False, duplicate=False)
    delivery = EVENT_DELIVERY.get(event_type)
    if delivery is None:  # opened, clicked, queued, sent, unsubscribed: kept as events only
        return TrackingOutcome(known=True, duplicate=False)
    # A later "delayed" never hides an earlier bounce or delivery.
    if not (delivery == Delivery.DEFERRED and mail.delivery in (*SUPPRESSING, Delivery.DELIVERED)):
        OutgoingMail.objects.filter(pk=mail.pk).update(delivery=delivery, delivery_at=occurred_at or timezone.now())
        mail.delivery = delivery
    if delivery in SUPPRESSING:
        address = recipient or (mail.recipients[0].lower() if mail.recipients else "")
        if address:
            suppress(address=address, reason=delivery, description=mta_response or description or "", mail=mail)
        mail_undeliverable.send(sender=OutgoingMail, mail=mail, delivery=delivery, recipient=address)
    return TrackingOutcome(known=True, duplicate=False)


def suppress(*, address: str, reason: str, description: str = "", mail: OutgoingMail | None = None) -> None:
    address = address.strip().lower()
    with transaction.atomic():
        if SuppressedAddress.objects.select_for_update().filter(address=address, lifted_at__isnull=True).exists():
            return
        SuppressedAddress.objects.create(address=address, reason=reason, description=description[:2000], mail=mail)
    logger.warning("mail to %s suppressed after %s", address, reason)


def lift_suppression(*, actor: User | None, address: str, bounces_only: bool = False) -> bool:
    """Mail goes to ``address`` again. ``bounces_only``: a complaint stays (the recipient asked
    for no mail; the person who gave the address cannot lift that, only staff)."""
    address = address.strip().lower()
    with transaction.atomic():
        active = SuppressedAddress.objects.select_for_update().filter(address=address, lifted_at__isnull=True)
        if bounces_only:
            active = active.exclude(reason=Delivery.COMPLAINED)
        rows = list(active)
        if not rows:
            return False
        SuppressedAddress.objects.filter(pk__in=[r.pk for r in rows]).update(
            lifted_at=timezone.now(), lifted_by=actor if actor is not None and actor.is_authenticated else None
        )
        for row in rows:
            record(actor=actor, verb="mail.suppression.lifted", target=row, data={"reason": row.reason})
    return True
