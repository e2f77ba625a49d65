"""Names folded for searching: case, accents, punctuation and spacing ignored."""

from __future__ import annotations

import re
import unicodedata

_NOT_WORD = re.compile(r"[^\w]+")
KEY_LENGTH = 400


def fold_name(text: str) -> str:
    """Case-, accent- and punctuation-insensitive form of a name: 'José  O’Neil' -> 'jose o neil'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NOT_WORD.sub(" ", stripped.casefold()).replace("_", " ").split())


def name_key(text: str) -> str:
    """The stored search key of a name (``User.legal_name_key`` / ``preferred_name_key``)."""
    return fold_name(text)[:KEY_LENGTH]
