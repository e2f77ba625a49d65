"""The ``attunement.checkin/1`` CSV (spec: workforce-checkin.md): parsing and validation.

No database (Django is used only to translate the messages). A file is accepted whole or not at all: every problem is reported
with its row (numbered as in a spreadsheet, the header being row 1) and its column.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from django.utils.translation import gettext as _

from attunement.lib.exports import FORMULA_STARTS, unescape_text

FORMAT = "attunement.checkin/1"
# The largest file ``attunement workforce import|indicators`` reads (the upload page takes
# 10 MB and sends larger files here); about 550,000 rows. Files are read row by row.
COMMAND_LINE_MAX_BYTES = 100 * 1024 * 1024
TEXT_MAX = 100  # respondent ids and regions, as the database holds them

_V = TypeVar("_V")

ROLES = frozenset(
    [
        "clinician",
        "home_visitor",
        "early_educator",
        "early_intervention",
        "supervisor",
        "consultant",
        "pediatric",
        "child_welfare",
        "administrator",
        "peer_support",
        "other",
    ]
)
SERVICE_LEVELS = frozenset(["promotion", "prevention", "intervention", "leadership"])
RACES = frozenset(
    [
        "american_indian_alaska_native",
        "asian",
        "black",
        "hispanic_latino",
        "middle_eastern_north_african",
        "native_hawaiian_pacific_islander",
        "white",
        "other",
        "prefer_not_to_say",
    ]
)
EBT_MODELS = frozenset(["none", "cpp", "pcit", "abc", "circle_of_security", "pfr", "other"])
BARRIERS = frozenset(
    ["cost", "location_travel", "lost_billable_time", "not_offered", "time", "language", "prerequisites", "other"]
)
TOPICS = frozenset(
    [
        "assessment",
        "attachment",
        "iecmh_fundamentals",
        "high_risk_families",
        "neurodevelopmental",
        "dc0_5_diagnosis",
        "ebp_promising_practices",
        "child_development",
        "culturally_diverse_families",
        "reflective_practice",
        "other",
    ]
)

COLUMNS = (
    "respondent_id",
    "year",
    "role",
    "service_level",
    "region",
    "race_ethnicity",
    "languages",
    "specialized_training_foundations",
    "ebt_trained",
    "endorsed",
    "received_rs",
    "barriers",
    "desired_topics",
    "paid_hours_week",
    "worked_hours_week",
    "annual_salary",
    "caseload",
)
REQUIRED = ("respondent_id", "year", "role")


def _values(values: frozenset[str]) -> str:
    return " ".join(f"`{value}`" for value in sorted(values))


CODEBOOK: tuple[tuple[str, str, str], ...] = (
    (
        "respondent_id",
        "text, required",
        "unique within a year; re-importing the same id and year replaces the row; at most 100 characters, "
        "not beginning with `=`, `+`, `-` or `@`",
    ),
    ("year", "integer, required", "survey year"),
    ("role", "required", _values(ROLES)),
    ("service_level", "optional", _values(SERVICE_LEVELS)),
    ("region", "optional", "free text code (county, region)"),
    ("race_ethnicity", "multi, optional", _values(RACES)),
    ("languages", "multi, optional", "ISO 639-1 codes"),
    ("specialized_training_foundations", "yes/no, optional", "specialised training in an IECMH foundation area"),
    ("ebt_trained", "multi, optional", _values(EBT_MODELS) + " (`none`: answered, trained in no model)"),
    ("endorsed", "yes/no, optional", "holds IMH-E or ECMH-E"),
    ("received_rs", "yes/no, optional", "has received reflective supervision"),
    ("barriers", "multi, optional", _values(BARRIERS)),
    ("desired_topics", "multi, optional", _values(TOPICS)),
    ("paid_hours_week", "number, optional", "paid hours a week (0 to 168)"),
    ("worked_hours_week", "number, optional", "hours worked a week (0 to 168)"),
    ("annual_salary", "number, optional", "annual salary"),
    ("caseload", "integer, optional", "current caseload"),
)

_LANGUAGE = re.compile(r"^[a-z]{2}$")
_MULTI = {
    "race_ethnicity": RACES,
    "ebt_trained": EBT_MODELS,
    "barriers": BARRIERS,
    "desired_topics": TOPICS,
}
_YES_NO = ("specialized_training_foundations", "endorsed", "received_rs")
_NUMBERS = ("paid_hours_week", "worked_hours_week", "annual_salary")


class CheckinError(Exception):
    """The file was rejected; ``errors`` lists every problem, each naming row and column."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class Response:
    respondent_id: str
    year: int
    role: str
    service_level: str | None = None
    region: str | None = None
    race_ethnicity: frozenset[str] | None = None
    languages: frozenset[str] | None = None
    specialized_training_foundations: bool | None = None
    ebt_trained: frozenset[str] | None = None
    endorsed: bool | None = None
    received_rs: bool | None = None
    barriers: frozenset[str] | None = None
    desired_topics: frozenset[str] | None = None
    paid_hours_week: float | None = None
    worked_hours_week: float | None = None
    annual_salary: float | None = None
    caseload: int | None = None


