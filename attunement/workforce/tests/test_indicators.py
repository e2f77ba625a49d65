"""The attunement.checkin/1 parser and the attunement.indicators/1 figures, by hand-counted data."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from attunement.workforce.checkin import COLUMNS, CheckinError, Response, parse_text
from attunement.workforce.indicators import compute, percent

# No test here is marked django_db: pytest-django fails any that touches a database.


def _rows() -> list[dict[str, str]]:
    """Twenty 2019 respondents; the counts in the comments are what the indicators must report."""
    rows = [{"respondent_id": f"r{n:02d}", "year": "2019", "role": "clinician"} for n in range(1, 21)]
    for n in range(12, 20):
        rows[n]["role"] = "home_visitor"  # 12 clinicians, 8 home visitors

    def assign(column: str, values: list[str]) -> None:
        for row, value in zip(rows, values, strict=False):
            row[column] = value

    # specialised training: 7 yes, 9 no, 4 blank -> 7/16 = 43.75 -> 43.8
    assign("specialized_training_foundations", ["yes"] * 7 + ["no"] * 9)
    # endorsed: 1 yes of 16 answered -> 6.25 -> 6.3 (half up)
    assign("endorsed", ["yes"] + ["no"] * 15)
    # received RS: 14 of 20 -> 70.0
    assign("received_rs", ["yes"] * 14 + ["no"] * 6)
    # EBT: 5 none, 4 cpp, 3 pcit+abc, 8 blank -> 5/12 = 41.7
    assign("ebt_trained", ["none"] * 5 + ["cpp"] * 4 + ["pcit;abc"] * 3)
    # race: 10 white, 3 black, 2 hispanic+white, 2 prefer not, 1 white+prefer not, 2 blank
    #   -> denominator 16, people of colour 5 -> 31.25 -> 31.3
    assign(
        "race_ethnicity",
        ["white"] * 10
        + ["black"] * 3
        + ["hispanic_latino;white"] * 2
        + ["prefer_not_to_say"] * 2
        + ["white; prefer_not_to_say"],
    )
    # barriers, 15 answered: cost 9, location_travel 6, time 3
    assign("barriers", ["cost"] * 3 + ["cost;location_travel"] * 6 + ["time"] * 3 + ["other"] * 3)
    # topics, 10 answered: assessment 6, attachment 6, reflective_practice 2
    assign(
        "desired_topics",
        ["assessment;attachment"] * 4 + ["assessment"] * 2 + ["attachment"] * 2 + ["reflective_practice"] * 2,
    )
    # regions: north 11 (endorsed: the 1 yes; RS: 11 yes), south 5, 4 blank
    assign("region", ["north"] * 11 + ["south"] * 5)
    # clinicians: paid 40 for all 12, worked 45 for 3, row 12 gives no worked hours -> 3/11 = 27.3
    assign("paid_hours_week", ["40"] * 12)
    assign("worked_hours_week", ["45"] * 3 + ["40"] * 8)
    assign("languages", ["en;es"] * 3)
    assign("caseload", ["12"] * 5)
    return rows


def _csv(rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in columns})
    return out.getvalue()


def test_indicators_from_a_hand_counted_file() -> None:
    result = compute(parse_text(_csv(_rows())), 2019)
    assert result["format"] == "attunement.indicators/1"
    assert result["respondents"] == 20
    assert result["pct_specialized_training_foundations"] == 43.8
    assert result["pct_endorsed"] == 6.3
    assert result["pct_received_rs"] == 70.0
    assert result["pct_no_ebt_training"] == 41.7
    assert result["pct_people_of_color"] == 31.3
    assert result["barriers"]["cost"] == 60.0
    assert result["barriers"]["location_travel"] == 40.0
    assert result["barriers"]["time"] == 20.0
    assert result["barriers"]["language"] == 0.0
    assert set(result["barriers"]) == {
        "cost",
        "location_travel",
        "lost_billable_time",
        "not_offered",
        "time",
        "language",
        "prerequisites",
        "other",
    }
    assert result["desired_topics_ranked"] == ["assessment", "attachment", "reflective_practice"]
    assert result["pct_worked_beyond_paid_by_role"] == {"clinician": 27.3, "home_visitor": None}
    assert result["by_region"] == {
        "north": {"respondents": 11, "pct_endorsed": 9.1, "pct_received_rs": 100.0},
        "south": {"respondents": None, "pct_endorsed": None, "pct_received_rs": None},
    }
    # 12 clinicians, of whom fewer than 10 gave a salary: every median is suppressed
    assert result["median_salary_by_role_and_poc"]["clinician"] == {"poc": None, "white": None, "gap": None}


def test_small_cells_are_suppressed() -> None:
    nine = _rows()[:9]
    result = compute(parse_text(_csv(nine)), 2019)
    assert result["respondents"] is None
    assert result["pct_received_rs"] is None
    assert result["desired_topics_ranked"] is None
    assert all(value is None for value in result["barriers"].values())
    assert percent(1, 9) is None
    assert percent(1, 10) == 10.0


def test_median_salary_gap_within_role() -> None:
    def person(n: int, role: str, races: set[str], salary: float) -> Response:
        return Response(f"p{n}", 2019, role, race_ethnicity=frozenset(races), annual_salary=salary)

    people = [person(n, "clinician", {"white"}, 50_000 + 1_000 * n) for n in range(10)]
    people += [person(10 + n, "clinician", {"black"}, 45_000 + 1_000 * n) for n in range(10)]
    people += [person(20 + n, "clinician", {"prefer_not_to_say"}, 10_000) for n in range(5)]  # in neither group
    people += [person(30 + n, "peer_support", {"white"}, 30_000) for n in range(9)]
    salaries = compute(people, 2019)["median_salary_by_role_and_poc"]
    assert salaries["clinician"] == {"poc": 49_500.0, "white": 54_500.0, "gap": 5_000.0}
    assert salaries["peer_support"] == {"poc": None, "white": None, "gap": None}


def test_a_bad_file_is_rejected_whole_with_row_and_column() -> None:
    rows = _rows()
    rows[0]["role"] = "wizard"
    rows[2]["paid_hours_week"] = "forty"
    rows[3]["barriers"] = "cost;parking"
    rows[4]["endorsed"] = "maybe"
    rows[5]["ebt_trained"] = "none;cpp"
    rows[6]["year"] = "19"
    rows[7]["languages"] = "english"
    rows[8]["caseload"] = "-3"
    with pytest.raises(CheckinError) as caught:
        parse_text(_csv(rows))
    errors = caught.value.errors
    assert len(errors) == 8
    assert errors[0].startswith("row 2, column 'role': unknown value 'wizard'")
    assert errors[1] == "row 4, column 'paid_hours_week': 'forty' is not a number"
    assert errors[2].startswith("row 5, column 'barriers': unknown value 'parking'")
    assert errors[3] == "row 6, column 'endorsed': 'maybe' is not yes or no"
    assert errors[4] == "row 7, column 'ebt_trained': 'none' cannot be listed together with a model"
    assert errors[5] == "row 8, column 'year': '19' is not a four-digit year"
    assert errors[6] == "row 9, column 'languages': 'english' is not a two-letter ISO 639-1 code"
    assert errors[7] == "row 10, column 'caseload': '-3' is not a whole number of zero or more"


def test_header_problems() -> None:
    with pytest.raises(CheckinError) as caught:
        parse_text(_csv(_rows(), ("respondent_id", "year", "favourite_colour")))
    assert caught.value.errors == [
        "row 1, column 3 'favourite_colour': unknown column",
        "row 1, column 'role': required column is missing",
    ]
    with pytest.raises(CheckinError, match="row 1: the file is empty"):
        parse_text("")


def test_a_respondent_answers_once_per_year() -> None:
    rows = _rows()
    rows[5]["respondent_id"] = "r01"
    with pytest.raises(CheckinError) as caught:
        parse_text(_csv(rows))
    assert caught.value.errors == ["row 7, column 'respondent_id': 'r01' already answered for 2019 in row 2"]
    rows[5]["year"] = "2020"  # another year: a new answer
    assert len(parse_text(_csv(rows))) == 20


def test_blank_cells_are_not_answers() -> None:
    (only,) = parse_text("respondent_id,year,role,endorsed,ebt_trained,barriers\nx,2019,other,,,\n")
    assert only.endorsed is None
    assert only.ebt_trained is None
    assert only.barriers is None


def test_command_line_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "survey.csv"
    path.write_text("\ufeff" + _csv(_rows()), encoding="utf-8")
    call_command("workforce", "indicators", str(path), "--json")
    printed = json.loads(capsys.readouterr().out)
    assert printed == compute(parse_text(_csv(_rows())), 2019)


def test_command_line_refuses_a_bad_file_and_names_every_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _rows()
    rows[0]["role"] = "wizard"
    rows[1]["annual_salary"] = "lots"
    path = tmp_path / "survey.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    with pytest.raises(CommandError, match="rejected, 2 problem") as caught:
        call_command("workforce", "indicators", str(path), "--json")
    assert caught.value.returncode == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "row 2, column 'role'" in captured.err
    assert "row 3, column 'annual_salary'" in captured.err


def test_command_line_year_choice(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = _rows()
    for row in rows[:10]:
        row["year"] = "2020"
    path = tmp_path / "survey.csv"
    path.write_text(_csv(rows), encoding="utf-8")
    with pytest.raises(CommandError, match="holds the years 2019, 2020; choose one"):
        call_command("workforce", "indicators", str(path), "--json")
    call_command("workforce", "indicators", str(path), "--year", "2020", "--json")
    assert json.loads(capsys.readouterr().out)["respondents"] == 10
    with pytest.raises(CommandError, match="no responses for 2018"):
        call_command("workforce", "indicators", str(path), "--year", "2018")
