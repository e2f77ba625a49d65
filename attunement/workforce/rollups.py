"""Dashboard roll-ups: each dashboard's figures for one association, computed with a few
GROUP BY queries over credentials, applications and workforce profiles and stored in one
:class:`~attunement.workforce.models.Rollup` row, so a dashboard page costs the same with ten
people or a million. Counts are stored exact, with the figures to suppress wherever they are
shown (:mod:`attunement.workforce.suppression`: small cells and the complementary cells that
would give them away, over every filter a page offers), so pages and exports only look them up.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import CharField, Count, F, Value
from django.db.models.functions import Coalesce, ExtractYear, NullIf
from django.utils import timezone

from attunement.associations.models import Association
from attunement.endorsement.models import Application, Credential, CredentialStatus, State
from attunement.workforce.models import Programme, RegionTarget
from attunement.workforce.suppression import cube, protect

CURRENT = [CredentialStatus.ACTIVE, CredentialStatus.EMERITUS]
# Suspended and revoked credentials are left out of every count, past years included.
NEVER_COUNTED = [CredentialStatus.SUSPENDED, CredentialStatus.REVOKED]
YEARS_SHOWN = 15
OPEN_STATES = [
    State.REGISTERED,
    State.IN_PROGRESS,
    State.SUBMITTED,
    State.UNDER_REVIEW,
    State.ON_HOLD,
    State.APPROVED_FOR_EXAM,
]
DONE_STATES = [State.ENDORSED, State.EMERGING]


def _region() -> Coalesce:
    """The region a person works in: the workforce profile's, else the account's."""
    return Coalesce(
        NullIf(F("person__workforce_profile__region"), Value("")),
        NullIf(F("person__region"), Value("")),
        Value(""),
        output_field=CharField(),
    )


def endorsed(association: Association, today: date | None = None) -> dict[str, Any]:
    """Credentials held at the end of each year (this year: today), by category, region and
    sector: one GROUP BY query, expanded over the years each group was held."""
    today = today or timezone.localdate()
    groups = (
        Credential.objects.filter(association=association)
        .exclude(status__in=NEVER_COUNTED)
        .values(
            "category",
            "status",
            since_year=ExtractYear("since"),
            until_year=ExtractYear("valid_through"),
            region=_region(),
            sector=Coalesce(F("person__workforce_profile__sector"), Value(""), output_field=CharField()),
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    first = today.year - YEARS_SHOWN + 1
    held: Counter[tuple[int, str, str, str]] = Counter()
    for group in groups:
        if group["status"] in CURRENT:
            last = today.year
        else:  # held until its validity ended (lapsed, inactive, archived), never this year
            last = min(today.year - 1, (group["until_year"] or today.year) - 1)
        for year in range(max(group["since_year"], first), last + 1):
            held[(year, group["category"], group["region"], group["sector"])] += group["n"]
    return {
        "as_of": today.isoformat(),
        "cells": [[*key, n] for key, n in sorted(held.items())],
        "suppressed": endorsed_suppressed(held),
    }


def endorsed_suppressed(held: dict[tuple[int, str, str, str], int]) -> list[list[Any]]:
    """[year, category, region, sector] of every figure to suppress, ``None`` standing for every
    value (no filter): each year's table with all its margins, as the filters can show them."""
    by_year: dict[int, dict[tuple[str, str, str], int]] = defaultdict(dict)
    for (year, *key), n in held.items():
        by_year[year][tuple(key)] = n  # type: ignore[index]
    return [[year, *figure] for year in sorted(by_year) for figure in sorted(cube(by_year[year]), key=repr)]