def parse_text(text: str) -> list[Response]:
    """Parse a whole CSV text; raise :class:`CheckinError` with every problem found."""
    return parse_lines(io.StringIO(text, newline=""))


def parse_lines(lines: Iterable[str]) -> list[Response]:
    """Parse a CSV read line by line (a file opened with ``newline=""``); raise
    :class:`CheckinError` with every problem found. Only the responses are kept."""
    reader = Reader(lines)
    responses = list(reader)
    reader.check()
    return responses


class Reader:
    """An ``attunement.checkin/1`` file read one row at a time, never whole.

    The header is checked when the reader is made (:class:`CheckinError` at once); iterating
    yields each good row's :class:`Response` and collects every problem in ``errors``; call
    :meth:`check` at the end, which raises :class:`CheckinError` if there was any. Besides
    the current row it keeps only each respondent id (to find a repeated respondent and
    year) and one copy of each repeated value (roles, regions, sets of answers)."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.errors: list[str] = []
        self._reader = csv.reader(_without_bom(lines))
        self._row_number = 1
        self._share = _Sharing()
        # year -> respondent id -> the row that first answered for it
        self._first_row: dict[int, dict[str, int]] = {}
        try:
            header = next(self._reader)
        except StopIteration:
            raise CheckinError([_("row 1: the file is empty; it needs a header row")]) from None
        except csv.Error as exc:
            raise CheckinError([_("row 1: not readable as CSV (%(error)s)") % {"error": exc}]) from None
        except UnicodeDecodeError:
            raise CheckinError([_("row 1: not UTF-8 text")]) from None
        self.header = [name.strip() for name in header]
        errors: list[str] = []
        for position, name in enumerate(self.header, start=1):
            if name not in COLUMNS:
                errors.append(
                    _("row 1, column %(position)s '%(name)s': unknown column") % {"position": position, "name": name}
                )
        seen: set[str] = set()
        for name in self.header:
            if name in seen and name in COLUMNS:
                errors.append(_("row 1, column '%(name)s': appears twice") % {"name": name})
            seen.add(name)
        for name in REQUIRED:
            if name not in self.header:
                errors.append(_("row 1, column '%(name)s': required column is missing") % {"name": name})
        if errors:
            raise CheckinError(errors)

    def __iter__(self) -> Iterator[Response]:
        header, errors = self.header, self.errors
        try:
            for cells in self._reader:
                self._row_number += 1
                row_number = self._row_number
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) != len(header):
                    errors.append(
                        _("row %(row)s: has %(cells)s cells, the header has %(header)s")
                        % {"row": row_number, "cells": len(cells), "header": len(header)}
                    )
                    continue
                response = _parse_row(dict(zip(header, cells, strict=True)), row_number, errors, self._share)
                if response is None:
                    continue
                answered = self._first_row.setdefault(response.year, {})
                first = answered.setdefault(response.respondent_id, row_number)
                if first != row_number:
                    errors.append(
                        _(
                            "row %(row)s, column 'respondent_id': '%(id)s' already answered for %(year)s in row %(first)s"
                        )
                        % {"row": row_number, "id": response.respondent_id, "year": response.year, "first": first}
                    )
                    continue
                yield response
        except csv.Error as exc:
            errors.append(
                _("row %(row)s: not readable as CSV (%(error)s)") % {"row": self._row_number + 1, "error": exc}
            )
        except UnicodeDecodeError:
            errors.append(_("row %(row)s: not UTF-8 text") % {"row": self._row_number + 1})

    def check(self) -> None:
        """Call when the rows are read: raise :class:`CheckinError` if any was bad."""
        self._first_row.clear()  # not needed once the file is read through
        if self.errors:
            raise CheckinError(self.errors)


def _without_bom(lines: Iterable[str]) -> Iterator[str]:
    iterator = iter(lines)
    for first in iterator:
        yield first.removeprefix("\ufeff")
        break
    yield from iterator


class _Sharing:
    """One copy of each repeated value: a year's answers hold a few hundred distinct sets,
    roles and regions, not one per row."""

    LIMIT = 100_000

    def __init__(self) -> None:
        self._seen: dict[object, object] = {}

    def __call__(self, value: _V) -> _V:
        found = self._seen.get(value)
        if found is not None:
            return found  # type: ignore[return-value]
        if len(self._seen) < self.LIMIT:
            self._seen[value] = value
        return value


def share_values() -> Callable[[_V], _V]:
    """A function that returns one shared copy of each equal value it is given (for code
    that builds many :class:`Response` from stored rows)."""
    return _Sharing()


def _parse_row(row: dict[str, str], number: int, errors: list[str], share: _Sharing) -> Response | None:
    before = len(errors)

    def fail(column: str, message: str) -> None:
        errors.append(
            _("row %(row)s, column '%(column)s': %(problem)s") % {"row": number, "column": column, "problem": message}
        )

    values: dict[str, object] = {}
    respondent = unescape_text(row.get("respondent_id", "").strip())
    if not respondent:
        fail("respondent_id", _("required"))
    elif respondent.startswith(FORMULA_STARTS):
        # A spreadsheet would run it as a formula wherever the id is shown or exported again.
        fail(
            "respondent_id",
            _("'%(value)s' begins with %(start)s; a respondent id cannot begin with =, +, - or @")
            % {"value": respondent, "start": respondent[0]},
        )
    elif len(respondent) > TEXT_MAX:
        fail("respondent_id", _("longer than %(max)s characters") % {"max": TEXT_MAX})
    values["respondent_id"] = respondent

    year_text = row.get("year", "").strip()
    if not year_text:
        fail("year", _("required"))
    elif not re.fullmatch(r"\d{4}", year_text):
        fail("year", _("'%(value)s' is not a four-digit year") % {"value": year_text})
    else:
        values["year"] = share(int(year_text))

    role = row.get("role", "").strip()
    if not role:
        fail("role", _("required"))
    elif role not in ROLES:
        fail("role", _unknown(role, ROLES))
    values["role"] = share(role)

    service_level = row.get("service_level", "").strip()
    if service_level and service_level not in SERVICE_LEVELS:
        fail("service_level", _unknown(service_level, SERVICE_LEVELS))
    values["service_level"] = share(service_level) or None
    region = unescape_text(row.get("region", "").strip())
    if len(region) > TEXT_MAX:
        fail("region", _("longer than %(max)s characters") % {"max": TEXT_MAX})
    values["region"] = share(region) or None

    for column, allowed in _MULTI.items():
        items = _split(row.get(column, ""))
        unknown = sorted(items - allowed)
        if unknown:
            fail(
                column,
                _("unknown value %(values)s (expected any of %(allowed)s)")
                % {"values": _quoted(unknown), "allowed": _listing(allowed)},
            )
        if column == "ebt_trained" and "none" in items and len(items) > 1:
            fail(column, _("'none' cannot be listed together with a model"))
        values[column] = share(frozenset(items)) if items else None

    languages = _split(row.get("languages", ""))
    wrong = sorted(code for code in languages if not _LANGUAGE.match(code))
    if wrong:
        fail("languages", _("%(values)s is not a two-letter ISO 639-1 code") % {"values": _quoted(wrong)})
    values["languages"] = share(frozenset(languages)) if languages else None

    for column in _YES_NO:
        text = row.get(column, "").strip().lower()
        if text and text not in ("yes", "no"):
            fail(column, _("'%(value)s' is not yes or no") % {"value": row[column].strip()})
        values[column] = None if not text else text == "yes"

    for column in _NUMBERS:
        text = row.get(column, "").strip()
        if not text:
            values[column] = None
            continue
        try:
            number_value = float(text)
        except ValueError:
            fail(column, _("'%(value)s' is not a number") % {"value": text})
            continue
        if not math.isfinite(number_value) or number_value < 0:
            fail(column, _("'%(value)s' must be a number of zero or more") % {"value": text})
            continue
        if column.endswith("_hours_week") and number_value > 168:
            fail(column, _("'%(value)s' is more hours than a week holds") % {"value": text})
            continue
        values[column] = number_value

    caseload = row.get("caseload", "").strip()
    if caseload and not caseload.isdigit():
        fail("caseload", _("'%(value)s' is not a whole number of zero or more") % {"value": caseload})
    values["caseload"] = int(caseload) if caseload.isdigit() else None

    if len(errors) > before:
        return None
    return Response(**values)  # type: ignore[arg-type]


def _unknown(value: str, allowed: frozenset[str]) -> str:
    return _("unknown value '%(value)s' (expected one of %(allowed)s)") % {"value": value, "allowed": _listing(allowed)}


def _split(cell: str) -> set[str]:
    return {part.strip() for part in cell.split(";") if part.strip()}


def _listing(values: Iterable[str]) -> str:
    return ", ".join(sorted(values))


def _quoted(values: list[str]) -> str:
    return ", ".join(f"'{value}'" for value in values)
