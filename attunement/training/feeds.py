"""A person's private calendar feed: its secret address, and rotating or revoking it.

The address carries a signed value: the person's public id, and after the first rotation a
random secret stored in :class:`CalendarFeed`. Rotating replaces the secret (the old address
then answers 404); revoking empties it (no address works until the person makes a new one).
The writes live here rather than in ``training.actions`` because they are the person's own
settings, not the training hub's."""

from __future__ import annotations

import secrets
import uuid

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from attunement.audit.actions import record
from attunement.lib.errors import ActionRefused
from attunement.people.models import User
from attunement.training.models import CalendarFeed

FEED_SALT = "attunement.training.feed"


def _signer() -> signing.Signer:
    return signing.Signer(salt=FEED_SALT)


def feed_token(user: User) -> str | None:
    """The token of the person's current address; ``None`` when they turned the feed off."""
    feed = CalendarFeed.objects.filter(person=user).first()
    if feed is None:
        return _signer().sign(str(user.public_id))
    if not feed.secret:
        return None
    return _signer().sign(f"{user.public_id}.{feed.secret}")


def person_for_token(token: str) -> User | None:
    """Whose feed ``token`` opens, or ``None`` (forged, rotated away, revoked, deactivated)."""
    try:
        value = _signer().unsign(token)
    except signing.BadSignature:
        return None
    public_id, _dot, secret = value.partition(".")
    try:
        uuid.UUID(public_id)
    except ValueError:
        return None
    person = User.objects.filter(public_id=public_id, is_active=True).first()
    if person is None:
        return None
    feed = CalendarFeed.objects.filter(person=person).first()
    if feed is None:
        return person if not secret else None
    return person if feed.secret and constant_time_compare(feed.secret, secret) else None


def _locked_feed(person: User) -> tuple[CalendarFeed, bool]:
    """The person's row, locked; made first if missing (``True`` when it was just made)."""
    created = False
    try:
        with transaction.atomic():
            CalendarFeed.objects.create(person=person, secret=secrets.token_urlsafe(24))
            created = True
    except IntegrityError:
        pass  # made at the same moment by another request: it exists now
    return CalendarFeed.objects.select_for_update().get(person=person), created


@transaction.atomic
def rotate_calendar_feed(*, actor: User) -> CalendarFeed:
    """A new secret address for the actor's own feed; the previous address stops working."""
    feed, created = _locked_feed(actor)
    was_on = created or bool(feed.secret)
    feed.secret = secrets.token_urlsafe(24)
    feed.changed_at = timezone.now()
    feed.save(update_fields=["secret", "changed_at"])
    record(
        actor=actor,
        verb="training.feed.rotated",
        target=feed,
        data={"previous_address": "replaced" if was_on else "was off"},
    )
    return feed


@transaction.atomic
def revoke_calendar_feed(*, actor: User) -> CalendarFeed:
    """Turn the actor's feed off: no address opens it until they make a new one."""
    feed, created = _locked_feed(actor)
    if not created and not feed.secret:
        raise ActionRefused(_("Your calendar address is already turned off."))
    feed.secret = ""
    feed.changed_at = timezone.now()
    feed.save(update_fields=["secret", "changed_at"])
    record(actor=actor, verb="training.feed.revoked", target=feed)
    return feed
