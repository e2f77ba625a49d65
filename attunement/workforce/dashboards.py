"""The dashboards as tables: built from the stored roll-ups, filtered, small cells suppressed,
and with them the cells that would give them away (complementary suppression, worked out once per
roll-up over every filter: :mod:`attunement.workforce.suppression`). A suppressed count takes
every figure derived from it along (its median, "target met", its rank: suppressed rows are listed
after the shown ones, by name).

Every dashboard is a list of :class:`Table`: the page shows each as an HTML table (with a bar
chart beside it that screen readers skip, the table being the accessible form), and the CSV
and XLSX exports write the very same tables, so suppression cannot differ between them."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attunement.endorsement.models import State
from attunement.lib.categories import NAMES as CATEGORY_LABELS
from attunement.lib.exports import csv_writer, xlsx_row
from attunement.workforce.indicators import MIN_CELL
from attunement.workforce.labels import ROLE_LABELS, SECTOR_LABELS, SERVICE_LEVEL_LABELS

STATE_LABELS = dict(State.choices)
STAGE_LABELS: dict[str, Promise] = {
    "registered_to_submitted": gettext_lazy("Registration to submission"),
    "submitted_to_endorsed": gettext_lazy("Submission to Endorsement"),
    "registered_to_endorsed": gettext_lazy("Registration to Endorsement"),
}


def count(n: int) -> int | None:
    """A count of people, or ``None`` (suppressed) below the small-cell limit. Zero is shown:
    it discloses nobody."""
    return n if n == 0 or n >= MIN_CELL else None


def median(n: int, value: float | None) -> float | None:
    return value if n >= MIN_CELL else None


def _shown(n: int, hidden: bool) -> int | None:
    """A count as shown: ``None`` when small or suppressed to protect another cell."""
    return None if n and (n < MIN_CELL or hidden) else n


def _ranked(rows: list[list[Any]]) -> list[list[Any]]:
    """Rows by their count, largest first; suppressed rows after them by name, so that the order
    says nothing about a suppressed count."""
    shown = sorted((row for row in rows if row[1] is not None), key=lambda row: (-row[1], str(row[0])))
    return shown + sorted((row for row in rows if row[1] is None), key=lambda row: str(row[0]))


@dataclass
class Table:
    key: str
    caption: str
    headers: list[str]
    rows: list[list[Any]]
    chart_column: int | None = 1  # the column drawn as bars; None: no chart
    notes: list[str] = field(default_factory=list)

    def chart(self) -> list[tuple[str, Any, float]]:
        """(label, value, bar length in percent of the largest) for the charted column."""
        if self.chart_column is None:
            return []
        values = [row[self.chart_column] for row in self.rows]
        top = max((value for value in values if isinstance(value, int | float)), default=0)
        return [
            (str(row[0]), row[self.chart_column], round(100 * row[self.chart_column] / top, 1)
             if top and isinstance(row[self.chart_column], int | float) else 0.0)
            for row in self.rows
        ]  # fmt: skip


def _label(labels: Mapping[str, Any], key: str) -> str:
    return str(labels.get(key, key)) if key else _("Not given")


# --- Endorsed workforce -------------------------------------------------------------------------


@dataclass(frozen=True)
class EndorsedFilters:
    category: str = ""
    region: str = ""
    sector: str = ""


def endorsed_choices(figures: dict[str, Any]) -> dict[str, list[tuple[str, str]]]:
    cells = figures.get("cells", [])
    return {
        "category": [(key, _label(CATEGORY_LABELS, key)) for key in sorted({cell[1] for cell in cells})],
        "region": [(key, key) for key in sorted({cell[2] for cell in cells if cell[2]})],
        "sector": [(key, _label(SECTOR_LABELS, key)) for key in sorted({cell[3] for cell in cells if cell[3]})],
    }


def endorsed_hidden(figures: dict[str, Any]) -> set[tuple[Any, ...]]:
    """(year, category, region, sector) of the figures to suppress, ``None`` for "all"."""
    if "suppressed" not in figures:  # a roll-up stored before complementary suppression
        from attunement.workforce.rollups import endorsed_suppressed

        held = {(cell[0], cell[1], cell[2], cell[3]): cell[4] for cell in figures.get("cells", [])}
        return {tuple(item) for item in endorsed_suppressed(held)}
    return {tuple(item) for item in figures["suppressed"]}


def endorsed_tables(figures: dict[str, Any], filters: EndorsedFilters) -> list[Table]:
    hidden = endorsed_hidden(figures)
    chosen = (filters.category or None, filters.region or None, filters.sector or None)
    cells = [
        cell
        for cell in figures.get("cells", [])
        if (not filters.category or cell[1] == filters.category)
        and (not filters.region or cell[2] == filters.region)
        and (not filters.sector or cell[3] == filters.sector)
    ]
    by_year: Counter[int] = Counter()
    for year, _category, _region, _sector, n in cells:
        by_year[year] += n
    latest = max(by_year) if by_year else None
    tables = [
        Table(
            "over_time",
            _("Credentials held at the end of each year (this year: today)"),
            [_("Year"), _("Credentials")],
            [[year, _shown(by_year[year], (year, *chosen) in hidden)] for year in sorted(by_year)],
        )
    ]
    for key, index, caption, labels in (
        ("by_category", 1, _("By category, %(year)s"), CATEGORY_LABELS),
        ("by_region", 2, _("By region, %(year)s"), {}),
        ("by_sector", 3, _("By sector, %(year)s"), SECTOR_LABELS),
    ):
        tally: Counter[str] = Counter()
        for cell in cells:
            if cell[0] == latest:
                tally[cell[index]] += cell[4]
        heading = {"by_category": _("Category"), "by_region": _("Region"), "by_sector": _("Sector")}[key]

        def figure(name: str, index: int = index) -> tuple[Any, ...]:
            return (latest, *chosen[: index - 1], name, *chosen[index:])

        rows = [[_label(labels, name), _shown(n, figure(name) in hidden)] for name, n in tally.items()]
        tables.append(Table(key, caption % {"year": latest or "—"}, [heading, _("Credentials")], _ranked(rows)))
    return tables


# --- Pipeline ----------------------------------------------------------------------------------


def pipeline_choices(figures: dict[str, Any]) -> list[tuple[str, str]]:
    return [(key, _label(CATEGORY_LABELS, key)) for key in figures.get("categories", {}) if key]


def pipeline_tables(figures: dict[str, Any], category: str = "") -> list[Table]:
    # A roll-up stored before complementary suppression has no pattern: nothing is shown from it.
    hidden = {tuple(item) for item in figures["suppressed"]} if "suppressed" in figures else None

    def shown(n: int, slot: str) -> int | None:
        return _shown(n, hidden is None or (category, slot) in hidden)

    def with_median(n: int, slot: str, value: float | None) -> list[Any]:
        n_shown = shown(n, slot)
        return [n_shown, value if n_shown else None]  # the median of a suppressed count is suppressed

    figures = figures.get("categories", {}).get(category, {})
    open_rows = [
        [_label(STATE_LABELS, stage["state"]), *with_median(stage["n"], f"open:{stage['state']}", stage["median_days"])]
        for stage in figures.get("open", [])
    ]
    durations = [
        [_label(STAGE_LABELS, stage["stage"]), *with_median(stage["n"], f"dur:{stage['stage']}", stage["median_days"])]
        for stage in figures.get("durations", [])
    ]
    funnel = [
        [row["year"], *(shown(row[measure], f"funnel:{row['year']}:{measure}")
                        for measure in ("registered", "submitted", "endorsed", "withdrawn"))]
        for row in figures.get("funnel", [])
    ]  # fmt: skip
    return [
        Table("open", _("Applications in each stage now"), [_("Stage"), _("People"), _("Median days in this stage")], open_rows),
        Table("durations", _("How long the finished stages took"), [_("Stage"), _("People"), _("Median days")], durations, chart_column=2),
        Table(
            "funnel",
            _("By year of registration"),
            [_("Year"), _("Registered"), _("Submitted"), _("Endorsed"), _("Withdrawn")],
            funnel,
        ),
    ]  # fmt: skip


# --- Coverage -----------------------------------------------------------------------------------


def _met(endorsed: int | None, target: int | None) -> str | None:
    """Whether a count reaches its target; ``None`` (suppressed) for a suppressed count, which
    "met" would otherwise bound."""
    if target is None:
        return "—"
    if endorsed is None:
        return None
    return _("Yes") if endorsed >= target else _("No")


def _coverage_count(row: dict[str, Any]) -> int | None:
    # A roll-up stored before complementary suppression has no flags: suppress what is not zero.
    return _shown(row["endorsed"], row.get("suppressed", True))


def coverage_tables(figures: dict[str, Any]) -> list[Table]:
    regions = [
        [
            row["region"],
            _coverage_count(row),
            row["target"] if row["target"] is not None else "—",
            _met(_coverage_count(row), row["target"]),
        ]
        for row in figures.get("regions", [])
    ]
    programmes = [
        [
            row["programme"],
            row["region"] or "—",
            _coverage_count(row),
            row["target"],
            _met(_coverage_count(row), row["target"]),
        ]
        for row in figures.get("programmes", [])
    ]
    known = [row[4] for row in programmes if row[4] is not None]
    met = sum(1 for value in known if value == _("Yes"))
    tables = [
        Table("regions", _("Endorsed people by region, against the targets"), [_("Region"), _("Endorsed now"), _("Target"), _("Target met")], regions),
        Table("programmes", _("Endorsed staff by programme, against the targets"), [_("Programme"), _("Region"), _("Endorsed now"), _("Target"), _("Target met")], programmes, chart_column=2),
    ]  # fmt: skip
    if programmes and len(known) == len(programmes):
        tables[1].notes.append(
            _("%(met)s of %(total)s programmes meet their target.") % {"met": met, "total": len(known)}
        )
    elif programmes:  # counted over the shown programmes only: the others' "met" is suppressed too
        tables[1].notes.append(
            _("%(met)s of the %(shown)s programmes shown meet their target; %(hidden)s are suppressed.")
            % {"met": met, "shown": len(known), "hidden": len(programmes) - len(known)}
        )
    return tables


# --- From the yearly answers (the indicators page) ----------------------------------------------


def extra_tables(extra: dict[str, Any]) -> list[Table]:
    diversity = [
        [_label(SERVICE_LEVEL_LABELS, level), cell["respondents"], cell["pct_people_of_color"]]
        for level, cell in extra.get("diversity_by_service_level", {}).items()
    ]
    reach = [
        [_label(ROLE_LABELS, role), cell["respondents"], cell["pct_received_rs"]]
        for role, cell in extra.get("rs_reach_by_role", {}).items()
    ]
    return [
        Table("diversity", _("Diversity by service level"), [_("Service level"), _("Respondents"), _("People of colour (%)")], diversity, chart_column=2),
        Table("rs_reach", _("Reflective supervision reach by role"), [_("Role"), _("Respondents"), _("Have received reflective supervision (%)")], reach, chart_column=2),
    ]  # fmt: skip


# --- Exports -------------------------------------------------------------------------------------


def _cell(value: Any) -> Any:
    return _("suppressed") if value is None else value


def to_csv(tables: list[Table]) -> str:
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    for table in tables:
        writer.writerow([table.caption])
        writer.writerow(table.headers)
        writer.writerows([[_cell(value) for value in row] for row in table.rows])
        for note in table.notes:
            writer.writerow([note])
        writer.writerow([])
    return out.getvalue()


def to_xlsx(tables: list[Table], title: str) -> bytes:
    """One sheet per table, its caption in the first row; suppressed cells say so."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    used: set[str] = set()
    for table in tables:
        name = "".join(ch for ch in table.caption if ch not in "[]:*?/\\")[:28] or table.key
        while name in used:
            name = name[:26] + str(len(used))
        used.add(name)
        sheet = book.create_sheet(name)
        sheet.append(xlsx_row(sheet, [f"{title}: {table.caption}"]))
        sheet.append(xlsx_row(sheet, table.headers))
        for row in table.rows:
            sheet.append(xlsx_row(sheet, [_cell(value) for value in row]))
        for note in table.notes:
            sheet.append(xlsx_row(sheet, [note]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
