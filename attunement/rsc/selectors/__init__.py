"""Reads of the RS/C app that span relations: the roster, a group, the ledgers, the programme report."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from attunement.associations.models import Association
from attunement.endorsement.eligibility import NoRuleSet, build, judge, rule_set_version_in_force
from attunement.endorsement.models import Credential
from attunement.endorsement.rules.categories import CODES as CATEGORY_CODES
from attunement.people.languages import WORK_LANGUAGE_CODES
from attunement.people.models import User
from attunement.portfolios.models import RSC, Portfolio
from attunement.portfolios.needs import needs_from_report
from attunement.rsc.models import (
    Attendance,
    Group,
    IndividualRequest,
    IndividualSession,
    Membership,
    MembershipStatus,
    Programme,
    ProviderProfile,
    RequestStatus,
    SessionStatus,
)
from attunement.rsc.selectors.qualify import CURRENT, Held, Verdict, categories_on, check, continuity, held_credentials

PAGE = 50
JOINED = [MembershipStatus.ACTIVE, MembershipStatus.LEFT]


def vetted_allowed(association: Association, on: date) -> bool:
    """Whether any RS/C requirement of the association's rule set in force accepts vetted providers."""
    try:
        rules = build(rule_set_version_in_force(association, on))
    except NoRuleSet:
        return False
    return any(
        req.get("allow_vetted") for cat in rules.categories.values() for req in cat.earn if req.get("type") == "rsc"
    )


@dataclass(frozen=True)
class RosterFilters:
    format: str = ""
    language: str = ""
    virtual: bool = False
    region: str = ""
    category: str = ""
    after: int = 0

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> RosterFilters:
        after = params.get("after", "")
        return cls(
            format=params.get("format", "") if params.get("format") in {"individual", "group"} else "",
            language=params.get("language", "") if params.get("language") in WORK_LANGUAGE_CODES else "",
            virtual=params.get("virtual") == "yes",
            region=params.get("region", "").strip()[:100],
            category=params.get("category", "") if params.get("category") in CATEGORY_CODES else "",
            after=int(after) if after.isdigit() else 0,
        )


@dataclass
class RosterRow:
    profile: ProviderProfile
    categories: list[str]


def _held_today(today: date, **outer: Any) -> Exists:
    return Exists(
        Credential.objects.filter(person=OuterRef("person"), status__in=CURRENT, since__lte=today, **outer).filter(
            Q(valid_through__isnull=True) | Q(valid_through__gte=today)
        )
    )


def roster(association: Association, filters: RosterFilters) -> tuple[list[RosterRow], int | None]:
    """Providers accepting new supervisees, endorsed today (or vetted where the rules allow),
    one keyset page (3 queries, whatever the number of rows)."""
    today = timezone.localdate()
    listed = Q(_held_today(today))
    if vetted_allowed(association, today):
        listed |= Q(vetted=True)
    rows = ProviderProfile.objects.filter(listed, association=association, accepting_new=True)
    if filters.format == "individual":
        rows = rows.filter(offers_individual=True)
    elif filters.format == "group":
        rows = rows.filter(offers_group=True)
    if filters.language:
        rows = rows.filter(languages__icontains=f'"{filters.language}"')
    if filters.virtual:
        rows = rows.filter(virtual=True)
    if filters.region:
        rows = rows.filter(Q(regions__icontains=filters.region) | Q(virtual=True))
    if filters.category:
        rows = rows.filter(_held_today(today, category=filters.category))
    # select_related: each row shows the provider's name.
    page = list(rows.filter(pk__gt=filters.after).select_related("person").order_by("pk")[: PAGE + 1])
    more = page[PAGE - 1].pk if len(page) > PAGE else None
    page = page[:PAGE]
    held = held_credentials([p.person_id for p in page])
    return [RosterRow(p, categories_on(held.get(p.person_id, []), today)) for p in page], more


def active_count() -> Count:
    return Count("memberships", filter=Q(memberships__status=MembershipStatus.ACTIVE), distinct=True)


def open_groups(profile: ProviderProfile) -> list[Group]:
    return list(Group.objects.filter(provider=profile, ends__gte=timezone.localdate()).annotate(members=active_count()))


