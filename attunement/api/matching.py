"""Names and codes as payers type them, and how sure a match is.

Scoring (documented in the API description):
- ``exact``: the credential code matched (and the name given with it, if any, matched too);
- ``high``: the normalised full name (case, accents, punctuation and spacing ignored) equals
  the holder's legal or preferred name, and only one person matched;
- ``medium``: every word of the name given is among the holder's names (a middle name left
  out, names in another order), or several people share the exact name;
- ``low``: the code matched but the name, or the category, given with it did not;
- ``none``: nothing matched.
"""

from __future__ import annotations

import re
import unicodedata

CODE_ALPHABET = frozenset("ABCDEFGHJKMNPQRSTVWXYZ23456789")
CODE_MAX = 12
_NOT_WORD = re.compile(r"[^\w]+")

SCORES = {"exact": 1.0, "high": 0.95, "medium": 0.7, "low": 0.3, "none": 0.0}


def normalise_code(raw: str) -> str | None:
    """The code as stored (upper case, no spaces or dashes), or None when it cannot be one."""
    code = "".join(raw.split()).replace("-", "").upper()
    if not code or len(code) > CODE_MAX or not set(code) <= CODE_ALPHABET:
        return None
    return code


def fold(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name: 'José  O’Neil' -> 'jose o neil'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.sub(" ", stripped.casefold()).replace("_", " ").split())


def name_confidence(query: str, *names: str) -> str:
    """How well the folded ``query`` matches any of the holder's ``names``."""
    wanted = fold(query)
    if not wanted:
        return "none"
    best = "none"
    words = set(wanted.split())
    for name in names:
        folded = fold(name)
        if not folded:
            continue
        if folded == wanted:
            return "high"
        if words <= set(folded.split()):
            best = "medium"
    return best


def _ascii_lower(text: str) -> str:
    return "".join(ch.lower() if ch.isascii() else ch for ch in text)


def lookup_keys(name: str) -> list[str]:
    """Lower-cased spellings to look the name up with in the database: as typed (spaces
    collapsed), as SQLite's LOWER() (ASCII only) would leave it as typed and in title case,
    and without accents. A stored name with accents is found by a query with the same
    accents (see docs/operations.md, "Verification API")."""
    typed = " ".join(name.split())
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", typed) if not unicodedata.combining(ch))
    keys = {typed.lower(), _ascii_lower(typed), _ascii_lower(typed.title()), plain.lower()}
    return sorted(k for k in keys if k)


def search_variants(word: str) -> list[str]:
    """Spellings of one word for a case-insensitive LIKE that also works on SQLite, whose
    LIKE ignores case for ASCII letters only."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKD", word) if not unicodedata.combining(ch))
    return sorted({word, word.lower(), word.title(), word.upper(), plain} - {""})


def search_word(name: str) -> str:
    """The longest word of a name, to find candidates with (accents kept as typed)."""
    words = [w for w in _NOT_WORD.sub(" ", name).replace("_", " ").split() if w]
    return max(words, key=len) if words else ""
