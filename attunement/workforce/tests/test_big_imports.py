"""Command-line imports of survey files (issue 29.3 and 29.5): capped in size, read as a
stream, formula-looking respondent ids refused, and exports that spreadsheets cannot run
that still import as they were."""

from __future__ import annotations

import csv
import io
import random
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from attunement.associations.models import Association
from attunement.audit.models import AuditEvent
from attunement.demo.survey import survey
from attunement.lib.exports import FORMULA_STARTS
from attunement.workforce.actions import IMPORT_BATCH, import_checkins
from attunement.workforce.checkin import COMMAND_LINE_MAX_BYTES, CheckinError, Reader, parse_text
from attunement.workforce.models import CheckinResponse
from attunement.workforce.selectors import export_checkins, indicators_for
from attunement.workforce.tests.test_indicators import _csv, _rows

pytestmark = pytest.mark.django_db


# --- 29.5: respondent ids a spreadsheet would run ----------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_a_respondent_id_that_a_spreadsheet_would_run_is_refused_naming_row_and_column(
    start: str, riverbend: Association
) -> None:
    rows = _rows()
    rows[4]["respondent_id"] = f'{start}HYPERLINK("https://evil.example","x")'
    with pytest.raises(CheckinError) as caught:
        import_checkins(riverbend, _csv(rows), actor=None)
    (error,) = caught.value.errors
    assert error.startswith("row 6, column 'respondent_id': ")
    assert "cannot begin with =, +, - or @" in error
    assert CheckinResponse.objects.count() == 0


