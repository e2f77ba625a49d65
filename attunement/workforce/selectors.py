"""Reads of the workforce app: answers as plain values, their figures, and the export."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from django.db.models import Q

from attunement.associations.models import Association
from attunement.endorsement.models import Credential
from attunement.lib.exports import escape_text
from attunement.people.models import User
from attunement.portfolios.models import RSC
from attunement.workforce.checkin import CODEBOOK, COLUMNS, FORMAT, Response, share_values
from attunement.workforce.indicators import compute
from attunement.workforce.models import ANSWER_FIELDS, CheckinResponse, WorkforceProfile
from attunement.workforce.rollups import CURRENT

BATCH = 2_000


def export_checkins(association: Association, year: int | None = None) -> str:
    """The association's answers as an ``attunement.checkin/1`` file (importable as is): a text
    that a spreadsheet would take for a formula gets a leading quote that the import removes."""
    rows = CheckinResponse.objects.filter(association=association).order_by("year", "respondent_id")
    if year is not None:
        rows = rows.filter(year=year)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows.iterator(chunk_size=BATCH):
        writer.writerow([escape_text(_cell(getattr(row, column))) for column in COLUMNS])
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
        "cell are separated by `;`. Respondent ids are the survey's own; rows hold no names. A text that",
        "begins with `=`, `+`, `-`, `@`, a tab, a carriage return or `'` is written with one more leading `'`",
        "(so that spreadsheets do not run it as a formula); the import removes it.",
        "",
        "| column | type | values |",
        "|---|---|---|",
    ]
    for column, kind, values in CODEBOOK:
        lines.append(f"| `{column}` | {kind} | {values} |")
    return "\n".join(lines) + "\n"


_LISTS = ("race_ethnicity", "languages", "ebt_trained", "barriers", "desired_topics")
_TEXTS = ("service_level", "region")
_NUMBERS = ("year", "paid_hours_week", "worked_hours_week", "annual_salary")


def responses_for(association: Association, year: int) -> Sequence[Response]:
    """The year's answers as plain values (no model instances: this reads every row), read in
    batches, each repeated value (a set of answers, a role, a region) held once."""
    rows = CheckinResponse.objects.filter(association=association, year=year).values_list(*COLUMNS)
    share = share_values()
    share_number = {name: share_values() for name in _NUMBERS}  # one per column: 40 == 40.0
    responses = []
    for values in rows.iterator(chunk_size=BATCH):
        fields = dict(zip(COLUMNS, values, strict=True))
        for name in _LISTS:
            fields[name] = share(frozenset(fields[name])) if fields[name] else None
        for name in _TEXTS:
            fields[name] = share(fields[name]) or None
        fields["role"] = share(fields["role"])
        for name, shared in share_number.items():
            fields[name] = shared(fields[name])
        responses.append(Response(**fields))
    return responses


def indicators_for(association: Association, year: int) -> dict[str, Any]:
    """The same figures as the command line computes from a file, from the association's rows."""
    return compute(responses_for(association, year), year)


def associations_of(person: User) -> list[Association]:
    """The associations a person works with: their portfolio's, their memberships', their
    credentials' (usually one). Their check-ins and profile count there."""
    return list(
        Association.objects.filter(
            Q(portfolios__person=person) | Q(membership_terms__person=person) | Q(credentials__person=person)
        )
        .distinct()
        .order_by("name")
    )


def checkin_initial(person: User, association: Association, year: int) -> dict[str, Any]:
    """The check-in form's answers: this year's check-in if there is one, else the profile's,
    what the person's credentials and portfolio already say, and last year's answers."""
    profile = WorkforceProfile.objects.filter(person=person).first()
    initial: dict[str, Any] = {"languages": list(person.languages or []), "region": person.region}
    earlier = (
        CheckinResponse.objects.filter(association=association, respondent_id=profile.respondent_id, year__lte=year)
        .order_by("-year")
        .first()
        if profile is not None
        else None
    )
    if earlier is not None:
        for name in ANSWER_FIELDS:
            value = getattr(earlier, name)
            if name in ("specialized_training_foundations", "endorsed", "received_rs"):
                value = "" if value is None else ("yes" if value else "no")
            if name != "source" and value not in (None, ""):
                initial[name] = value
    if profile is not None:
        initial |= {
            name: getattr(profile, name)
            for name in (
                "role",
                "service_level",
                "region",
                "paid_hours_week",
                "worked_hours_week",
                "annual_salary",
                "caseload",
            )
            if getattr(profile, name) not in (None, "")
        }
    if Credential.objects.filter(person=person, association=association, status__in=CURRENT).exists():
        initial["endorsed"] = "yes"
    if RSC.objects.filter(portfolio__person=person).exists():
        initial["received_rs"] = "yes"
    return initial


def checked_in(person: User, year: int) -> set[int]:
    """Ids of the associations where the person has this year's check-in."""
    profile = WorkforceProfile.objects.filter(person=person).first()
    if profile is None:
        return set()
    return set(
        CheckinResponse.objects.filter(
            respondent_id=profile.respondent_id, year=year, source=CheckinResponse.Source.CHECKIN
        ).values_list("association_id", flat=True)
    )
