"""Dashboard roll-ups: each dashboard's figures for one association, computed with a few
GROUP BY queries over credentials, applications and workforce profiles and stored in one
:class:`~attunement.workforce.models.Rollup` row, so a dashboard page costs the same with ten
people or a million. Counts are stored exact; pages and exports suppress cells under
``MIN_CELL`` when they show them (a sum over filters is suppressed after summing).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import CharField, Count, F, Q, Value
from django.db.models.functions import Coalesce, ExtractYear, NullIf
from django.utils import timezone

from attunement.associations.models import Association
from attunement.endorsement.models import Application, Credential, CredentialStatus, State
from attunement.workforce.models import Programme, RegionTarget

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
    cube: Counter[tuple[int, str, str, str]] = Counter()
    for group in groups:
        if group["status"] in CURRENT:
            last = today.year
        else:  # held until its validity ended (lapsed, inactive, archived), never this year
            last = min(today.year - 1, (group["until_year"] or today.year) - 1)
        for year in range(max(group["since_year"], first), last + 1):
            cube[(year, group["category"], group["region"], group["sector"])] += group["n"]
    return {
        "as_of": today.isoformat(),
        "cells": [[*key, n] for key, n in sorted(cube.items())],
    }


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
    rows = (
        Application.objects.filter(association=association)
        .values_list("category", "state", "registered_at", "submitted_at", "state_changed_at")
        .order_by()
    )
    for category, state, registered, submitted, changed in rows.iterator(chunk_size=5000):
        year = timezone.localtime(registered).year
        for group in (groups[""], groups[category]):  # every category together, and this one
            group.add(state, year, registered, submitted, changed, now)
    return {"as_of": now.isoformat(), "categories": {key: group.figures() for key, group in sorted(groups.items())}}


@dataclass
class _Pipeline:
    in_state: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    to_submit: list[float] = field(default_factory=list)
    to_decision: list[float] = field(default_factory=list)
    overall: list[float] = field(default_factory=list)
    funnel: dict[int, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, state: str, year: int, registered: datetime, submitted: datetime | None, changed: datetime,
            now: datetime) -> None:  # fmt: skip
        self.funnel[year]["registered"] += 1
        if submitted is not None:
            self.funnel[year]["submitted"] += 1
            if (days := _days(registered, submitted)) is not None:
                self.to_submit.append(days)
        if state in OPEN_STATES:
            if (days := _days(changed, now)) is not None:
                self.in_state[state].append(days)
        elif state in DONE_STATES:
            self.funnel[year]["endorsed"] += 1
            if (days := _days(submitted, changed)) is not None:
                self.to_decision.append(days)
            if (days := _days(registered, changed)) is not None:
                self.overall.append(days)
        elif state == State.WITHDRAWN:
            self.funnel[year]["withdrawn"] += 1

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
    by_region = {
        row["region"]: row["n"]
        for row in held.values(region=_region()).annotate(n=Count("person", distinct=True)).order_by()
    }
    targets = dict(RegionTarget.objects.filter(association=association).values_list("region", "endorsed_target"))
    regions = [
        {"region": region, "endorsed": by_region.get(region, 0), "target": targets.get(region)}
        for region in sorted(set(by_region) | set(targets))
        if region
    ]
    programmes = (
        Programme.objects.filter(association=association)
        .annotate(
            endorsed=Count(
                "profiles__person",
                filter=Q(
                    profiles__person__credentials__association=association,
                    profiles__person__credentials__status__in=CURRENT,
                ),
                distinct=True,
            )
        )
        .values_list("name", "region", "endorsed_target", "endorsed")
        .order_by("name")
    )
    return {
        "regions": regions,
        "unknown_region": by_region.get("", 0),
        "programmes": [
            {"programme": name, "region": region, "target": target, "endorsed": endorsed_count}
            for name, region, target, endorsed_count in programmes
        ],
    }


ROLLUPS = {"endorsed": endorsed, "pipeline": pipeline, "coverage": coverage}
