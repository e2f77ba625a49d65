"""Reads of the training hub that span relations: the catalog, a roster, a transcript, feeds."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from attunement.associations.models import Association
from attunement.portfolios.models import Portfolio, Training, Verification
from attunement.training.models import CourseStatus, Delivery, Part, Registration, RegistrationStatus, Session
from attunement.workforce.checkin import TOPICS

PAGE = 20


def num(value: Decimal) -> str:
    """Hours for people and files: 6.00 -> "6", 1.50 -> "1.5"."""
    return format(value.normalize(), "f")


@dataclass
class CatalogFilters:
    topic: str = ""
    domain: str = ""
    language: str = ""
    region: str = ""
    virtual: bool = False
    free: bool = False
    date_from: dt.date | None = None
    after: tuple[dt.date, int] | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> CatalogFilters:
        def day(value: str) -> dt.date | None:
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                return None

        after = None
        raw_after = params.get("after", "")
        if "." in raw_after:
            when, _dot, key = raw_after.partition(".")
            parsed = day(when)
            if parsed and key.isdigit():
                after = (parsed, int(key))
        topic = params.get("topic", "")
        return cls(
            topic=topic if topic in TOPICS else "",
            domain=params.get("domain", "").strip()[:60],
            language=params.get("language", "").strip()[:10],
            region=params.get("region", "").strip()[:100],
            virtual=params.get("virtual") == "yes",
            free=params.get("free") == "yes",
            date_from=day(params.get("from", "")),
            after=after,
        )


def upcoming(association: Association, today: dt.date) -> QuerySet[Session]:
    """Sessions of approved courses still to come (or under way), not cancelled."""
    return Session.objects.filter(
        association=association,
        course__status=CourseStatus.APPROVED,
        cancelled_at__isnull=True,
        finalised_at__isnull=True,
        ends_on__gte=today,
    )


def catalog(association: Association, filters: CatalogFilters, today: dt.date) -> tuple[list[Session], str]:
    """One page of the catalog (keyset on first day and id) and the ``after`` key of the next.

    Two queries: the page (course and provider joined), then the seats taken on that page."""
    qs = upcoming(association, today)
    if filters.date_from:
        qs = qs.filter(starts_on__gte=filters.date_from)
    if filters.topic:
        qs = qs.filter(course__tags__contains=f",topic:{filters.topic},")
    if filters.domain:
        qs = qs.filter(course__tags__contains=f",domain:{filters.domain},")
    if filters.language:
        qs = qs.filter(course__language=filters.language)
    if filters.region:
        qs = qs.filter(region__icontains=filters.region)
    if filters.virtual:
        qs = qs.filter(delivery__in=[Delivery.VIRTUAL, Delivery.HYBRID])
    if filters.free:
        qs = qs.filter(fee_cents=0)
    if filters.after:
        day, key = filters.after
        qs = qs.filter(Q(starts_on__gt=day) | Q(starts_on=day, id__gt=key))
    rows: list[Any] = list(
        # select_related: every row shows its course and provider.
        qs.select_related("course", "course__provider").order_by("starts_on", "id")[: PAGE + 1]
    )
    # The seats taken, for this page only (a GROUP BY in the page query would count every
    # matching session's registrations before the LIMIT: its cost grew with the catalog).
    taken = dict(
        Registration.objects.filter(session__in=[r.pk for r in rows], status=RegistrationStatus.REGISTERED)
        .values_list("session")
        .annotate(n=Count("id"))
        .values_list("session", "n")
    )
    for row in rows:
        row.taken = taken.get(row.pk, 0)
        row.left = max(0, row.capacity - row.taken)
    more = ""
    if len(rows) > PAGE:
        rows = rows[:PAGE]
        more = f"{rows[-1].starts_on.isoformat()}.{rows[-1].pk}"
    return rows, more


def seats_taken(session: Session) -> int:
    return session.registrations.filter(status=RegistrationStatus.REGISTERED).count()


def own_registration(session: Session, person: Any) -> Registration | None:
    if not getattr(person, "is_authenticated", False):
        return None
    return (
        Registration.objects.filter(session=session, person=person).exclude(status=RegistrationStatus.CANCELLED).first()
    )


@dataclass
class RosterRow:
    registration: Registration
    marks: list[tuple[Part, bool, Decimal | None]]
    hours: Decimal


@dataclass
class Roster:
    parts: list[Part]
    rows: list[RosterRow]
    waitlist: list[Registration]
    complete: bool


def roster(session: Session) -> Roster:
    """Registered people with their attendance per part, and the waitlist: three queries."""
    parts = list(session.parts.order_by("position"))
    registrations = list(
        # select_related: the person's name and address are shown; prefetch: their attendance.
        Registration.objects.select_related("person")
        .filter(session=session)
        .exclude(status=RegistrationStatus.CANCELLED)
        .prefetch_related("attendance")
        .order_by("status", "position", "created_at", "id")
    )
    rows = []
    waitlist = []
    complete = True
    for registration in registrations:
        if registration.status == RegistrationStatus.WAITLISTED:
            waitlist.append(registration)
            continue
        by_part = {a.part_id: a for a in registration.attendance.all()}
        marks = []
        for part in parts:
            mark = by_part.get(part.pk)
            if mark is None:
                complete = False
            marks.append((part, bool(mark and mark.present), mark.hours if mark else None))
        hours = sum((h for _p, present, h in marks if present and h is not None), Decimal(0))
        rows.append(RosterRow(registration, marks, hours))
    waitlist.sort(key=lambda r: (r.position or 0, r.pk))
    return Roster(parts=parts, rows=rows, waitlist=waitlist, complete=complete and bool(parts))


def sessions_for_trainer(association: Association, user: Any, managers: bool) -> list[Session]:
    """The sessions a person runs (all of the association's for coordinators), newest first."""
    qs = Session.objects.filter(association=association)
    if not managers:
        qs = qs.filter(Q(trainer=user) | Q(course__provider__trainers=user)).distinct()
    # select_related: each row shows its course.
    return list(qs.select_related("course").order_by("-starts_on", "-id")[:100])


@dataclass
class Transcript:
    entries: list[Training]
    total: Decimal = Decimal(0)
    verified: Decimal = Decimal(0)
    self_reported: Decimal = Decimal(0)
    dei: Decimal = Decimal(0)
    about_rsc: Decimal = Decimal(0)
    pending: int = 0
    # Attendance certificates: training entry id -> the registration it came from.
    certificates: dict[int, Registration] = field(default_factory=dict)


def transcript(person: Any) -> Transcript:
    """Every training record of ``person``'s portfolio, with totals; two queries."""
    portfolio = Portfolio.objects.filter(person=person).first()
    entries = list(Training.objects.filter(portfolio=portfolio).order_by("-date", "id")) if portfolio else []
    result = Transcript(entries=entries)
    for entry in entries:
        result.total += entry.hours
        if entry.verification == Verification.VERIFIED:
            result.verified += entry.hours
        else:
            result.self_reported += entry.hours
        if entry.dei:
            result.dei += entry.hours
        if entry.about_rsc:
            result.about_rsc += entry.hours
    finished = list(
        Registration.objects.filter(person=person, credited_hours__gt=0, session__finalised_at__isnull=False).only(
            "public_id", "training_entry_id"
        )
    )
    result.pending = sum(1 for r in finished if r.training_entry_id is None)
    result.certificates = {r.training_entry_id: r for r in finished if r.training_entry_id is not None}
    for entry in entries:
        entry.attended = result.certificates.get(entry.pk)  # type: ignore[attr-defined]
    return result


def certificate(code: str, association: Association | None = None) -> Registration | None:
    """A finalised attendance by its certificate code (with the session, course and person)."""
    qs = Registration.objects.select_related("person", "session__course__provider", "session__association").filter(
        certificate_code=code.strip().upper(), credited_hours__gt=0, session__finalised_at__isnull=False
    )
    if association is not None:
        qs = qs.filter(session__association=association)
    return qs.first()


def person_calendar(person: Any) -> list[Session]:
    """The sessions ``person`` is registered or waitlisted for, with their parts."""
    return list(
        Session.objects.filter(
            registrations__person=person,
            registrations__status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED],
        )
        .select_related("course", "association")
        .prefetch_related(Prefetch("parts", queryset=Part.objects.order_by("position")))
        .order_by("starts_on", "id")[:500]
    )


def association_calendar(association: Association, today: dt.date) -> list[Session]:
    return list(
        upcoming(association, today)
        .select_related("course", "association")
        .prefetch_related(Prefetch("parts", queryset=Part.objects.order_by("position")))
        .order_by("starts_on", "id")[:500]
    )
