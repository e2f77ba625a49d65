"""iCalendar (RFC 5545) feeds, written by hand: one VEVENT per part of a session."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone

from attunement.training.models import Session


def escape(text: str) -> str:
    """TEXT values (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Lines longer than 75 octets are folded (CRLF and a space), never inside a character."""
    out: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(name: str, sessions: Iterable[Session], site_url: str = "") -> str:
    now = _stamp(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Attunement//Training hub//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape(name)}",
    ]
    for session in sessions:
        parts = list(session.parts.all())
        where = session.place or session.region or session.get_delivery_display()
        for part in parts:
            summary = (
                session.course.title if len(parts) == 1 else f"{session.course.title} ({part.position}/{len(parts)})"
            )
            lines += [
                "BEGIN:VEVENT",
                f"UID:{session.public_id}-{part.position}@attunement",
                f"DTSTAMP:{now}",
                f"DTSTART:{_stamp(part.starts_at)}",
                f"DTEND:{_stamp(part.ends_at)}",
                f"SUMMARY:{escape(summary)}",
                f"LOCATION:{escape(str(where))}",
                f"DESCRIPTION:{escape(session.course.description[:1000])}",
            ]
            if site_url:
                path = reverse(
                    "training:session",
                    kwargs={"association_slug": session.association.slug, "session_id": session.public_id},
                )
                lines.append(f"URL:{site_url}{path}")
            if session.cancelled_at:
                lines.append("STATUS:CANCELLED")
            lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
