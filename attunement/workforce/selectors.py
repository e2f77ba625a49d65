"""Reads of the workforce app: answers as plain values, their figures, and the export."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from attunement.associations.models import Association
from attunement.workforce.checkin import CODEBOOK, COLUMNS, FORMAT, Response
from attunement.workforce.indicators import compute
from attunement.workforce.models import CheckinResponse

BATCH = 2_000


def export_checkins(association: Association, year: int | None = None) -> str:
    """The association's answers as an ``attunement.checkin/1`` file (importable as is)."""
    rows = CheckinResponse.objects.filter(association=association).order_by("year", "respondent_id")
    if year is not None:
        rows = rows.filter(year=year)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows.iterator(chunk_size=BATCH):
        writer.writerow([_cell(getattr(row, column)) for column in COLUMNS])
    return out.getvalue()


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def codebook() -> str:
    """The columns, their types and allowed values, as Markdown to send with an export."""
    lines = [
        f"# {FORMAT} codebook",
        "",
        "One row per respondent per year; UTF-8; a blank cell means not answered; several values in one",
        "cell are separated by `;`. Respondent ids are the survey's own; rows hold no names.",
        "",
        "| column | type | values |",
        "|---|---|---|",
    ]
    for column, kind, values in CODEBOOK:
        lines.append(f"| `{column}` | {kind} | {values} |")
    return "\n".join(lines) + "\n"


_LISTS = ("race_ethnicity", "languages", "ebt_trained", "barriers", "desired_topics")
_TEXTS = ("service_level", "region")


def responses_for(association: Association, year: int) -> Sequence[Response]:
    """The year's answers as plain values (no model instances: this reads every row)."""
    rows = CheckinResponse.objects.filter(association=association, year=year).values_list(*COLUMNS)
    responses = []
    for values in rows:
        fields = dict(zip(COLUMNS, values, strict=True))
        for name in _LISTS:
            fields[name] = frozenset(fields[name]) if fields[name] else None
        for name in _TEXTS:
            fields[name] = fields[name] or None
        responses.append(Response(**fields))
    return responses


def indicators_for(association: Association, year: int) -> dict[str, Any]:
    """The same figures as the command line computes from a file, from the association's rows."""
    return compute(responses_for(association, year), year)
