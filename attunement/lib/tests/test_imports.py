"""Command-line imports of JSON documents refuse a file over their limit, naming it (issue 29.3)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from attunement.lib.imports import JSON_DOCUMENT_MAX_BYTES, read_text

COMMANDS = {
    "portfolio": lambda file: ["portfolio", "import", file, "--person", "applicant@example.org"],
    "competencies": lambda file: ["competencies", "load", file],
    "rulesets": lambda file: ["rulesets", "load", file],
}


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as stream:  # takes no disk space; never read
        stream.write(b"{")
        stream.truncate(size)
    return path


@pytest.mark.django_db
@pytest.mark.parametrize("command", COMMANDS)
def test_json_imports_refuse_a_file_over_the_limit_naming_it(
    command: str, personas: dict[str, Any], tmp_path: Path
) -> None:
    path = _sparse(tmp_path / "big.json", JSON_DOCUMENT_MAX_BYTES + 1)
    with pytest.raises(CommandError) as caught:
        call_command(*COMMANDS[command](str(path)))
    assert str(caught.value) == (
        f"{path}: larger than the limit of 10 MB for this command (it is {JSON_DOCUMENT_MAX_BYTES + 1:,} bytes)"
    )
    assert caught.value.returncode == 2


def test_read_text_names_a_missing_file_and_text_that_is_not_utf8(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"nowhere\.json: no such file"):
        read_text(tmp_path / "nowhere.json", 100)
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"name": "Peñasco"}'.encode("latin-1"))
    with pytest.raises(CommandError, match=r"latin\.json: not UTF-8 text"):
        read_text(latin, 100)
    assert read_text(_utf8(tmp_path), 100) == '{"name": "Peñasco"}'


def _utf8(tmp_path: Path) -> Path:
    path = tmp_path / "ok.json"
    path.write_text('{"name": "Peñasco"}', encoding="utf-8")
    return path
