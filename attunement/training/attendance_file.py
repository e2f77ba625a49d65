"""The attendance CSV a trainer uploads: parsing and validation, all or nothing.

Columns (a header row, any order): ``email`` and then either ``part`` with ``present``
(yes/no) or ``hours`` (per part), or ``hours`` alone (hours of the whole session, credited
to the parts in order). Rows are numbered as in a spreadsheet, the header being row 1."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

MAX_BYTES = 1_000_000
YES = {"yes", "y", "1", "true", "present", "x", "sí", "si"}
NO = {"no", "n", "0", "false", "absent", ""}


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return _("Row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class AttendanceFileError(Exception):
    """The file was refused whole; ``problems`` say where and why."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = list(problems)


def parse(text: str, *, people: Mapping[str, object], part_hours: Sequence[Decimal]) -> dict[str, list[Decimal | None]]:
    """Hours per part for each e-mail address named in the file (``None``: a part the file
    leaves as it is). ``people`` holds the registered people's addresses in lower case;
    ``part_hours`` the hours of parts 1, 2, …"""
    total = sum(part_hours, Decimal(0))
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise AttendanceFileError([Problem(1, "email", _("The file is empty."))]) from None
    if "email" not in header:
        raise AttendanceFileError([Problem(1, "email", _("The header has no “email” column."))])
    has_part, has_present, has_hours = "part" in header, "present" in header, "hours" in header
    if not (has_hours or (has_part and has_present)):
        raise AttendanceFileError([Problem(1, "hours", _("Give an “hours” column, or “part” and “present” columns."))])
    problems: list[Problem] = []
    result: dict[str, list[Decimal | None]] = {}
    seen: dict[tuple[str, int | None], int] = {}
    first_row: dict[str, int] = {}

    def cell(values: list[str], name: str) -> str:
        index = header.index(name)
        return values[index].strip() if index < len(values) else ""

    for row_number, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) < len(header):
            # A short row would read its missing cells as blank (a blank "present" is "no"):
            # refuse it rather than guess.
            problems.append(
                Problem(
                    row_number,
                    header[len(values)],
                    _("The row has %(cells)s cells but the header has %(columns)s; this cell is missing.")
                    % {"cells": len(values), "columns": len(header)},
                )
            )
            continue
        email = cell(values, "email").lower()
        if email not in people:
            problems.append(Problem(row_number, "email", _("Nobody registered for this session has this address.")))
            continue
        part: int | None = None
        if has_part:
            raw = cell(values, "part")
            if not raw.isdigit() or not 1 <= int(raw) <= len(part_hours):
                problems.append(Problem(row_number, "part", _("Give a part from 1 to %(n)s.") % {"n": len(part_hours)}))
                continue
            part = int(raw)
        key = (email, part)
        first = seen.get(key) or seen.get((email, None)) or (first_row.get(email) if part is None else None)
        if first is not None:
            problems.append(Problem(row_number, "email", _("A duplicate of row %(row)s.") % {"row": first}))
            continue
        seen[key] = row_number
        first_row.setdefault(email, row_number)
        hours_list = result.setdefault(email, [None] * len(part_hours))
        if has_hours and cell(values, "hours") != "":
            raw_hours = cell(values, "hours")
            try:
                hours = Decimal(raw_hours.replace(",", "."))
            except InvalidOperation:
                problems.append(Problem(row_number, "hours", _("“%(value)s” is not a number.") % {"value": raw_hours}))
                continue
            if not hours.is_finite():
                problems.append(
                    Problem(
                        row_number,
                        "hours",
                        _("“%(value)s” is not a number of hours; give a number such as 1.5.") % {"value": raw_hours},
                    )
                )
                continue
            limit = part_hours[part - 1] if part is not None else total
            if hours < 0:
                problems.append(Problem(row_number, "hours", _("Hours cannot be negative.")))
                continue
            if hours > limit:
                problems.append(
                    Problem(
                        row_number,
                        "hours",
                        _("%(hours)s hours is more than the %(limit)s hours of the session or part.")
                        % {"hours": hours, "limit": limit},
                    )
                )
                continue
            if part is not None:
                hours_list[part - 1] = hours
            else:
                left = hours
                for i, available in enumerate(part_hours):
                    credited = min(left, available)
                    hours_list[i] = credited
                    left -= credited
        else:
            raw_present = cell(values, "present").lower() if has_present else ""
            if raw_present not in YES | NO:
                problems.append(Problem(row_number, "present", _("Write yes or no.")))
                continue
            present = raw_present in YES
            targets = [part] if part is not None else range(1, len(part_hours) + 1)
            for p in targets:
                hours_list[p - 1] = part_hours[p - 1] if present else Decimal(0)
    if problems:
        raise AttendanceFileError(problems)
    if not result:
        raise AttendanceFileError([Problem(2, "email", _("The file has no rows."))])
    return result
