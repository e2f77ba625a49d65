"""The Endorsement categories: one registry, read from data (``categories.json`` here).

Each category has a code (what every table stores), its name in each language, its track
(infant, early childhood, or both for the ERS add-on), its review level (a reviewer holds the
applicant's level or higher) and its provider rank (1 is named first when an RS/C provider or
a rater holds several). Pages list categories in the registry's order. Adding a category is a
change to this file and to the rule sets that say what it requires: no code, no migration.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMAT = "attunement.categories/1"
REGISTRY_FILE = Path(__file__).resolve().parent / "categories.json"
LANGUAGES = ("en", "es")
TRACKS = ("infant", "early_childhood", "both")


class CategoryError(ValueError):
    """A registry that cannot be used; the message names the path of what is wrong."""


@dataclass(frozen=True)
class Category:
    code: str
    names: dict[str, str]
    track: str
    review_level: int
    provider_rank: int

    def name(self, language: str | None = None) -> str:
        """The name in ``language`` (``es-mx`` reads ``es``), else in English."""
        base = (language or "en").split("-")[0].lower()
        return self.names.get(base) or self.names["en"]


def read_registry(data: Any) -> tuple[Category, ...]:
    """The categories of a registry document, checked: every error names its path."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CategoryError(f"format: expected {FORMAT!r}")
    items = data.get("categories")
    if not isinstance(items, list) or not items:
        raise CategoryError("categories: expected a non-empty list")
    seen: set[str] = set()
    ranks: set[int] = set()
    out = []
    for i, item in enumerate(items):
        where = f"categories[{i}]"
        if not isinstance(item, dict):
            raise CategoryError(f"{where}: expected an object")
        unknown = set(item) - {"code", "name", "track", "review_level", "provider_rank"}
        if unknown:
            raise CategoryError(f"{where}: unknown fields {sorted(unknown)}")
        code = item.get("code")
        if not isinstance(code, str) or not code or len(code) > 10 or not code.replace("-", "").isalnum():
            raise CategoryError(f"{where}.code: expected up to 10 letters, digits or '-'")
        if code in seen:
            raise CategoryError(f"{where}.code: {code} is listed twice")
        seen.add(code)
        names = item.get("name")
        if not isinstance(names, dict) or not isinstance(names.get("en"), str) or not names["en"].strip():
            raise CategoryError(f"{where}.name.en: expected the English name")
        for language, name in names.items():
            if language not in LANGUAGES:
                raise CategoryError(f"{where}.name.{language}: unknown language (known: {', '.join(LANGUAGES)})")
            if not isinstance(name, str) or not name.strip():
                raise CategoryError(f"{where}.name.{language}: expected a name")
        if item.get("track") not in TRACKS:
            raise CategoryError(f"{where}.track: expected one of {', '.join(TRACKS)}")
        for key in ("review_level", "provider_rank"):
            value = item.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise CategoryError(f"{where}.{key}: expected a whole number from 1")
        if item["provider_rank"] in ranks:
            raise CategoryError(f"{where}.provider_rank: {item['provider_rank']} is given twice")
        ranks.add(item["provider_rank"])
        out.append(Category(code, dict(names), item["track"], item["review_level"], item["provider_rank"]))
    return tuple(out)


REGISTRY: tuple[Category, ...] = read_registry(json.loads(REGISTRY_FILE.read_text(encoding="utf-8")))
CODES: tuple[str, ...] = tuple(c.code for c in REGISTRY)
_BY_CODE = {c.code: c for c in REGISTRY}


def category(code: str) -> Category:
    """The registry's category ``code`` (a ``KeyError`` for one it does not know)."""
    return _BY_CODE[code]


def name(code: str, language: str | None = None) -> str:
    """The category's name in ``language``; an unknown code is shown as it is."""
    found = _BY_CODE.get(code)
    return found.name(language) if found else code


def choices(language: str | None = None) -> list[tuple[str, str]]:
    """``(code, name)`` for every category, in the registry's order."""
    return [(c.code, c.name(language)) for c in REGISTRY]


TOP_REVIEW_LEVEL = max(c.review_level for c in REGISTRY)


def review_level(code: str) -> int | None:
    found = _BY_CODE.get(code)
    return found.review_level if found else None


def provider_rank(code: str) -> int:
    """1 for the category named first; an unknown code after every known one."""
    found = _BY_CODE.get(code)
    return found.provider_rank if found else len(REGISTRY) + 1


def by_provider_rank(codes: Iterable[str]) -> list[str]:
    return sorted(codes, key=provider_rank)