def get_profile(association: Association, public_id: uuid.UUID) -> ProviderProfile | None:
    # select_related: the page shows the provider's name and association.
    return (
        ProviderProfile.objects.select_related("person", "association")
        .filter(association=association, public_id=public_id)
        .first()
    )


def get_group(association: Association, public_id: uuid.UUID) -> Group | None:
    # select_related: the group page shows its provider and programme.
    return (
        Group.objects.select_related("provider__person", "association", "programme")
        .annotate(members=active_count())
        .filter(association=association, public_id=public_id)
        .first()
    )


def hours_by_provider(entries: list[RSC]) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for e in entries:
        if e.peer:
            continue
        key = e.provider_name
        out[key] = out.get(key, Decimal(0)) + e.hours
    return out


@dataclass
class JoinCheck:
    verdict: Verdict
    advice: list[str]
    portfolio: Portfolio | None


def provider_check(
    user: User, provider: ProviderProfile, first: date, last: date, held: list[Held] | None = None
) -> JoinCheck:
    """What a person sees before joining a group or asking for individual RS/C: does the
    provider's RS/C count toward their aim, and the continuity advice."""
    portfolio = Portfolio.objects.select_related("association").filter(person=user).first()
    name = provider.person.legal_name or provider.person.display_name
    if held is None:
        held = held_credentials([provider.person_id]).get(provider.person_id, [])
    verdict = check(
        provider_name=name,
        held=held,
        vetted=provider.vetted,
        aim=portfolio.aim if portfolio else "",
        association=portfolio.association if portfolio else provider.association,
        first=first,
        last=last,
    )
    advice: list[str] = []
    if portfolio is not None:
        entries = list(RSC.objects.filter(portfolio=portfolio))
        advice = continuity(hours_by_provider(entries), joining=name)
    return JoinCheck(verdict, advice, portfolio)


def join_check(user: User, group: Group, held: list[Held] | None = None) -> JoinCheck:
    """The check for a group: from its next meeting (or its start) to its last."""
    first = min(max(group.starts, timezone.localdate()), group.ends)
    return provider_check(user, group.provider, first, group.ends, held)


def group_members(group: Group) -> list[Membership]:
    # select_related: each row shows the supervisee.
    return list(
        group.memberships.exclude(status=MembershipStatus.DECLINED)
        .select_related("supervisee")
        .order_by("status", "id")
    )


def group_meetings(group: Group) -> list[Any]:
    return list(
        group.meetings.annotate(present=Count("attendance", filter=Q(attendance__present=True))).order_by("-date")
    )


@dataclass
class Ledger:
    portfolio: Portfolio | None
    entries: list[RSC] = field(default_factory=list)
    by_provider: list[tuple[str, Decimal]] = field(default_factory=list)
    total: Decimal = Decimal(0)
    requirement: dict[str, Any] | None = None
    need: Any = None
    window: tuple[date, date] | None = None
    counted: set[int] = field(default_factory=set)
    advice: list[str] = field(default_factory=list)
    sessions: list[IndividualSession] = field(default_factory=list)
    requests: list[IndividualRequest] = field(default_factory=list)


def ledger(user: User) -> Ledger:
    """The supervisee's RS/C: every entry, hours by provider, and what the engine counts toward
    the aimed-at category (the same report as 'what do I still need')."""
    portfolio = Portfolio.objects.select_related("association").filter(person=user).first()
    sessions = list(IndividualSession.objects.filter(supervisee=user).order_by("-date", "id")[:PAGE])
    # select_related: each row names the provider.
    requests = list(
        IndividualRequest.objects.filter(supervisee=user)
        .select_related("provider__person")
        .order_by("-created_at")[:PAGE]
    )
    if portfolio is None:
        return Ledger(None, sessions=sessions, requests=requests)
    entries = list(RSC.objects.filter(portfolio=portfolio).order_by("start", "id"))
    by = hours_by_provider(entries)
    out = Ledger(
        portfolio,
        entries=entries,
        by_provider=sorted(by.items(), key=lambda kv: -kv[1]),
        total=sum((e.hours for e in entries), Decimal(0)),
        advice=continuity(by),
        sessions=sessions,
        requests=requests,
    )
    if not portfolio.aim:
        return out
    try:
        judgement = judge(portfolio, portfolio.aim)
    except NoRuleSet:
        return out
    req = next((r for r in judgement.report["requirements"] if r["id"] == "rsc"), None)
    if req is None:
        return out
    out.requirement = req
    out.need = next((n for n in needs_from_report(judgement.report, judgement.document) if n.id == "rsc"), None)
    docs = judgement.document["rsc"]
    counted = req.get("counted", [])
    if counted:
        starts = [date.fromisoformat(docs[c["index"]]["start"]) for c in counted]
        ends = [date.fromisoformat(docs[c["index"]]["end"] or judgement.report["as_of"]) for c in counted]
        out.window = (min(starts), max(ends))
        # The document lists the entries in (start, id) order, as ``entries`` is.
        dated = [e for e in entries if e.start <= date.fromisoformat(judgement.report["as_of"])]
        out.counted = {dated[c["index"]].pk for c in counted if c["index"] < len(dated)}
    return out


