"""Import and export of ``attunement.portfolio/1``: all or nothing, idempotent, paths in errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from attunement.endorsement.eligibility import portfolio_document
from attunement.endorsement.tests.builders import base
from attunement.portfolios import actions
from attunement.portfolios.models import RSC, Education, Provenance, Training, Work

ROOT = Path(__file__).resolve().parents[3]


def test_an_import_adds_everything_once(applicant_portfolio: Any) -> None:
    document = base("IFS")
    added = actions.import_portfolio(actor=None, portfolio=applicant_portfolio, document=document)
    assert added == {"education": 1, "licenses": 0, "work": 1, "training": 1, "rsc": 2}
    assert Work.objects.get().provenance == Provenance.IMPORT
    again = actions.import_portfolio(actor=None, portfolio=applicant_portfolio, document=document)
    assert again == {"education": 0, "licenses": 0, "work": 0, "training": 0, "rsc": 0}
    assert RSC.objects.count() == 2


def test_a_bad_document_imports_nothing_and_names_each_path(applicant_portfolio: Any) -> None:
    document = base("IFS")
    document["rsc"][1]["hours"] = 0
    document["training"][0]["colour"] = "blue"
    with pytest.raises(ValidationError) as caught:
        actions.import_portfolio(actor=None, portfolio=applicant_portfolio, document=document)
    assert "$.rsc[1].hours: must be greater than 0" in caught.value.messages
    assert "$.training[0].colour: unknown key" in caught.value.messages
    assert not Training.objects.exists()
    assert Education.objects.count() == 1  # only the fixture's


def test_export_then_import_elsewhere_round_trips(applicant_portfolio: Any, make_person: Any, riverbend: Any) -> None:
    actions.import_portfolio(actor=None, portfolio=applicant_portfolio, document=base("IFS"))
    exported = portfolio_document(applicant_portfolio)
    other = make_person("other@example.org")
    portfolio = actions.start_portfolio(actor=other, person=other, association=riverbend)
    actions.import_portfolio(actor=None, portfolio=portfolio, document=exported)
    mine, theirs = portfolio_document(applicant_portfolio), portfolio_document(portfolio)
    for section in ["education", "licenses", "work", "training", "rsc"]:
        assert mine[section] == theirs[section], section


@pytest.mark.django_db(transaction=True)
def test_the_command_line_import_is_all_or_nothing(applicant_portfolio: Any, tmp_path: Path, settings: Any) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the subprocess reaches the test database only through the SQLite file")
    bad = base("IFS")
    bad["work"][0]["end"] = "2000-01-01"
    source = tmp_path / "p.json"
    source.write_text(json.dumps(bad))
    env = {"ATTUNEMENT_VAR_DIR": str(Path(settings.DATABASES["default"]["NAME"]).parent)}
    result = _cli(["portfolio", "import", str(source), "--person", "applicant@example.org"], settings, env)
    assert result.returncode == 2
    assert "$.work[0].end: is before start" in result.stderr
    assert not Work.objects.exists()


def _cli(args: list[str], settings: Any, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    import os

    full = {**os.environ, **env, "DATABASE_URL": f"sqlite:///{settings.DATABASES['default']['NAME']}"}
    return subprocess.run(
        [sys.executable, "-m", "attunement", *args],
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
