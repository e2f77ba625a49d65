"""Reads of the mail app: how the last message about a thing fared."""

from __future__ import annotations

from collections.abc import Iterable

from attunement.mail.models import OutgoingMail


def about(kind: str, public_id: object) -> str:
    """The ``about`` key a sender gives a message, e.g. ``portfolios.reference:<uuid>``."""
    return f"{kind}:{public_id}"


def latest_about(keys: Iterable[str]) -> dict[str, OutgoingMail]:
    """The most recent message about each key, in one query."""
    keys = list(keys)
    latest: dict[str, OutgoingMail] = {}
    if not keys:
        return latest
    for mail in (
        OutgoingMail.objects.filter(about__in=keys)
        .order_by("about", "-created_at", "-id")
        .only("about", "status", "created_at", "sent_at", "attempts", "next_attempt_at")
    ):
        latest.setdefault(mail.about, mail)
    return latest


def mail_to(addresses: Iterable[str], *, limit: int = 20) -> list[OutgoingMail]:
    """The latest messages to a person's addresses (staff see them on the person's page)."""
    folded = sorted({a.strip().lower() for a in addresses if a and a.strip()})
    if not folded:
        return []
    return list(
        OutgoingMail.objects.filter(to_address__in=folded)
        .only(
            "public_id", "subject", "purpose", "status", "delivery", "created_at", "sent_at", "to_address", "last_error"
        )
        .order_by("-created_at", "-id")[:limit]
    )
