"""Reading the people a portfolio names (RS/C providers, raters, supervisors) and the
credentials they hold: part of the portfolio reader (``reading.py``). Pure Python: no Django.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from attunement.endorsement.rules.fields import (
    BOOLS,
    CODES,
    MISSING,
    as_object,
    before,
    choice,
    day_of,
    flag,
    flags,
    items_of,
    optional_text,
    text,
    unknown,
)
from attunement.endorsement.rules.portfolio import Held, PersonRef

HELD = ("category", "since", "until", "emerging")
REF = ("name", "email", "credentials", "vetted", "unverified")
HELD_SET, REF_SET = frozenset(HELD), frozenset(REF)
NO_PERSON = PersonRef("", None, (), False)


def read_held(value: Any, path: str, errors: list[str]) -> Held:
    o = as_object(value, path, errors)
    category = o.get("category")
    if type(category) is not str or category not in CODES:
        category = choice(o, "category", CODES, "IFA", path, errors)
    since = day_of(o, "since", path, errors, required=True)
    until = day_of(o, "until", path, errors)
    emerging = o.get("emerging")
    if emerging is not True:
        emerging = flag(o, "emerging", path, errors)
    if until is not None and since is not None and until < since:
        before(path, "until", "since", errors)
    if not o.keys() <= HELD_SET:
        unknown(o, HELD_SET, path, errors)
    return Held(category, since or date.min, until, emerging)


def read_person(value: Any, path: str, errors: list[str]) -> PersonRef:
    o = as_object(value, path, errors)
    name = o.get("name")
    if type(name) is not str:
        name = text(o, "name", path, errors, required=True)
    email = o.get("email")
    if email is not None and type(email) is not str:
        email = optional_text(o, "email", path, errors)
    credentials = o.get("credentials")
    if credentials:
        credentials = tuple(
            read_held(c, f"{path}.credentials[{i}]", errors)
            for i, c in enumerate(items_of(o, "credentials", path, errors))
        )
    elif credentials is not None and type(credentials) is not list:
        items_of(o, "credentials", path, errors)  # not a list: say so
    vetted, unverified = o.get("vetted"), o.get("unverified")
    if type(vetted) not in BOOLS or type(unverified) not in BOOLS:
        vetted, unverified = flags(o, ("vetted", "unverified"), path, errors)
    if not o.keys() <= REF_SET:
        unknown(o, REF_SET, path, errors)
    return PersonRef(name, email, credentials or (), vetted is True, unverified is True)


class People:
    """The people (RS/C providers, raters) one portfolio names, each read once however often it
    names them: a later object equal to one read before, with the same true/false values (``==``
    takes 1 for true), is the same person."""

    __slots__ = ("seen",)

    def __init__(self) -> None:
        self.seen: list[tuple[dict[str, Any], PersonRef]] = []

    def read(self, o: dict[str, Any], key: str, path: str, errors: list[str]) -> PersonRef:
        value = o.get(key, MISSING)
        for raw, ref in self.seen:
            if raw == value and raw.get("vetted") is value.get("vetted") and _same_flags(raw, value):
                return ref
        if value is MISSING:
            errors.append(f"{path}.{key}: is required")
            return NO_PERSON
        before = len(errors)
        ref = read_person(value, f"{path}.{key}", errors)
        if len(errors) == before and len(self.seen) < 8:
            self.seen.append((value, ref))
        return ref


def _same_flags(a: dict[str, Any], b: dict[str, Any]) -> bool:
    if a.get("unverified") is not b.get("unverified"):
        return False
    return all(
        x.get("emerging") is y.get("emerging")
        for x, y in zip(a.get("credentials") or (), b.get("credentials") or (), strict=True)
    )
