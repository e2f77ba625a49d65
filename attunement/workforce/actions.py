"""Writes of the workforce app: importing check-in files and keeping the stored figures current."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from attunement.associations.models import Association
from attunement.audit.actions import record
from attunement.people.models import User
from attunement.workforce.checkin import Response, parse_text
from attunement.workforce.models import ANSWER_FIELDS, CheckinResponse, IndicatorSnapshot
from attunement.workforce.selectors import BATCH, indicators_for


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
            update_fields=[*ANSWER_FIELDS, "updated_at"],
        )
        refresh_indicators(association, years)
        record(
            actor=actor,
            verb="workforce.checkins_imported",
            association=association,
            data={"file": file_name, "rows": len(responses), "replaced": replaced, "years": list(years)},
        )
    return ImportResult(rows=len(responses), created=len(responses) - replaced, replaced=replaced, years=years)


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
