"""No suppressed figure can be worked out from what is shown (issue 16.2, 27.6; quality bar R12).

For each dashboard this collects every number that the page (and so its CSV and XLSX, which
write the same tables) shows, over every filter a user can set, as a linear equation over the
unknown true counts: the *atoms*, the counts of the finest groups the data falls into, taken
here from the raw data and not from the suppression code. Then it solves, exactly (fractions),
for each suppressed figure: a figure is recovered when its atoms, as a vector, lie in the span
of the shown figures'. Zero atoms are taken as known (zero is shown). It runs on the demo's
figures and on generated small tables (fixed seed), and checks that what is derived from a
count (a median, "target met", the programmes meeting their target, a rank) is suppressed with
it."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from fractions import Fraction
from typing import Any

import pytest
from django.utils import timezone

from attunement.workforce.checkin import Response
from attunement.workforce.dashboards import (
    CATEGORY_LABELS,
    SECTOR_LABELS,
    STAGE_LABELS,
    STATE_LABELS,
    EndorsedFilters,
    coverage_tables,
    endorsed_choices,
    endorsed_tables,
    extra_tables,
    pipeline_choices,
    pipeline_tables,
)
from attunement.workforce.indicators import MIN_CELL, compute, compute_extra
from attunement.workforce.rollups import endorsed_suppressed

NOT_GIVEN = "Not given"


class Equations:
    """Shown figures and suppressed figures, each a set of atoms with its count."""

    def __init__(self, atoms: dict[Hashable, int]) -> None:
        self.atoms = {atom: n for atom, n in atoms.items() if n}
        self.shown: dict[frozenset[Hashable], int] = {}
        self.hidden: dict[frozenset[Hashable], str] = {}

    def figure(self, members: Iterable[Hashable], value: int | None, label: str) -> None:
        found = frozenset(atom for atom in members if atom in self.atoms)
        true = sum(self.atoms[atom] for atom in found)
        if value is None:
            assert true > 0, f"{label}: zero is shown, not suppressed"
            self.hidden.setdefault(found, label)
        else:
            assert value == true, f"{label}: shows {value}, the data say {true}"
            assert not 0 < value < MIN_CELL, f"{label}: a small count ({value}) is shown"
            self.shown[found] = value

    def recovered(self) -> list[str]:
        """The suppressed figures that the shown ones determine exactly."""
        index = {atom: i for i, atom in enumerate(sorted(self.atoms, key=repr))}
        basis: dict[int, dict[int, Fraction]] = {}
        for found in self.shown:
            row, lead = _reduce(basis, {index[atom]: Fraction(1) for atom in found})
            if lead is not None:
                pivot = row[lead]
                basis[lead] = {column: value / pivot for column, value in row.items()}
        return sorted(
            label
            for found, label in self.hidden.items()
            if _reduce(basis, {index[atom]: Fraction(1) for atom in found})[1] is None
        )


def _reduce(basis: dict[int, dict[int, Fraction]], row: dict[int, Fraction]) -> tuple[dict[int, Fraction], int | None]:
    while row:
        lead = min(row)
        if lead not in basis:
            return row, lead
        factor = row[lead]
        for column, value in basis[lead].items():
            updated = row.get(column, Fraction(0)) - factor * value
            if updated:
                row[column] = updated
            else:
                row.pop(column, None)
    return row, None


def test_the_solver_finds_a_cell_given_away_by_subtraction() -> None:
    # the one-at-a-time suppression of before: 15 shown, North's 12 shown, South's 3 suppressed
    equations = Equations({"north": 12, "south": 3})
    equations.figure(["north", "south"], 15, "total")
    equations.figure(["north"], 12, "north")
    equations.figure(["south"], None, "south")
    assert equations.recovered() == ["south"]
    protected = Equations({"north": 12, "south": 3})
    protected.figure(["north", "south"], 15, "total")
    protected.figure(["north"], None, "north")
    protected.figure(["south"], None, "south")
    assert protected.recovered() == []


# --- Endorsed workforce: every filter combination ---------------------------------------------------


def _reverse(labels: Mapping[str, Any], keys: Iterable[str]) -> dict[str, str]:
    return {(str(labels.get(key, key)) if key else NOT_GIVEN): key for key in keys}


def endorsed_equations(figures: dict[str, Any]) -> Equations:
    cells = {tuple(cell[:4]): cell[4] for cell in figures["cells"]}
    equations = Equations(cells)  # type: ignore[arg-type]
    choices = endorsed_choices(figures)
    values = [{cell[d] for cell in cells} for d in (1, 2, 3)]
    reverse = [_reverse(CATEGORY_LABELS, values[0]), _reverse({}, values[1]), _reverse(SECTOR_LABELS, values[2])]
    options = [[""] + [key for key, _label in choices[name]] for name in ("category", "region", "sector")]
    for chosen in itertools.product(*options):
        filters = EndorsedFilters(*chosen)

        def matches(cell: tuple[Any, ...], chosen: tuple[str, ...] = chosen) -> bool:
            return all(not want or cell[d + 1] == want for d, want in enumerate(chosen))

        selected = [cell for cell in cells if matches(cell)]
        latest = max((cell[0] for cell in selected), default=None)
        for table in endorsed_tables(figures, filters):
            label = f"{table.key} {chosen}"
            if table.key == "over_time":
                for year, value in table.rows:
                    equations.figure([c for c in selected if c[0] == year], value, f"{label} {year}")
                continue
            dimension = {"by_category": 0, "by_region": 1, "by_sector": 2}[table.key]
            for name, value in table.rows:
                key = reverse[dimension][name]
                members = [c for c in selected if c[0] == latest and c[dimension + 1] == key]
                equations.figure(members, value, f"{label} {name}")
            _check_rank(table.rows, label)
    return equations


def _check_rank(rows: list[list[Any]], label: str) -> None:
    """Shown rows by count, then the suppressed ones by name: the order says nothing of them."""
    shown = [row for row in rows if row[1] is not None]
    hidden = [row for row in rows if row[1] is None]
    assert rows == shown + hidden, f"{label}: a suppressed row is ranked among the shown ones"
    assert [row[1] for row in shown] == sorted((row[1] for row in shown), reverse=True), label
    assert [str(row[0]) for row in hidden] == sorted(str(row[0]) for row in hidden), f"{label}: ranked by count"


def _random_cube(rng: random.Random) -> dict[tuple[int, str, str, str], int]:
    years = rng.sample(range(2015, 2027), rng.randint(1, 2))
    categories = rng.sample(["IFS", "IFA", "IMHS", "ECFS"], rng.randint(1, 3))
    regions = rng.sample(["north", "south", "east", ""], rng.randint(1, 3))
    sectors = rng.sample(["mental_health", "home_visiting", ""], rng.randint(1, 3))
    weights = [0, 0, 1, 1, 2, 3, 4, 6, 9, 10, 11, 15, 30]
    return {
        (year, c, r, s): rng.choice(weights)
        for year in years
        for c in categories
        for r in regions
        for s in sectors
        if rng.random() < 0.8
    }


def test_endorsed_generated_tables_give_no_suppressed_cell_away() -> None:
    rng = random.Random(20261207)
    suppressed = 0
    for _ in range(120):
        held = {key: n for key, n in _random_cube(rng).items() if n}
        figures = {"cells": [[*key, n] for key, n in sorted(held.items())], "suppressed": endorsed_suppressed(held)}
        equations = endorsed_equations(figures)
        assert equations.recovered() == [], figures
        suppressed += len(equations.hidden)
    assert suppressed > 500  # the cases do suppress: many small cells


# --- Pipeline, coverage, indicators: the demo --------------------------------------------------------


def pipeline_equations(figures: dict[str, Any], applications: Iterable[Mapping[str, Any]]) -> Equations:
    """Atoms: applications of one category counted by the same figures (worked out here from the
    rows, as each figure is defined)."""
    done = {"endorsed", "emerging"}
    signatures: Counter[tuple[str, frozenset[str]]] = Counter()
    for app in applications:
        year = timezone.localtime(app["registered_at"]).year
        slots = {f"funnel:{year}:registered", f"open:{app['state']}"}
        if app["submitted_at"] is not None:
            slots |= {f"funnel:{year}:submitted", "dur:registered_to_submitted"}
        if app["state"] in done:
            slots |= {f"funnel:{year}:endorsed", "dur:registered_to_endorsed"}
            if app["submitted_at"] is not None:
                slots.add("dur:submitted_to_endorsed")
        if app["state"] == "withdrawn":
            slots.add(f"funnel:{year}:withdrawn")
        signatures[(app["category"], frozenset(slots))] += 1
    equations = Equations(signatures)  # type: ignore[arg-type]
    states = {str(label): key for key, label in STATE_LABELS.items()}
    stages = {str(label): key for key, label in STAGE_LABELS.items()}
    for category in ["", *(key for key, _label in pipeline_choices(figures))]:

        def atoms(slot: str, category: str = category) -> list[tuple[str, frozenset[str]]]:
            return [atom for atom in signatures if slot in atom[1] and category in ("", atom[0])]

        tables = {table.key: table for table in pipeline_tables(figures, category)}
        for name, n, median in tables["open"].rows:
            equations.figure(atoms(f"open:{states[name]}"), n, f"open {name} {category}")
            assert n is not None or median is None, f"the median of a suppressed count is shown: {name}"
        for name, n, median in tables["durations"].rows:
            equations.figure(atoms(f"dur:{stages[name]}"), n, f"durations {name} {category}")
            assert n is not None or median is None, f"the median of a suppressed count is shown: {name}"
        for year, *counts in tables["funnel"].rows:
            for measure, value in zip(("registered", "submitted", "endorsed", "withdrawn"), counts, strict=True):
                equations.figure(atoms(f"funnel:{year}:{measure}"), value, f"funnel {year} {measure} {category}")
    return equations


def coverage_equations(figures: dict[str, Any], people: Counter[tuple[str, str | None]]) -> Equations:
    """Atoms: endorsed people by (region, programme name)."""
    equations = Equations(people)  # type: ignore[arg-type]
    regions, programmes = coverage_tables(figures)
    for region, n, target, met in regions.rows:
        equations.figure([atom for atom in people if atom[0] == region], n, f"region {region}")
        assert n is not None or met in (None, "—"), f"'target met' of a suppressed count: {region} ({target})"
    for name, _region, n, target, met in programmes.rows:
        equations.figure([atom for atom in people if atom[1] == name], n, f"programme {name}")
        assert n is not None or met is None, f"'target met' of a suppressed count: {name} ({target})"
    shown_met = sum(1 for row in programmes.rows if row[4] == "Yes")
    for note in programmes.notes:
        assert note.startswith(f"{shown_met} of "), f"{note!r} counts programmes whose figures are suppressed"
    return equations


def indicator_equations(responses: list[Response], year: int) -> Equations:
    """Atoms: respondents by (region, role, service level); the figures shown on the indicators
    page (the indicator file's respondents and regions, and the by-level and by-role tables)."""
    rows = [row for row in responses if row.year == year]
    people = Counter((row.region or "", row.role, row.service_level or "") for row in rows)
    equations = Equations(people)  # type: ignore[arg-type]
    figures, extra = compute(responses, year), compute_extra(responses, year)
    equations.figure(list(people), figures["respondents"], "respondents")
    for region, cell in figures["by_region"].items():
        equations.figure([a for a in people if a[0] == region], cell["respondents"], f"region {region}")
        if cell["respondents"] is None:
            assert cell["pct_endorsed"] is None, region
            assert cell["pct_received_rs"] is None, region
    for level, cell in extra["diversity_by_service_level"].items():
        equations.figure([a for a in people if a[2] == level], cell["respondents"], f"level {level}")
        assert cell["respondents"] is not None or cell["pct_people_of_color"] is None, level
    for role, cell in extra["rs_reach_by_role"].items():
        equations.figure([a for a in people if a[1] == role], cell["respondents"], f"role {role}")
        assert cell["respondents"] is not None or cell["pct_received_rs"] is None, role
    assert [row[1:] for table in extra_tables(extra) for row in table.rows]  # the page shows them
    return equations


def test_indicator_generated_surveys_give_no_count_away() -> None:
    rng = random.Random(16)
    suppressed = 0
    for case in range(150):
        size = rng.randint(8, 60)
        responses = [
            Response(
                f"r{case}-{i}",
                2025,
                rng.choice(["clinician", "home_visitor", "supervisor", "consultant"][: rng.randint(1, 4)]),
                service_level=rng.choice(["promotion", "prevention", None]),
                region=rng.choice(["north", "south", "east", None][: rng.randint(1, 4)]),
                received_rs=rng.random() < 0.6,
            )
            for i in range(size)
        ]
        equations = indicator_equations(responses, 2025)
        assert equations.recovered() == [], responses
        suppressed += len(equations.hidden)
    assert suppressed > 200


@pytest.mark.django_db
def test_the_demo_figures_give_no_suppressed_cell_away() -> None:
    from attunement.associations.models import Association
    from attunement.demo.loader import load
    from attunement.endorsement.models import Application, Credential, CredentialStatus
    from attunement.workforce.models import Rollup
    from attunement.workforce.selectors import responses_for
    from conftest import ensure_shipped_data

    ensure_shipped_data()
    load()
    riverbend = Association.objects.get(slug="riverbend")
    rollup = dict(Rollup.objects.filter(association=riverbend).values_list("name", "figures"))

    endorsed = endorsed_equations(rollup["endorsed"])
    assert endorsed.hidden, "the demo has small cells"
    assert endorsed.recovered() == []

    applications = list(
        Application.objects.filter(association=riverbend).values(
            "category", "state", "registered_at", "submitted_at", "state_changed_at"
        )
    )
    pipeline = pipeline_equations(rollup["pipeline"], applications)
    assert pipeline.hidden
    assert pipeline.recovered() == []

    people: Counter[tuple[str, str | None]] = Counter()
    seen = set()
    held = Credential.objects.filter(
        association=riverbend, status__in=[CredentialStatus.ACTIVE, CredentialStatus.EMERITUS]
    )
    for person_id, profile_region, account_region, programme in held.values_list(
        "person_id", "person__workforce_profile__region", "person__region", "person__workforce_profile__programme__name"
    ):
        if person_id not in seen:
            seen.add(person_id)
            people[(profile_region or account_region or "", programme)] += 1
    coverage = coverage_equations(rollup["coverage"], people)
    assert coverage.hidden, "the demo's programmes have few endorsed staff"
    assert coverage.recovered() == []

    for year in (2019, 2025):
        indicators = indicator_equations(list(responses_for(riverbend, year)), year)
        assert indicators.recovered() == [], year


def test_grouped_figures_sum_to_their_total_so_one_suppressed_cell_is_never_alone() -> None:
    """The regression in the shape of the reproduction: two regions, one small."""
    held = {(2026, "IFS", "North", "home_visiting"): 12, (2026, "IFS", "South", "home_visiting"): 3}
    figures = {"cells": [[*key, n] for key, n in held.items()], "suppressed": endorsed_suppressed(held)}
    tables = {table.key: table for table in endorsed_tables(figures, EndorsedFilters())}
    assert tables["over_time"].rows == [[2026, 15]]
    assert tables["by_region"].rows == [["North", None], ["South", None]]
    assert endorsed_equations(figures).recovered() == []
