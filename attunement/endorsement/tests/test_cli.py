"""`attunement eligibility` as the exchange spec writes it: reports, JSON Lines, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from attunement.endorsement.tests.builders import base

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).resolve().parents[3]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "attunement", "eligibility", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_spec_example_gives_the_spec_report() -> None:
    result = run(str(DATA / "spec-example.json"), "--category", "IFS", "--as-of", "2025-11-01")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["format"] == "attunement.eligibility/1"
    assert (report["category"], report["rule_set"], report["as_of"], report["renewal"]) == (
        "IFS",
        "alliance-2025",
        "2025-11-01",
        False,
    )
    assert report["eligible"] is False
    rsc = next(r for r in report["requirements"] if r["id"] == "rsc")
    assert rsc == {
        "id": "rsc",
        "status": "unmet",
        "summary": rsc["summary"],
        "progress": {"have": 20.0, "need": 24, "unit": "hours"},
        "counted": [{"section": "rsc", "index": 0, "hours": 20.0}],
        "excluded": [{"section": "rsc", "index": 1, "why": "peer supervision never counts"}],
    }
    assert rsc["summary"].startswith("20 of 24 RS/C hours within a 12-24 month span")
    assert [r["id"] for r in report["requirements"]] == [
        "education",
        "work",
        "training",
        "rsc",
        "references",
        "agreements",
        "membership",
        "exam",
    ]


def test_json_lines_give_one_report_per_line_in_order(tmp_path: Path) -> None:
    lines = [base("IFS"), json.loads((DATA / "spec-example.json").read_text()), base("IFS")]
    source = tmp_path / "many.jsonl"
    source.write_text("\n".join(json.dumps(p) for p in lines) + "\n")
    result = run("--jsonl", str(source), "--category", "IFS", "--as-of", "2025-11-01")
    assert result.returncode == 0, result.stderr
    reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["eligible"] for r in reports] == [True, False, True]


def test_one_bad_line_writes_nothing_and_exits_2_naming_line_and_path(tmp_path: Path) -> None:
    bad = base("IFS")
    bad["rsc"][1]["hours"] = 0
    bad["work"][0]["colour"] = "blue"
    source = tmp_path / "many.jsonl"
    source.write_text("\n".join([json.dumps(base("IFS")), json.dumps(bad), "{not json"]) + "\n")
    result = run("--jsonl", str(source), "--category", "IFS", "--as-of", "2025-11-01")
    assert result.returncode == 2
    assert result.stdout == ""
    errors = result.stderr.splitlines()
    assert "line 2: $.rsc[1].hours: must be greater than 0" in errors
    assert "line 2: $.work[0].colour: unknown key" in errors
    assert any(e.startswith("line 3: $: not valid JSON") for e in errors)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p: p.update(format="attunement.portfolio/2"), "$.format: must be attunement.portfolio/1"),
        (lambda p: p["work"][0].update(end="2020-01-01"), "$.work[0].end: is before start"),
        (
            lambda p: p["training"][0].update(date="2025-11-02"),
            "$.training[0].date: is after the as-of date 2025-11-01",
        ),
        (lambda p: p["rsc"][0].update(format="phone"), "$.rsc[0].format: must be one of individual, group"),
        (lambda p: p["training"][0].update(hours=-1), "$.training[0].hours: must be greater than 0"),
        (
            lambda p: p["references"][0]["rater"].update(credentials="IFS"),
            "$.references[0].rater.credentials: must be a list",
        ),
        (
            lambda p: p["education"][0].update(level="phd"),
            "$.education[0].level: must be one of none, cda, associate, bachelor, master, doctorate",
        ),
        (lambda p: p.update(surprise=1), "$.surprise: unknown key"),
    ],
)
def test_an_invalid_portfolio_is_refused_with_its_json_path(tmp_path: Path, mutate: Any, message: str) -> None:
    p = base("IFS")
    mutate(p)
    source = tmp_path / "p.json"
    source.write_text(json.dumps(p))
    result = run(str(source), "--category", "IFS", "--as-of", "2025-11-01")
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr.splitlines()


def test_renewal_and_rule_set_and_category_options(tmp_path: Path) -> None:
    source = tmp_path / "p.json"
    source.write_text(json.dumps(base("IFS")))
    renewal = run(str(source), "--category", "IFS", "--as-of", "2025-11-01", "--renewal")
    assert renewal.returncode == 0
    report = json.loads(renewal.stdout)
    assert report["renewal"] is True
    assert [r["id"] for r in report["requirements"]] == ["credential", "training", "rsc", "membership", "agreements"]
    unknown = run(str(source), "--category", "XYZ", "--as-of", "2025-11-01")
    assert unknown.returncode == 2
    assert "XYZ" in unknown.stderr
    missing = run(str(source), "--category", "IFS", "--rule-set", "nowhere-2030")
    assert missing.returncode == 2
    assert "nowhere-2030" in missing.stderr


def test_as_of_defaults_to_today(tmp_path: Path) -> None:
    from django.utils import timezone

    source = tmp_path / "p.json"
    p = base("IFA")
    source.write_text(json.dumps(p))
    result = run(str(source), "--category", "IFA")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["as_of"] == timezone.localdate().isoformat()