def test_the_command_refuses_such_an_id_and_imports_nothing(
    riverbend: Association, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _rows()
    rows[0]["respondent_id"] = "@SUM(1+1)"
    path = tmp_path / "survey.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("workforce", "import", str(path), "--association", "riverbend")
    assert "row 2, column 'respondent_id'" in capsys.readouterr().err
    assert CheckinResponse.objects.count() == 0


def test_an_export_that_spreadsheets_cannot_run_imports_as_it_was(riverbend: Association, cascade: Association) -> None:
    regions = ["=SUM(A1:A9)", "-north", "+1 coast", "@home", "'quoted", "''=twice", "plain"]
    rows = _rows()
    for row, region in zip(rows, regions, strict=False):
        row["region"] = region
    import_checkins(riverbend, _csv(rows), actor=None)
    exported = export_checkins(riverbend)
    cells = [cell for row in csv.reader(io.StringIO(exported)) for cell in row]
    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert "'=SUM(A1:A9)" in cells
    import_checkins(cascade, exported, actor=None)

    def held(association: Association) -> list[str]:
        found = dict(CheckinResponse.objects.filter(association=association).values_list("respondent_id", "region"))
        return [found[f"r{n:02d}"] for n in range(1, len(regions) + 1)]

    # As a spreadsheet reads a cell, a leading quote before =, +, -, @ or ' marks text: the
    # import drops it (the hand-made file's ''=twice is the text '=twice) ...
    assert held(riverbend) == [*regions[:5], "'=twice", "plain"]
    # ... so what was exported imports exactly as it was held
    assert held(cascade) == held(riverbend)
    assert indicators_for(cascade, 2019) == indicators_for(riverbend, 2019)


# --- 29.3: the size cap ---------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["import", "indicators"])
def test_the_commands_refuse_a_file_over_the_limit_naming_it(
    action: str, riverbend: Association, tmp_path: Path
) -> None:
    path = tmp_path / "huge.csv"
    with path.open("wb") as stream:  # sparse: takes no disk space, and is never read
        stream.write(b"respondent_id,year,role\n")
        stream.truncate(COMMAND_LINE_MAX_BYTES + 1)
    extra = ["--association", "riverbend"] if action == "import" else []
    with pytest.raises(CommandError) as caught:
        call_command("workforce", action, str(path), *extra)
    assert str(caught.value) == (
        f"{path}: larger than the limit of 100 MB for this command (it is {COMMAND_LINE_MAX_BYTES + 1:,} bytes)"
    )
    assert caught.value.returncode == 2
    assert CheckinResponse.objects.count() == 0
    assert not AuditEvent.objects.filter(verb="workforce.checkins_imported").exists()


def test_a_file_at_the_limit_is_read(riverbend: Association, tmp_path: Path, monkeypatch: Any) -> None:
    text = _csv(_rows())
    path = tmp_path / "survey.csv"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr("attunement.workforce.management.commands.workforce.COMMAND_LINE_MAX_BYTES", len(text.encode()))
    call_command("workforce", "import", str(path), "--association", "riverbend")
    assert CheckinResponse.objects.count() == 20


# --- 29.3: read as a stream -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def survey_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated survey of 20,000 respondents, about 3.6 MB."""
    path = tmp_path_factory.mktemp("survey") / "survey-2019.csv"
    text = survey(random.Random(7), 2019, 20_000, trained=0.58, endorsed=0.045, rs=0.708)
    path.write_text(text, encoding="utf-8")
    return path


def _peak(work: Any) -> int:
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_reading_a_file_holds_a_fraction_of_it(survey_file: Path) -> None:
    """Reading row by row keeps the respondent ids (to find repeats), not the file or its rows."""
    size = survey_file.stat().st_size

    def read() -> None:
        with survey_file.open(encoding="utf-8", newline="") as stream:
            reader = Reader(stream)
            assert sum(1 for _response in reader) == 20_000
            reader.check()

    # Holding the text alone would take its size; the parser before took 17.7x (64 MB) with
    # its rows. Measured now: 0.8x, nearly all of it the 20,000 respondent ids.
    assert _peak(read) < size


def test_the_import_writes_batches_while_it_reads(riverbend: Association, survey_file: Path) -> None:
    """Each batch of answers is in the database before the next rows are read."""
    read = [0]
    read_when_written: list[int] = []

    def lines() -> Iterator[str]:
        with survey_file.open(encoding="utf-8", newline="") as stream:
            for line in stream:
                read[0] += 1
                yield line

    def observe(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.startswith('INSERT INTO "workforce_checkinresponse"'):
            read_when_written.append(read[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(observe):
        result = import_checkins(riverbend, lines(), actor=None, file_name="survey-2019.csv")
    assert result.rows == 20_000
    # the header and the batch's rows read, then written: never the file ahead of its batch
    assert read_when_written == [1 + IMPORT_BATCH * n for n in range(1, 20_000 // IMPORT_BATCH + 1)]
    assert CheckinResponse.objects.filter(association=riverbend).count() == 20_000


def test_the_import_command_holds_far_less_than_before(riverbend: Association, survey_file: Path) -> None:
    """Before, the command read the text whole, parsed every row, then built every model row:
    29x the file's size at its peak (measured with this file, 106 MB). Now it holds one batch
    while reading, then the year's answers the figures need (medians): 2.7x (10 MB) on SQLite,
    4.4x (16 MB) on PostgreSQL, whose driver buffers more per batch."""
    size = survey_file.stat().st_size
    peak = _peak(lambda: call_command("workforce", "import", str(survey_file), "--association", "riverbend"))
    assert peak < 8 * size
    assert CheckinResponse.objects.filter(association=riverbend).count() == 20_000


def test_a_bad_row_late_in_a_big_file_leaves_nothing(riverbend: Association, survey_file: Path, tmp_path: Path) -> None:
    lines = survey_file.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[-2] = lines[-2].replace(",2019,", ",19,", 1)
    path = tmp_path / "bad.csv"
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("workforce", "import", str(path), "--association", "riverbend")
    assert CheckinResponse.objects.count() == 0  # the nine batches written before it were rolled back
    assert not AuditEvent.objects.filter(verb="workforce.checkins_imported").exists()
    with pytest.raises(CheckinError, match=f"row {len(lines) - 1}, column 'year'"):
        parse_text("".join(lines))


def test_ids_and_regions_longer_than_the_database_holds_are_refused_naming_the_column(riverbend: Association) -> None:
    rows = _rows()
    rows[0]["respondent_id"] = "r" * 101
    rows[1]["region"] = "x" * 101
    with pytest.raises(CheckinError) as caught:
        import_checkins(riverbend, _csv(rows), actor=None)
    assert caught.value.errors == [
        "row 2, column 'respondent_id': longer than 100 characters",
        "row 3, column 'region': longer than 100 characters",
    ]


def test_a_file_that_is_not_utf8_is_refused_by_the_streaming_command(
    riverbend: Association, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("respondent_id,year,role,region\nx,2019,other,Peñasco\n".encode("latin-1"))
    with pytest.raises(CommandError, match="nothing imported"):
        call_command("workforce", "import", str(path), "--association", "riverbend")
    assert "not UTF-8 text" in capsys.readouterr().err
    assert CheckinResponse.objects.count() == 0
