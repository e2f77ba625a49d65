"""Importing check-in files into an association and reading them back for indicators."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from attunement.associations.models import Association
from attunement.audit.actions import record
from attunement.people.models import User
from attunement.workforce.checkin import CODEBOOK, COLUMNS, FORMAT, Response, parse_text
from attunement.workforce.indicators import compute
from attunement.workforce.models import CheckinResponse, IndicatorSnapshot

_FIELDS = (
    "source",
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
BATCH = 2_000


@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: int
    replaced: int
    years: tuple[int, ...]


def _row(association: Association, response: Response) -> CheckinResponse:
    def listed(value: frozenset[str] | None) -> list[str] | None:
        return sorted(value) if value else None

    return CheckinResponse(
        association=association,
        respondent_id=response.respondent_id,
        year=response.year,
        source=CheckinResponse.Source.IMPORT,
        role=response.role,
        service_level=response.service_level or "",
        region=response.region or "",
        race_ethnicity=listed(response.race_ethnicity),
        languages=listed(response.languages),
        specialized_training_foundations=response.specialized_training_foundations,
        ebt_trained=listed(response.ebt_trained),
        endorsed=response.endorsed,
        received_rs=response.received_rs,
        barriers=listed(response.barriers),
        desired_topics=listed(response.desired_topics),
        paid_hours_week=response.paid_hours_week,
        worked_hours_week=response.worked_hours_week,
        annual_salary=response.annual_salary,
        caseload=response.caseload,
    )


def import_checkins(association: Association, text: str, *, actor: User | None, file_name: str = "") -> ImportResult:
    """Import a whole ``attunement.checkin/1`` file, or nothing (raises ``CheckinError``).

    Idempotent: a respondent and year already held is replaced by the file's answer, so
    importing the same file twice leaves the same rows."""
    responses = parse_text(text)
    years = tuple(sorted({response.year for response in responses}))
    with transaction.atomic():
        held = set(
            CheckinResponse.objects.filter(association=association, year__in=years).values_list("year", "respondent_id")
        )
        replaced = sum(1 for response in responses if (response.year, response.respondent_id) in held)
        CheckinResponse.objects.bulk_create(
            [_row(association, response) for response in responses],
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["association", "year", "respondent_id"],
            update_fields=[*_FIELDS, "updated_at"],
        )
        refresh_indicators(association, years)
        record(
            actor=actor,
            verb="workforce.checkins_imported",
            association=association,
            data={"file": file_name, "rows": len(responses), "replaced": replaced, "years": list(years)},
        )
    return ImportResult(rows=len(responses), created=len(responses) - replaced, replaced=replaced, years=years)


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
_LOADED = ("respondent_id", "year", *[field for field in _FIELDS if field != "source"])


def responses_for(association: Association, year: int) -> Sequence[Response]:
    """The year's answers as plain values (no model instances: this reads every row)."""
    rows = CheckinResponse.objects.filter(association=association, year=year).values_list(*_LOADED)
    responses = []
    for values in rows:
        fields = dict(zip(_LOADED, values, strict=True))
        for name in _LISTS:
            fields[name] = frozenset(fields[name]) if fields[name] else None
        for name in _TEXTS:
            fields[name] = fields[name] or None
        responses.append(Response(**fields))
    return responses


def refresh_indicators(association: Association, years: Sequence[int]) -> None:
    """Recompute the stored figures of ``years`` (call inside the change's transaction)."""
    IndicatorSnapshot.objects.bulk_create(
        [
            IndicatorSnapshot(association=association, year=year, figures=indicators_for(association, year))
            for year in years
        ],
        update_conflicts=True,
        unique_fields=["association", "year"],
        update_fields=["figures", "computed_at"],
    )


def indicators_for(association: Association, year: int) -> dict[str, Any]:
    """The same figures as the command line computes from a file, from the association's rows."""
    return compute(responses_for(association, year), year)