def _days(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None or end < start:
        return None
    return (end - start).total_seconds() / 86400


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def pipeline(association: Association, now: datetime | None = None) -> dict[str, Any]:
    """The way from registration to Endorsement: people in each open stage now and how long
    they have been there, the time each finished stage took, and each registration year's
    funnel. Exact counts and the values medians are taken from are reduced here to counts and
    medians with their group size, so suppression can be applied where they are shown."""
    now = now or timezone.now()
    groups: dict[str, _Pipeline] = defaultdict(_Pipeline)
    # The atoms of suppression: applications that count towards the very same figures.
    atoms: Counter[tuple[str, tuple[str, ...]]] = Counter()
    rows = (
        Application.objects.filter(association=association)
        .values_list("category", "state", "registered_at", "submitted_at", "state_changed_at")
        .order_by()
    )
    for category, state, registered, submitted, changed in rows.iterator(chunk_size=5000):
        slots = _slots(state, timezone.localtime(registered).year, registered, submitted, changed, now)
        for group in (groups[""], groups[category]):  # every category together, and this one
            group.add(slots)
        atoms[(category, tuple(slot for slot, _days in slots))] += 1
    return {
        "as_of": now.isoformat(),
        "categories": {key: group.figures() for key, group in sorted(groups.items())},
        "suppressed": pipeline_suppressed(atoms),
    }


def pipeline_suppressed(atoms: Counter[tuple[str, tuple[str, ...]]]) -> list[list[str]]:
    """[category ("" for all), figure] of every count to suppress: the figures are the open
    stages, the finished stages and each registration year's funnel (``open:<state>``,
    ``dur:<stage>``, ``funnel:<year>:<measure>``); each is the sum of its categories'."""
    figures: dict[tuple[str, str], list[tuple[str, tuple[str, ...]]]] = defaultdict(list)
    for atom in sorted(atoms):
        category, slots = atom
        for slot in slots:
            figures[(category, slot)].append(atom)
            figures[("", slot)].append(atom)
    parts: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for category, slot in figures:
        if category:
            parts[slot].append((category, slot))
    hidden = protect(atoms, figures, [(("", slot), members) for slot, members in parts.items()])
    return sorted([category, slot] for category, slot in hidden)


def _slots(state: str, year: int, registered: datetime, submitted: datetime | None, changed: datetime,
           now: datetime) -> list[tuple[str, float | None]]:  # fmt: skip
    """The figures one application counts towards, with the days it adds to their medians."""
    slots: list[tuple[str, float | None]] = [(f"funnel:{year}:registered", None)]
    if submitted is not None:
        slots.append((f"funnel:{year}:submitted", None))
        if (days := _days(registered, submitted)) is not None:
            slots.append(("dur:registered_to_submitted", days))
    if state in OPEN_STATES:
        if (days := _days(changed, now)) is not None:
            slots.append((f"open:{state}", days))
    elif state in DONE_STATES:
        slots.append((f"funnel:{year}:endorsed", None))
        if (days := _days(submitted, changed)) is not None:
            slots.append(("dur:submitted_to_endorsed", days))
        if (days := _days(registered, changed)) is not None:
            slots.append(("dur:registered_to_endorsed", days))
    elif state == State.WITHDRAWN:
        slots.append((f"funnel:{year}:withdrawn", None))
    return slots


@dataclass
class _Pipeline:
    in_state: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    to_submit: list[float] = field(default_factory=list)
    to_decision: list[float] = field(default_factory=list)
    overall: list[float] = field(default_factory=list)
    funnel: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, slots: list[tuple[str, float | None]]) -> None:
        durations = {
            "registered_to_submitted": self.to_submit,
            "submitted_to_endorsed": self.to_decision,
            "registered_to_endorsed": self.overall,
        }
        for slot, days in slots:
            kind, _sep, rest = slot.partition(":")
            if kind == "funnel":
                year, _sep, measure = rest.partition(":")
                self.funnel[int(year)][measure] += 1
            elif kind == "open":
                self.in_state[rest].append(days)  # type: ignore[arg-type]
            else:
                durations[rest].append(days)  # type: ignore[arg-type]

    def figures(self) -> dict[str, Any]:
        return {
            "open": [
                {"state": state, "n": len(self.in_state[state]), "median_days": _median(self.in_state[state])}
                for state in OPEN_STATES
            ],
            "durations": [
                {"stage": "registered_to_submitted", "n": len(self.to_submit), "median_days": _median(self.to_submit)},
                {
                    "stage": "submitted_to_endorsed",
                    "n": len(self.to_decision),
                    "median_days": _median(self.to_decision),
                },
                {"stage": "registered_to_endorsed", "n": len(self.overall), "median_days": _median(self.overall)},
            ],
            "funnel": [
                {
                    "year": year,
                    **{key: self.funnel[year][key] for key in ("registered", "submitted", "endorsed", "withdrawn")},
                }
                for year in sorted(self.funnel)
            ],
        }


def coverage(association: Association) -> dict[str, Any]:
    """Endorsed people now per region, and per programme, against the association's targets."""
    held = Credential.objects.filter(association=association, status__in=CURRENT)
    # Endorsed people by region and programme (a person has one profile: one of each), the atoms
    # that both the region and the programme counts are sums of.
    atoms: Counter[tuple[str, int | None]] = Counter()
    for row in (
        held.values(region=_region(), programme=F("person__workforce_profile__programme"))
        .annotate(n=Count("person", distinct=True))
        .order_by()
    ):
        atoms[(row["region"], row["programme"])] += row["n"]
    by_region: Counter[str] = Counter()
    for (region, _programme), n in atoms.items():
        by_region[region] += n
    targets = dict(RegionTarget.objects.filter(association=association).values_list("region", "endorsed_target"))
    regions = [
        {"region": region, "endorsed": by_region.get(region, 0), "target": targets.get(region)}
        for region in sorted(set(by_region) | set(targets))
        if region
    ]
    programmes = list(
        Programme.objects.filter(association=association).values_list("pk", "name", "region", "endorsed_target")
        .order_by("name")
    )  # fmt: skip
    own = {row[0] for row in programmes}
    figures: dict[tuple[str, Any], list[tuple[str, int | None]]] = defaultdict(list)
    for atom in sorted(atoms, key=repr):
        figures[("region", atom[0])].append(atom)  # the unknown region too: never shown, yet protected
        if atom[1] in own:
            figures[("programme", atom[1])].append(atom)
    hidden = protect(atoms, figures)
    by_programme: Counter[int] = Counter()
    for (_region_name, programme), n in atoms.items():
        if programme is not None:
            by_programme[programme] += n
    return {
        "regions": [{**row, "suppressed": ("region", row["region"]) in hidden} for row in regions],
        "unknown_region": by_region.get("", 0),
        "programmes": [
            {"programme": name, "region": region, "target": target, "endorsed": by_programme[pk],
             "suppressed": ("programme", pk) in hidden}
            for pk, name, region, target in programmes
        ],
    }  # fmt: skip


ROLLUPS = {"endorsed": endorsed, "pipeline": pipeline, "coverage": coverage}