@dataclass
class Caseload:
    profiles: list[ProviderProfile]
    groups: Sequence[Group]
    hours_12m: Decimal
    supervisees_12m: int
    pending: list[IndividualSession]
    requests: list[IndividualRequest] = field(default_factory=list)


def caseload(user: User) -> Caseload:
    """The provider's groups, members and hours delivered in the last 12 months (group hours
    per member present, plus confirmed individual sessions)."""
    since = timezone.localdate() - timedelta(days=365)
    profiles = list(ProviderProfile.objects.filter(person=user).select_related("association"))
    groups = list(
        Group.objects.filter(provider__person=user)
        .select_related("association")
        .annotate(members=active_count(), held=Count("meetings", distinct=True))
        .order_by("-ends", "id")
    )
    attended = Attendance.objects.filter(
        meeting__group__provider__person=user, present=True, meeting__date__gte=since
    ).aggregate(hours=Sum("meeting__hours"), people=Count("membership__supervisee", distinct=True))
    individual = IndividualSession.objects.filter(
        provider__person=user, status=SessionStatus.CONFIRMED, date__gte=since
    ).aggregate(hours=Sum("hours"), people=Count("supervisee", distinct=True))
    pending = list(
        IndividualSession.objects.filter(provider__person=user, status=SessionStatus.LOGGED)
        .select_related("supervisee")
        .order_by("date", "id")[:PAGE]
    )
    requests = list(
        IndividualRequest.objects.filter(provider__person=user, status=RequestStatus.OPEN)
        .select_related("supervisee")
        .order_by("created_at", "id")[:PAGE]
    )
    return Caseload(
        profiles,
        groups,
        (attended["hours"] or Decimal(0)) + (individual["hours"] or Decimal(0)),
        (attended["people"] or 0) + (individual["people"] or 0),
        pending,
        requests,
    )


def programmes(association: Association) -> QuerySet[Programme]:
    return (
        Programme.objects.filter(association=association).annotate(group_count=Count("groups")).order_by("-created_at")
    )


@dataclass
class ReportRow:
    group: Group
    joined: int
    active: int
    meetings: int
    hours: Decimal

    @property
    def retention(self) -> int | None:
        return round(100 * self.active / self.joined) if self.joined else None


def programme_report(programme: Programme) -> tuple[list[ReportRow], ReportRow]:
    """Per group and in total: participants who joined, still active, meetings held, hours
    delivered (hours per member present), retention (active / joined). One query for the groups."""
    hours = (
        Attendance.objects.filter(meeting__group=OuterRef("pk"), present=True)
        .values("meeting__group")
        .annotate(total=Sum("meeting__hours"))
        .values("total")
    )
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=2))
    groups = list(
        programme.groups.select_related("provider__person")
        .annotate(
            joined=Count("memberships", filter=Q(memberships__status__in=JOINED), distinct=True),
            active=active_count(),
            held=Count("meetings", distinct=True),
            delivered=Coalesce(Subquery(hours, output_field=DecimalField(max_digits=12, decimal_places=2)), zero),
        )
        .order_by("id")
    )
    rows = [ReportRow(g, g.joined, g.active, g.held, Decimal(g.delivered)) for g in groups]
    total = ReportRow(
        Group(name=programme.name),
        sum(r.joined for r in rows),
        sum(r.active for r in rows),
        sum(r.meetings for r in rows),
        sum((r.hours for r in rows), Decimal(0)),
    )
    return rows, total
