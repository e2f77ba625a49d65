"""Importing check-in files into an association: all or nothing, idempotent, same figures."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from attunement.associations.models import Association
from attunement.audit.models import AuditEvent
from attunement.lib.testing import pin_queries
from attunement.workforce.actions import import_checkins
from attunement.workforce.checkin import CODEBOOK, COLUMNS, CheckinError, parse_text
from attunement.workforce.indicators import compute
from attunement.workforce.models import CheckinResponse, IndicatorSnapshot
from attunement.workforce.selectors import indicators_for
from attunement.workforce.tests.test_indicators import _csv, _rows

pytestmark = pytest.mark.django_db


def test_import_keeps_every_answer_and_the_figures_match_the_file(riverbend: Association) -> None:
    text = _csv(_rows())
    result = import_checkins(riverbend, text, actor=None, file_name="survey.csv")
    assert (result.rows, result.created, result.replaced, result.years) == (20, 20, 0, (2019,))
    assert CheckinResponse.objects.filter(association=riverbend).count() == 20
    assert indicators_for(riverbend, 2019) == compute(parse_text(text), 2019)
    # the stored figures the pages read are recomputed in the import's transaction
    assert IndicatorSnapshot.objects.get(association=riverbend, year=2019).figures == compute(parse_text(text), 2019)
    event = AuditEvent.objects.get(verb="workforce.checkins_imported")
    assert event.association == riverbend
    assert event.data == {"file": "survey.csv", "rows": 20, "replaced": 0, "years": [2019]}


def test_reimporting_replaces_the_same_respondent_and_year(riverbend: Association, cascade: Association) -> None:
    rows = _rows()
    import_checkins(riverbend, _csv(rows), actor=None)
    import_checkins(cascade, _csv(rows[:3]), actor=None)  # another association's r01 is another person
    again = import_checkins(riverbend, _csv(rows), actor=None)
    assert (again.created, again.replaced) == (0, 20)
    assert CheckinResponse.objects.filter(association=riverbend).count() == 20
    rows[0]["endorsed"] = "no"
    rows[0]["barriers"] = "language"
    import_checkins(riverbend, _csv(rows[:1]), actor=None)
    first = CheckinResponse.objects.get(association=riverbend, respondent_id="r01")
    assert first.endorsed is False
    assert first.barriers == ["language"]
    assert indicators_for(riverbend, 2019)["pct_endorsed"] == 0.0
    assert IndicatorSnapshot.objects.get(association=riverbend, year=2019).figures["pct_endorsed"] == 0.0
    assert CheckinResponse.objects.filter(association=cascade).count() == 3
    assert CheckinResponse.objects.get(association=cascade, respondent_id="r01").endorsed is True


def test_a_bad_file_changes_nothing(riverbend: Association) -> None:
    rows = _rows()
    import_checkins(riverbend, _csv(rows), actor=None)
    before = list(CheckinResponse.objects.order_by("pk").values())
    rows[0]["received_rs"] = "no"  # a good change ...
    rows[19]["annual_salary"] = "fifty thousand"  # ... in a file with one bad cell
    with pytest.raises(CheckinError, match="row 21, column 'annual_salary'"):
        import_checkins(riverbend, _csv(rows), actor=None)
    assert list(CheckinResponse.objects.order_by("pk").values()) == before
    assert IndicatorSnapshot.objects.get().figures["pct_received_rs"] == 70.0  # unchanged
    assert AuditEvent.objects.filter(verb="workforce.checkins_imported").count() == 1


def test_import_is_a_fixed_number_of_queries(riverbend: Association) -> None:
    rows = [{**row, "respondent_id": f"{row['respondent_id']}-{n}"} for n in range(50) for row in _rows()]
    # savepoint, per 500 rows the keys already held and one INSERT … ON CONFLICT, the year's
    # rows read back for the figures, one INSERT … ON CONFLICT of the figures, the audit event,
    # release
    with pin_queries(9):
        import_checkins(riverbend, _csv(rows), actor=None)
    assert CheckinResponse.objects.count() == 1_000


def test_import_command(riverbend: Association, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "survey.csv"
    path.write_text(_csv(_rows()), encoding="utf-8")
    call_command("workforce", "import", str(path), "--association", "riverbend")
    assert capsys.readouterr().out.strip() == "riverbend: 20 responses for 2019 (20 new, 0 replaced)"
    call_command("workforce", "import", str(path), "--association", "riverbend")
    assert capsys.readouterr().out.strip() == "riverbend: 20 responses for 2019 (0 new, 20 replaced)"
    with pytest.raises(CommandError, match="no association 'nowhere'"):
        call_command("workforce", "import", str(path), "--association", "nowhere")
    path.write_text("respondent_id,year,role\nr1,2019,wizard\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("workforce", "import", str(path), "--association", "riverbend")
    assert "row 2, column 'role'" in capsys.readouterr().err
    assert CheckinResponse.objects.count() == 20


def test_export_round_trips_and_ships_a_codebook(
    riverbend: Association, cascade: Association, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _rows()
    rows[0]["paid_hours_week"] = "37.5"
    import_checkins(riverbend, _csv(rows), actor=None)
    output, book = tmp_path / "out.csv", tmp_path / "codebook.md"
    call_command("workforce", "export", "--association", "riverbend", "--output", str(output), "--codebook", str(book))
    exported = output.read_text(encoding="utf-8")
    assert exported.splitlines()[0] == ",".join(COLUMNS)
    assert len(exported.splitlines()) == 21
    import_checkins(cascade, exported, actor=None)  # the export imports as is ...
    assert indicators_for(cascade, 2019) == indicators_for(riverbend, 2019)  # ... with the same figures
    assert CheckinResponse.objects.get(association=cascade, respondent_id="r01").paid_hours_week == 37.5
    text = book.read_text(encoding="utf-8")
    assert all(f"| `{column}` |" in text for column in COLUMNS)
    call_command("workforce", "export", "--association", "riverbend", "--year", "2020")
    assert capsys.readouterr().out == ",".join(COLUMNS) + "\n"


def test_the_codebook_describes_every_column_in_order() -> None:
    assert tuple(column for column, _kind, _values in CODEBOOK) == COLUMNS
