"""Indicators ``attunement.indicators/1`` (spec: workforce-checkin.md), from check-in responses.

Pure Python, no database: the command line, imports and dashboards all call :func:`compute`,
so a figure is computed the same way wherever it is shown. Any figure computed from fewer
than :data:`MIN_CELL` respondents is ``None`` (shown as ``null``): small cells are suppressed.
Respondent counts (all, by region, by role, by service level; those without a region or a
service level count as a group of their own that is never shown) are also suppressed where they
would give a small one away by subtraction, with their shares
(:func:`respondent_suppression`, the same pattern in the indicator file and on the page).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from attunement.workforce.checkin import BARRIERS, Response
from attunement.workforce.suppression import MIN_CELL, protect

FORMAT = "attunement.indicators/1"
__all__ = ["FORMAT", "MIN_CELL", "compute", "compute_extra", "percent", "respondent_suppression"]


def respondent_suppression(rows: Sequence[Response]) -> set[tuple[str, str]]:
    """("all", ""), ("region", r), ("role", r) and ("level", l) of the respondent counts to
    suppress: each dimension's counts add up to all respondents."""
    atoms = Counter((row.region or "", row.role, row.service_level or "") for row in rows)
    figures: dict[tuple[str, str], list[tuple[str, str, str]]] = {("all", ""): sorted(atoms)}
    for atom in sorted(atoms):
        for dimension, value in zip(("region", "role", "level"), atom, strict=True):
            figures.setdefault((dimension, value), []).append(atom)
    groups = [
        (("all", ""), [key for key in figures if key[0] == dimension]) for dimension in ("region", "role", "level")
    ]
    return protect(atoms, figures, groups)


def percent(numerator: int, denominator: int) -> float | None:
    """Share in percent, one decimal rounded half up; ``None`` below the small-cell limit."""
    if denominator < MIN_CELL:
        return None
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(value)


def _share(rows: Iterable[Response], answer: Callable[[Response], Any], counts: Callable[[Any], bool]) -> float | None:
    answered = [value for value in (answer(row) for row in rows) if value is not None]
    return percent(sum(1 for value in answered if counts(value)), len(answered))


def race_group(row: Response) -> str | None:
    """``"poc"``, ``"white"`` or ``None`` (not answered, or only "prefer not to say").

    A person of colour lists any value other than ``white``; "prefer not to say" is not a race,
    so someone listing ``white`` and ``prefer_not_to_say`` counts as white."""
    races = (row.race_ethnicity or frozenset()) - {"prefer_not_to_say"}
    if not races:
        return None
    return "white" if races == {"white"} else "poc"


def _median(values: Sequence[float]) -> float | None:
    if len(values) < MIN_CELL:
        return None
    return round(float(statistics.median(values)), 2)


def compute(responses: Sequence[Response], year: int) -> dict[str, Any]:
    rows = [row for row in responses if row.year == year]
    hidden = respondent_suppression(rows)
    result: dict[str, Any] = {"format": FORMAT, "year": year}
    result["respondents"] = len(rows) if len(rows) >= MIN_CELL and ("all", "") not in hidden else None
    result["pct_specialized_training_foundations"] = _share(
        rows, lambda row: row.specialized_training_foundations, bool
    )
    result["pct_no_ebt_training"] = _share(rows, lambda row: row.ebt_trained, lambda value: value == {"none"})
    result["pct_endorsed"] = _share(rows, lambda row: row.endorsed, bool)
    result["pct_received_rs"] = _share(rows, lambda row: row.received_rs, bool)
    result["pct_people_of_color"] = _share(rows, race_group, lambda group: group == "poc")

    answered_barriers = [row.barriers for row in rows if row.barriers]
    result["barriers"] = {
        barrier: percent(sum(1 for listed in answered_barriers if barrier in listed), len(answered_barriers))
        for barrier in sorted(BARRIERS)
    }

    answered_topics = [row.desired_topics for row in rows if row.desired_topics]
    if len(answered_topics) < MIN_CELL:
        result["desired_topics_ranked"] = None
    else:
        tally = Counter(topic for listed in answered_topics for topic in listed)
        result["desired_topics_ranked"] = sorted(tally, key=lambda topic: (-tally[topic], topic))

    by_role: dict[str, list[Response]] = defaultdict(list)
    for row in rows:
        by_role[row.role].append(row)
    overtime: dict[str, float | None] = {}
    salaries: dict[str, dict[str, float | None]] = {}
    for role in sorted(by_role):
        hours = [
            (row.paid_hours_week, row.worked_hours_week)
            for row in by_role[role]
            if row.paid_hours_week is not None and row.worked_hours_week is not None
        ]
        overtime[role] = percent(sum(1 for paid, worked in hours if worked > paid), len(hours))
        groups: dict[str, list[float]] = {"poc": [], "white": []}
        for row in by_role[role]:
            group = race_group(row)
            if group is not None and row.annual_salary is not None:
                groups[group].append(row.annual_salary)
        poc, white = _median(groups["poc"]), _median(groups["white"])
        gap = round(white - poc, 2) if poc is not None and white is not None else None
        salaries[role] = {"poc": poc, "white": white, "gap": gap}
    result["pct_worked_beyond_paid_by_role"] = overtime
    result["median_salary_by_role_and_poc"] = salaries

    by_region: dict[str, list[Response]] = defaultdict(list)
    for row in rows:
        if row.region:
            by_region[row.region].append(row)
    regions: dict[str, dict[str, Any]] = {}
    for region in sorted(by_region):
        members = by_region[region]
        if len(members) < MIN_CELL or ("region", region) in hidden:
            regions[region] = {"respondents": None, "pct_endorsed": None, "pct_received_rs": None}
        else:
            regions[region] = {
                "respondents": len(members),
                "pct_endorsed": _share(members, lambda row: row.endorsed, bool),
                "pct_received_rs": _share(members, lambda row: row.received_rs, bool),
            }
    result["by_region"] = regions
    return result


def years(responses: Iterable[Response]) -> list[int]:
    return sorted({row.year for row in responses})


def compute_extra(responses: Sequence[Response], year: int) -> dict[str, Any]:
    """Dashboard figures beyond the format's, with the same suppression: diversity by service
    level and reflective-supervision reach by role."""
    rows = [row for row in responses if row.year == year]
    hidden = respondent_suppression(rows)
    by_level: dict[str, list[Response]] = defaultdict(list)
    by_role: dict[str, list[Response]] = defaultdict(list)
    for row in rows:
        by_level[row.service_level or ""].append(row)
        by_role[row.role].append(row)
    diversity = {
        level: {
            "respondents": len(members) if len(members) >= MIN_CELL else None,
            "pct_people_of_color": _share(members, race_group, lambda group: group == "poc"),
        }
        if ("level", level) not in hidden
        else {"respondents": None, "pct_people_of_color": None}
        for level, members in sorted(by_level.items())
        if level
    }
    reach = {
        role: {
            "respondents": len(members) if len(members) >= MIN_CELL else None,
            "pct_received_rs": _share(members, lambda row: row.received_rs, bool),
        }
        if ("role", role) not in hidden
        else {"respondents": None, "pct_received_rs": None}
        for role, members in sorted(by_role.items())
    }
    return {"diversity_by_service_level": diversity, "rs_reach_by_role": reach}
