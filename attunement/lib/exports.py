"""Spreadsheet-safe exports: every CSV and XLSX file the app writes goes through here.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read
by spreadsheet programs as a formula ("CSV injection": a preferred name
``=HYPERLINK("https://…","Click")`` becomes a live link in the coordinator's spreadsheet).

- CSV: such text is written with a leading single quote, as OWASP recommends
  (:func:`safe_cell`, :func:`csv_writer`). Only text is changed: numbers that are numbers
  (``-3`` as an ``int``, ``Decimal`` or ``float``), dates and ``None`` are written as they are.
- XLSX: every text cell is written as a string (``data_type "s"``), never as a formula or an
  error code, and text that looks like a formula also carries Excel's "quote prefix" style so
  that editing the cell keeps it text (:func:`xlsx_row`). The text itself is not changed.

Machine-readable files that are imported again (``attunement.checkin/1``) use the reversible
form, :func:`escape_text` and :func:`unescape_text`: a text that begins with one of those
characters or with a single quote gets one more single quote, and the import removes it.
"""

from __future__ import annotations

import csv
import datetime
import re
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"

# Values written as they are: numbers, dates, identifiers (never text a person typed).
_PLAIN = (int, float, Decimal, datetime.date, datetime.time, datetime.timedelta, uuid.UUID)
# Characters an XLSX file cannot hold (openpyxl refuses them): shown as U+FFFD instead of a 500.
_ILLEGAL_XLSX = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def safe_text(text: str) -> str:
    """``text`` with a leading single quote if a spreadsheet would read it as a formula."""
    return QUOTE + text if text.startswith(FORMULA_STARTS) else text


def safe_cell(value: Any) -> Any:
    """One CSV cell: text neutralised (:func:`safe_text`); numbers, dates and ``None`` as they are."""
    if value is None or isinstance(value, _PLAIN):  # bool is an int
        return value
    return safe_text(value if isinstance(value, str) else str(value))


class SafeWriter:
    """A ``csv.writer`` whose every cell goes through :func:`safe_cell`."""

    def __init__(self, out: Any, **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: Any, **options: Any) -> SafeWriter:
    """``csv.writer(out, **options)`` for an export: use it for every CSV the app writes."""
    return SafeWriter(out, **options)


def xlsx_row(sheet: Any, values: Iterable[Any]) -> list[Any]:
    """One row for ``sheet.append`` (openpyxl, write-only or not): text as string cells."""
    from openpyxl.cell import WriteOnlyCell

    row: list[Any] = []
    for value in values:
        if value is not None and not isinstance(value, (*_PLAIN, str)):
            value = str(value)
        if not isinstance(value, str):
            row.append(value)
            continue
        cell = WriteOnlyCell(sheet, _ILLEGAL_XLSX.sub("\ufffd", value))
        cell.data_type = "s"  # openpyxl would make "=…" a formula and "#N/A" an error
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
        row.append(cell)
    return row


def escape_text(text: str) -> str:
    """Reversible form for files that are imported again: see :func:`unescape_text`."""
    return QUOTE + text if text.startswith((*FORMULA_STARTS, QUOTE)) else text


def unescape_text(text: str) -> str:
    """The text :func:`escape_text` was given (a lone ``'`` or ``'x`` stays as it is)."""
    if text.startswith(QUOTE) and text[1:].startswith((*FORMULA_STARTS, QUOTE)):
        return text[1:]
    return text
