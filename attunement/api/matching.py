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

from attunement.people.names import fold_name as fold  # the form kept in User.*_name_key

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


def search_word(name: str) -> str:
    """The longest word of a name, to find candidates with."""
    words = [w for w in _NOT_WORD.sub(" ", name).replace("_", " ").split() if w]
    return max(words, key=len) if words else ""
