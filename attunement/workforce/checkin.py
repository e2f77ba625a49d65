"""The ``attunement.checkin/1`` CSV (spec: workforce-checkin.md): parsing and validation.

No database (Django is used only to translate the messages). A file is accepted whole or not at all: every problem is reported
with its row (numbered as in a spreadsheet, the header being row 1) and its column.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

FORMAT = "attunement.checkin/1"

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
    ("respondent_id", "text, required", "unique within a year; re-importing the same id and year replaces the row"),
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


@dataclass(frozen=True)
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
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise CheckinError([_("row 1: the file is empty; it needs a header row")]) from None
    except csv.Error as exc:
        raise CheckinError([_("row 1: not readable as CSV (%(error)s)") % {"error": exc}]) from None
    header = [name.strip() for name in header]
    errors: list[str] = []
    for position, name in enumerate(header, start=1):
        if name not in COLUMNS:
            errors.append(
                _("row 1, column %(position)s '%(name)s': unknown column") % {"position": position, "name": name}
            )
    seen: set[str] = set()
    for name in header:
        if name in seen and name in COLUMNS:
            errors.append(_("row 1, column '%(name)s': appears twice") % {"name": name})
        seen.add(name)
    for name in REQUIRED:
        if name not in header:
            errors.append(_("row 1, column '%(name)s': required column is missing") % {"name": name})
    if errors:
        raise CheckinError(errors)

    responses: list[Response] = []
    first_row: dict[tuple[int, str], int] = {}
    row_number = 1
    try:
        for cells in reader:
            row_number += 1
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                errors.append(
                    _("row %(row)s: has %(cells)s cells, the header has %(header)s")
                    % {"row": row_number, "cells": len(cells), "header": len(header)}
                )
                continue
            response = _parse_row(dict(zip(header, cells, strict=True)), row_number, errors)
            if response is None:
                continue
            key = (response.year, response.respondent_id)
            if key in first_row:
                errors.append(
                    _("row %(row)s, column 'respondent_id': '%(id)s' already answered for %(year)s in row %(first)s")
                    % {"row": row_number, "id": response.respondent_id, "year": response.year, "first": first_row[key]}
                )
                continue
            first_row[key] = row_number
            responses.append(response)
    except csv.Error as exc:
        errors.append(_("row %(row)s: not readable as CSV (%(error)s)") % {"row": row_number + 1, "error": exc})
    if errors:
        raise CheckinError(errors)
    return responses


def _parse_row(row: dict[str, str], number: int, errors: list[str]) -> Response | None:
    before = len(errors)

    def fail(column: str, message: str) -> None:
        errors.append(
            _("row %(row)s, column '%(column)s': %(problem)s") % {"row": number, "column": column, "problem": message}
        )

    values: dict[str, object] = {}
    respondent = row.get("respondent_id", "").strip()
    if not respondent:
        fail("respondent_id", _("required"))
    values["respondent_id"] = respondent

    year_text = row.get("year", "").strip()
    if not year_text:
        fail("year", _("required"))
    elif not re.fullmatch(r"\d{4}", year_text):
        fail("year", _("'%(value)s' is not a four-digit year") % {"value": year_text})
    else:
        values["year"] = int(year_text)

    role = row.get("role", "").strip()
    if not role:
        fail("role", _("required"))
    elif role not in ROLES:
        fail("role", _unknown(role, ROLES))
    values["role"] = role

    service_level = row.get("service_level", "").strip()
    if service_level and service_level not in SERVICE_LEVELS:
        fail("service_level", _unknown(service_level, SERVICE_LEVELS))
    values["service_level"] = service_level or None
    values["region"] = row.get("region", "").strip() or None

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
        values[column] = frozenset(items) if items else None

    languages = _split(row.get("languages", ""))
    wrong = sorted(code for code in languages if not _LANGUAGE.match(code))
    if wrong:
        fail("languages", _("%(values)s is not a two-letter ISO 639-1 code") % {"values": _quoted(wrong)})
    values["languages"] = frozenset(languages) if languages else None

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
