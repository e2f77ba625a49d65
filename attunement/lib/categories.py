"""The Endorsement categories in the language of the request (the registry is
``endorsement.rules.categories``; model fields store codes and have no ``choices=``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from attunement.endorsement.rules import categories


def category_name(code: str) -> str:
    return categories.name(code, get_language())


def category_choices() -> list[tuple[str, str]]:
    """``(code, name)`` of every category, for a form's choices (pass the function itself so
    that the names follow the language of each request)."""
    return categories.choices(get_language())


def blank_or_category(blank: str) -> list[tuple[str, str]]:
    return [("", blank), *category_choices()]


def validate_category(code: str) -> None:
    """A model field's check that it holds a category of the registry (blank is the field's
    own business)."""
    if code not in categories.CODES:
        raise ValidationError(_("“%(value)s” is not an Endorsement category."), code="category", params={"value": code})


class _Names(Mapping[str, str]):
    """Code -> name in the active language, for code that looks names up in a mapping."""

    def __getitem__(self, code: str) -> str:
        if code not in categories.CODES:
            raise KeyError(code)
        return category_name(code)

    def __iter__(self) -> Iterator[str]:
        return iter(categories.CODES)

    def __len__(self) -> int:
        return len(categories.CODES)


NAMES: Mapping[str, str] = _Names()
