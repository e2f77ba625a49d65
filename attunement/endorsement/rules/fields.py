"""Field checks for the portfolio reader (``reading.py``): each takes the object, the key, the
object's JSON path and the list of errors; it returns the value (or a default) and, when the
value is wrong, appends one message naming its path. The accepting case is the cheap one.
Pure Python: no Django.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from attunement.endorsement.rules.portfolio import (
    AGES,
    CATEGORIES,
    DOMAINS,
    EDUCATION_LEVELS,
    LEADERSHIP,
    RELATIONSHIPS,
    RSC_FORMATS,
    SERVICE_LEVELS,
)

LEVELS, SERVICE, AGES_SET, LEADS, FORMATS, RELATIONS, CODES, DOMAIN_SET = map(
    frozenset, (EDUCATION_LEVELS, SERVICE_LEVELS, AGES, LEADERSHIP, RSC_FORMATS, RELATIONSHIPS, CATEGORIES, DOMAINS)
)
# How to name the allowed values in a message: in the order the spec lists them.
SPELLED = {frozenset(allowed): ", ".join(allowed) for allowed in (EDUCATION_LEVELS, SERVICE_LEVELS, AGES, LEADERSHIP,
                                                                   RSC_FORMATS, RELATIONSHIPS, CATEGORIES)}  # fmt: skip
BOOLS = frozenset({bool, type(None)})
NUMBERS = frozenset({int, float})
MISSING: Any = object()

# Dates seen before, parsed once (portfolios repeat the same few hundred days).
_dates: dict[str, date] = {}


def as_object(value: Any, path: str, errors: list[str]) -> dict[str, Any]:
    """``value`` as an object; an error (and an empty object, so that every required key is
    reported too) if it is not one. Unknown keys are reported by :func:`unknown` afterwards."""
    if type(value) is dict:
        return value
    errors.append(f"{path}: must be an object")
    return {}


def unknown(o: dict[str, Any], keys: frozenset[str], path: str, errors: list[str]) -> None:
    if not o.keys() <= keys:
        errors.extend(f"{path}.{key}: unknown key" for key in o if key not in keys)


def items_of(o: dict[str, Any], key: str, path: str, errors: list[str]) -> list[Any]:
    value = o.get(key)
    if type(value) is list:
        return value
    if value is not None:
        errors.append(f"{path}.{key}: must be a list")
    return []


def section(top: dict[str, Any], key: str, errors: list[str]) -> list[Any]:
    """A top-level section (absent or null is an empty one)."""
    value = top.get(key)
    if type(value) is list:
        return value
    return [] if value is None else items_of(top, key, "$", errors)


def day_of(o: dict[str, Any], key: str, path: str, errors: list[str], required: bool = False) -> date | None:
    value = o.get(key)
    try:
        return _dates[value]  # type: ignore[index]  # anything unhashable or unseen: checked below
    except (KeyError, TypeError):
        pass
    if value is None:
        if required:
            errors.append(f"{path}.{key}: is required")
        return None
    if type(value) is str and len(value) == 10:
        try:
            parsed = _dates[value] = date.fromisoformat(value)
        except ValueError:
            pass
        else:
            if len(_dates) > 50_000:
                _dates.clear()
            return parsed
    errors.append(f"{path}.{key}: must be a date YYYY-MM-DD")
    return None


def not_after(day: date | None, as_of: date, key: str, path: str, errors: list[str]) -> None:
    if day is not None and day > as_of:
        after(path, key, as_of, errors)


def after(path: str, key: str, as_of: date, errors: list[str]) -> None:
    errors.append(f"{path}.{key}: is after the as-of date {as_of.isoformat()}")


def ordered(start: date | None, end: date | None, key: str, start_key: str, path: str, errors: list[str]) -> None:
    if start is not None and end is not None and end < start:
        before(path, key, start_key, errors)


def before(path: str, key: str, start_key: str, errors: list[str]) -> None:
    errors.append(f"{path}.{key}: is before {start_key}")


def flags(o: dict[str, Any], keys: tuple[str, ...], path: str, errors: list[str]) -> list[bool]:
    """Several true/false fields at once (absent or null is false); one type check for all."""
    values = [o.get(key) for key in keys]
    if not BOOLS.issuperset(map(type, values)):
        for key, value in zip(keys, values, strict=True):
            if type(value) not in BOOLS:
                errors.append(f"{path}.{key}: must be true or false")
    return [v is True for v in values]


def flag(o: dict[str, Any], key: str, path: str, errors: list[str]) -> bool:
    value = o.get(key)
    if value is True:
        return True
    if value is not None and value is not False:
        errors.append(f"{path}.{key}: must be true or false")
    return False


def text(o: dict[str, Any], key: str, path: str, errors: list[str], required: bool = False) -> str:
    value = o.get(key, MISSING)
    if type(value) is str:
        return value
    if value is MISSING:
        if required:
            errors.append(f"{path}.{key}: is required")
    elif value is not None or required:
        errors.append(f"{path}.{key}: must be a string")
    return ""


def optional_text(o: dict[str, Any], key: str, path: str, errors: list[str]) -> str | None:
    value = o.get(key)
    if value is None or type(value) is str:
        return value
    errors.append(f"{path}.{key}: must be a string")
    return None


def choice(o: dict[str, Any], key: str, allowed: frozenset[str], default: Any, path: str, errors: list[str],
            required: bool = True) -> Any:  # fmt: skip
    value = o.get(key, MISSING)
    if type(value) is str and value in allowed:
        return value
    if value is MISSING:
        if required:
            errors.append(f"{path}.{key}: is required")
    elif value is not None or required:
        errors.append(f"{path}.{key}: must be one of {SPELLED[allowed]}")
    return default


def number(o: dict[str, Any], key: str, path: str, errors: list[str], *, required: bool = False,
            positive: bool = False, default: float = 0.0, maximum: float | None = None) -> float:  # fmt: skip
    value = o.get(key, MISSING)
    if type(value) in NUMBERS:
        if positive and value <= 0:
            errors.append(f"{path}.{key}: must be greater than 0")
        elif value < 0:
            errors.append(f"{path}.{key}: must not be negative")
        elif maximum is not None and value > maximum:
            errors.append(f"{path}.{key}: must be at most {maximum:g}")
        return float(value)
    if value is MISSING:
        if required:
            errors.append(f"{path}.{key}: is required")
    elif value is not None or required:
        errors.append(f"{path}.{key}: must be a number")
    return default


def count(o: dict[str, Any], key: str, path: str, errors: list[str], default: int | None = 0) -> int | None:
    value = o.get(key)
    if type(value) is int:
        if value < 0:
            errors.append(f"{path}.{key}: must not be negative")
        return value
    if value is not None:
        errors.append(f"{path}.{key}: must be a whole number")
    return default
