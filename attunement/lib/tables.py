"""One reader for the tables people upload (CSV): rows in, or every problem named by row and
column, and nothing in at all.

An import declares its columns (a name and a function that turns the cell's text into a value,
raising ``ValueError`` with the sentence to show); ``read_table`` checks the header, reads every
row, and either returns all of them or raises ``TableError`` with every problem (up to a limit).
Rows are numbered as in a spreadsheet: the header is row 1. The caller then makes its changes in
one transaction, so a file goes in whole or not at all.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

MAX_PROBLEMS = 50


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.column:
            return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return _("Row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class TableError(Exception):
    """The file was refused whole; ``problems`` say where and why."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Column:
    name: str
    read: Callable[[str], Any]
    required: bool = True  # a blank cell is a problem; otherwise it reads as None


@dataclass(frozen=True)
class Row:
    number: int
    values: dict[str, Any]

    def __getitem__(self, name: str) -> Any:
        return self.values[name]


def read_table(data: bytes | str, columns: Sequence[Column], *, max_problems: int = MAX_PROBLEMS) -> list[Row]:
    """Every row of a CSV with exactly ``columns`` (any order, names compared without case),
    read by each column's function; or ``TableError`` with the problems found."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TableError([Problem(1, "", _("The file is not UTF-8 text."))]) from None
    else:
        text = data.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise TableError([Problem(1, "", _("The file is empty."))]) from None
    except csv.Error as exc:
        raise TableError([Problem(1, "", _("This is not a readable CSV file (%(error)s).") % {"error": exc})]) from None
    expected = [c.name for c in columns]
    if sorted(header) != sorted(expected):
        raise TableError([Problem(1, "", _("The columns must be %(columns)s.") % {"columns": ",".join(expected)})])
    at = {name: header.index(name) for name in expected}
    problems: list[Problem] = []
    rows: list[Row] = []
    number = 1
    try:
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                problems.append(
                    Problem(
                        number,
                        "",
                        _("The row has %(cells)s cells but the header has %(columns)s.")
                        % {"cells": len(cells), "columns": len(header)},
                    )
                )
            else:
                values: dict[str, Any] = {}
                for column in columns:
                    raw = cells[at[column.name]].strip()
                    if not raw:
                        if column.required:
                            problems.append(Problem(number, column.name, _("This cell is empty.")))
                        values[column.name] = None
                        continue
                    try:
                        values[column.name] = column.read(raw)
                    except ValueError as exc:
                        problems.append(Problem(number, column.name, str(exc)))
                rows.append(Row(number, values))
            if len(problems) >= max_problems:
                break
    except csv.Error as exc:
        problems.append(Problem(number + 1, "", _("This is not a readable CSV row (%(error)s).") % {"error": exc}))
    if problems:
        raise TableError(problems[:max_problems])
    return rows


# --- Cell readers (each raises ValueError with the sentence to show) -------------------------


def email_cell(raw: str) -> str:
    if "@" not in raw or " " in raw:
        raise ValueError(_("“%(value)s” is not an email address.") % {"value": raw})
    return raw.lower()


def date_cell(raw: str) -> date:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValueError(_("a date YYYY-MM-DD.")) from None


def percent_cell(raw: str) -> Decimal:
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        raise ValueError(_("a number from 0 to 100.")) from None
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(100):
        raise ValueError(_("a number from 0 to 100."))
    return value
