"""Part 1 scores from a file (``email,part1_percent,taken_on``): every row or none.

The exam's Part 1 is taken elsewhere; staff upload the scores. Importing the same file again
changes nothing (a score already recorded with the same values is left as it is)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from attunement.associations.models import Association
from attunement.endorsement.actions.exam import record_part1
from attunement.endorsement.models import ExamSitting
from attunement.lib.tables import Column, Problem, TableError, date_cell, email_cell, percent_cell, read_table
from attunement.people.models import User

COLUMNS = (
    Column("email", email_cell),
    Column("part1_percent", percent_cell),
    Column("taken_on", date_cell),
)


@dataclass(frozen=True)
class Part1Import:
    recorded: int
    unchanged: int


@transaction.atomic
def import_part1_scores(*, actor: User, association: Association, data: bytes | str) -> Part1Import:
    """Record each row's Part 1 score on the person's latest exam sitting here. Raises
    ``TableError`` naming every problem by row and column; then nothing is recorded."""
    rows = read_table(data, COLUMNS)
    emails = {row["email"] for row in rows}
    # One query for every row: each person's sittings here, the latest approval first.
    sittings: dict[str, ExamSitting] = {}
    for found in (
        ExamSitting.objects.filter(application__association=association)
        .annotate(email=Lower("application__portfolio__person__email"))
        .filter(email__in=emails)
        .select_related("application")
        .order_by("-approved_until", "-id")
    ):
        sittings.setdefault(found.email, found)
    problems: list[Problem] = []
    first_row: dict[str, int] = {}
    to_record: list[tuple[int, ExamSitting, Decimal, date]] = []
    unchanged = 0
    for row in rows:
        email, percent, taken = row["email"], row["part1_percent"], row["taken_on"]
        if email in first_row:
            problems.append(Problem(row.number, "email", _("A duplicate of row %(row)s.") % {"row": first_row[email]}))
            continue
        first_row[email] = row.number
        sitting = sittings.get(email)
        if sitting is None:
            problems.append(Problem(row.number, "email", _("nobody approved to sit the exam has that address.")))
        elif sitting.part1_percent == percent and sitting.taken_on == taken:
            unchanged += 1
        elif sitting.completed_at is not None:
            problems.append(
                Problem(
                    row.number, "part1_percent", _("this exam is already decided; its Part 1 score was not changed.")
                )
            )
        else:
            to_record.append((row.number, sitting, percent, taken))
    if problems:
        raise TableError(problems)
    for number, sitting, percent, taken in to_record:
        try:
            record_part1(actor=actor, sitting=sitting, percent=percent, taken_on=taken)
        except ValidationError as error:
            # Rolled back with the rest: the file goes in whole or not at all.
            raise TableError(
                [Problem(number, field, " ".join(messages)) for field, messages in error.message_dict.items()]
            ) from None
    return Part1Import(recorded=len(to_record), unchanged=unchanged)
