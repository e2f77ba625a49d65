"""Bulk roster checks: parse a JSON or CSV roster, answer every row, set-based.

A malformed row gets its own error and the others are still answered; a roster that
cannot be read at all, or has more than ``MAX_ROWS`` rows, is refused whole
(:class:`RosterRefused` with the HTTP status to answer)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

import orjson
from django.utils.translation import gettext as _

from attunement.api import selectors
from attunement.api.matching import fold, name_confidence, normalise_code

MAX_ROWS = 10_000
MAX_BYTES = 8 * 1024 * 1024
COLUMNS = ("ref", "code", "name", "category", "region")
LIMITS = {"ref": 100, "code": 40, "name": 200, "category": 10, "region": 120}


class RosterRefused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Row:
    number: int
    ref: str | None
    code: str | None = None
    name: str | None = None
    category: str | None = None
    region: str | None = None
    error: str | None = None


def _too_many(count: int) -> RosterRefused:
    return RosterRefused(
        400, _("A roster may have at most %(max)s rows; this one has %(count)s.") % {"max": MAX_ROWS, "count": count}
    )


def rows_from_json(body: bytes) -> list[Any]:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise RosterRefused(400, _("The body is not valid JSON (%(error)s).") % {"error": exc}) from None
    if not isinstance(data, dict) or not isinstance(data.get("rows"), list):
        raise RosterRefused(400, _('The body must be a JSON object with a "rows" list.'))
    rows: list[Any] = data["rows"]
    if len(rows) > MAX_ROWS:
        raise _too_many(len(rows))
    return rows


def rows_from_csv(content: bytes) -> list[Any]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterRefused(400, _("The CSV file is not UTF-8 text.")) from None
    if "\x00" in text:
        raise RosterRefused(400, _("The CSV file is not text."))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise RosterRefused(400, _("The CSV file is empty: it needs a header row."))
        columns = [column.strip().lower() for column in header]
        if "code" not in columns and "name" not in columns:
            raise RosterRefused(
                400,
                _("The CSV header must name a code or a name column (columns: %(columns)s).")
                % {"columns": ", ".join(COLUMNS)},
            )
        rows: list[Any] = []
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if len(rows) >= MAX_ROWS:
                raise _too_many(len(rows) + 1 + sum(1 for _rest in reader))
            rows.append(dict(zip(columns, values, strict=False)) if len(values) <= len(columns) else values)
    except csv.Error as exc:
        raise RosterRefused(400, _("The CSV file cannot be read (%(error)s).") % {"error": exc}) from None
    return rows


def clean(number: int, raw: Any) -> Row:
    """One row, checked: its own error instead of an exception."""
    if not isinstance(raw, dict):
        if isinstance(raw, list):
            return Row(number, None, error=_("The row has more values than the header has columns."))
        return Row(number, None, error=_("The row must be an object with ref, code, name, category, region."))
    values: dict[str, str | None] = {}
    for column in COLUMNS:
        value = raw.get(column)
        if value is None:
            values[column] = None
            continue
        if isinstance(value, bool) or not isinstance(value, str | int):
            return Row(number, None, error=_("%(column)s must be text.") % {"column": column})
        text = str(value).strip()
        if len(text) > LIMITS[column]:
            return Row(
                number,
                str(raw.get("ref"))[:100] if column != "ref" and raw.get("ref") is not None else None,
                error=_("%(column)s is longer than %(max)s characters.") % {"column": column, "max": LIMITS[column]},
            )
        values[column] = text or None
    row = Row(number, values["ref"])
    if values["category"] is not None:
        category = values["category"].upper()
        if category not in selectors.CATEGORY_CODES:
            row.error = _("%(value)s is not an Endorsement category.") % {"value": values["category"]}
            return row
        row.category = category
    if values["code"] is None and values["name"] is None:
        row.error = _("The row needs a code or a name.")
        return row
    if values["code"] is not None:
        row.code = normalise_code(values["code"])
        if row.code is None:
            row.error = _("%(value)s is not a credential code.") % {"value": values["code"]}
            return row
    row.name = values["name"]
    row.region = values["region"]
    return row


def _answer(row: Row, status: str, confidence: str, credential: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "row": row.number,
        "ref": row.ref,
        "status": status,
        "confidence": confidence,
        "credential": credential,
        "error": row.error,
    }


def check(association_id: int, raw_rows: list[Any]) -> list[dict[str, Any]]:
    """Answer every row, in order: two queries whatever the number of rows."""
    rows = [clean(number, raw) for number, raw in enumerate(raw_rows, start=1)]
    good = [row for row in rows if row.error is None]
    by_code = selectors.credentials_by_codes(association_id, {row.code for row in good if row.code})
    by_name = selectors.credentials_by_names(association_id, {row.name for row in good if row.name and not row.code})
    answers = []
    for row in rows:
        if row.error is not None:
            answers.append(_answer(row, "error", "none"))
        elif row.code:
            found = by_code.get(row.code)
            if found is None:
                answers.append(_answer(row, "not_found", "none"))
                continue
            confidence = "exact"
            if row.category and row.category != found["category"]:
                confidence = "low"
            if row.name and name_confidence(
                row.name, found["person__legal_name"], found["person__preferred_name"]
            ) not in ("high", "medium"):
                confidence = "low"
            answers.append(_answer(row, _status(found), confidence, selectors.credential_answer(found)))
        else:
            answers.append(_by_name(row, by_name.get(fold(row.name or ""), [])))
    return answers


def _status(found: dict[str, Any]) -> str:
    return "current" if found["status"] in selectors.CURRENT else "not_current"


def _by_name(row: Row, candidates: list[dict[str, Any]]) -> dict[str, Any]:
    if row.category:
        candidates = [c for c in candidates if c["category"] == row.category]
    if row.region:
        wanted = fold(row.region)
        candidates = [c for c in candidates if fold(c["person__region"]) == wanted]
    if not candidates:
        return _answer(row, "not_found", "none")
    people = {c["person_id"] for c in candidates}
    best = max(candidates, key=lambda c: (c["status"] in selectors.CURRENT, c["since"], c["id"]))
    return _answer(row, _status(best), "high" if len(people) == 1 else "medium", selectors.credential_answer(best))


def answer(association_id: int, raw_rows: list[Any]) -> dict[str, Any]:
    """The whole answer to a roster: its size, the count per status and one result a row."""
    results = check(association_id, raw_rows)
    counts: dict[str, int] = {"current": 0, "not_current": 0, "not_found": 0, "error": 0}
    for result in results:
        counts[result["status"]] += 1
    return {"rows": len(results), "counts": counts, "results": results}
