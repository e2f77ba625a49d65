"""The Spanish catalog is complete and compiled: every string translated, none fuzzy, and the
.mo the server reads says what the .po says."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "es" / "LC_MESSAGES"


def _entries() -> list[tuple[str, list[str], bool]]:
    """(msgid, msgstrs, fuzzy) for each entry of the .po file, header excluded."""
    entries: list[tuple[str, list[str], bool]] = []
    msgid: list[str] = []
    msgstrs: list[list[str]] = []
    current: list[str] | None = None
    fuzzy = next_fuzzy = False

    def flush() -> None:
        if msgid and "".join(msgid):
            entries.append(("".join(msgid), ["".join(s) for s in msgstrs], fuzzy))

    for line in (LOCALE / "django.po").read_text(encoding="utf-8").splitlines():
        if line.startswith("#,") and "fuzzy" in line:
            next_fuzzy = True
        elif line.startswith("msgid "):
            flush()
            msgid, msgstrs, fuzzy, next_fuzzy = [ast.literal_eval(line[6:])], [], next_fuzzy, False
            current = msgid
        elif line.startswith("msgid_plural "):
            current = []
        elif line.startswith("msgstr"):
            current = [ast.literal_eval(line.split(" ", 1)[1])]
            msgstrs.append(current)
        elif line.startswith('"') and current is not None:
            current.append(ast.literal_eval(line))
    flush()
    return entries


def test_every_string_is_translated_and_none_is_fuzzy() -> None:
    entries = _entries()
    assert len(entries) > 100
    untranslated = [msgid for msgid, strs, _ in entries if not all(strs)]
    fuzzy = [msgid for msgid, _, is_fuzzy in entries if is_fuzzy]
    assert untranslated == []
    assert fuzzy == []


def test_the_compiled_catalog_matches_the_source() -> None:
    with (LOCALE / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = [msgid for msgid, strs, _ in _entries() if len(strs) == 1 and compiled.gettext(msgid) != strs[0]]
    assert stale == [], "run `make messages` (or msgfmt) to recompile django.mo"
