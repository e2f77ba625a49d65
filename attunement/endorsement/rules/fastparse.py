"""A fast path for valid portfolios.

``parse_portfolio`` first tries this strict, allocation-light reader; at the first thing it
does not like it gives up (``Slow``) and the full validating reader in ``portfolio.py`` runs
instead, which collects every error with its JSON path. So valid input is fast and invalid
input is explained; a test checks both readers build the same portfolio.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from attunement.endorsement.rules.portfolio import (
    AGES,
    CATEGORIES,
    DOMAINS,
    EDUCATION_LEVELS,
    FORMAT,
    LEADERSHIP,
    RELATIONSHIPS,
    RSC,
    RSC_FORMATS,
    SERVICE_LEVELS,
    Education,
    Exam,
    Held,
    License,
    Membership,
    PersonRef,
    Portfolio,
    Reference,
    Training,
    Work,
)


class Slow(Exception):
    """Not plainly valid: let the full reader decide and explain."""


TOP = frozenset(
    {
        "format",
        "person",
        "education",
        "licenses",
        "work",
        "training",
        "rsc",
        "references",
        "agreements",
        "memberships",
        "exam",
        "credentials",
    }
)
PERSON = frozenset({"name", "email", "id"})
HELD = frozenset({"category", "since", "until", "emerging"})
REF = frozenset({"name", "email", "credentials", "vetted", "unverified"})
EDUCATION = frozenset({"level", "field", "institution", "conferred", "verified"})
LICENSE = frozenset({"kind", "mental_health", "jurisdiction", "issued", "expires"})
WORK = frozenset(
    {
        "employer",
        "title",
        "start",
        "end",
        "paid",
        "fte",
        "service_level",
        "ages",
        "families_served",
        "social_emotional_focus",
        "relationship_focus",
        "dyadic_therapy",
        "supervised",
        "internship",
        "provides_rsc",
        "leadership",
        "supervisor",
    }
)
TRAINING = frozenset({"title", "provider", "date", "hours", "domains", "dei", "about_rsc", "verified"})
RSC_KEYS = frozenset({"provider", "format", "start", "end", "hours", "about_providing_rsc", "peer", "confirmed"})
REFERENCE = frozenset({"rater", "relationship", "known_months", "completed", "insufficient_info_count"})
AGREEMENTS = frozenset({"code_of_ethics", "endorsement_agreement"})
MEMBERSHIP = frozenset({"association", "valid_from", "valid_through"})
EXAM = frozenset({"date", "part1_percent", "part2_passed"})
_LEVELS, _SERVICE, _AGES, _LEAD = (
    frozenset(EDUCATION_LEVELS),
    frozenset(SERVICE_LEVELS),
    frozenset(AGES),
    frozenset(LEADERSHIP),
)
_FORMATS, _RELATIONSHIPS, _CATEGORIES, _DOMAINS = (
    frozenset(RSC_FORMATS),
    frozenset(RELATIONSHIPS),
    frozenset(CATEGORIES),
    frozenset(DOMAINS),
)

WORK_FLAGS = (
    "paid",
    "social_emotional_focus",
    "relationship_focus",
    "dyadic_therapy",
    "supervised",
    "internship",
    "provides_rsc",
)
TRAINING_FLAGS = ("dei", "about_rsc", "verified")
RSC_FLAGS = ("about_providing_rsc", "peer", "confirmed")

_dates: dict[str, date] = {}


def _day(value: Any) -> date:
    try:
        return _dates[value]
    except (KeyError, TypeError):
        if type(value) is not str or len(value) != 10:
            raise Slow from None
        try:
            parsed = _dates[value] = date.fromisoformat(value)
        except ValueError:
            raise Slow from None
        if len(_dates) > 50_000:
            _dates.clear()
        return parsed


def _opt_day(value: Any) -> date | None:
    return None if value is None else _day(value)


def _obj(value: Any, keys: frozenset[str]) -> dict[str, Any]:
    if type(value) is not dict or not value.keys() <= keys:
        raise Slow
    return value


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    if type(value) is not list:
        raise Slow
    return value


_BOOL_TYPES = frozenset({bool, type(None)})


def _flags(o: dict[str, Any], keys: tuple[str, ...]) -> list[bool]:
    """Several true/false fields at once (absent or null is false); one type check for all."""
    values = [o.get(key) for key in keys]
    if not _BOOL_TYPES.issuperset(map(type, values)):
        raise Slow
    return [v is True for v in values]


def _bool(o: dict[str, Any], key: str) -> bool:
    value = o.get(key)
    if value is None:
        return False
    if value is True or value is False:
        return value
    raise Slow


def _str(o: dict[str, Any], key: str) -> str:
    value = o.get(key)
    if value is None:
        return ""
    if type(value) is not str:
        raise Slow
    return value


def _opt_str(o: dict[str, Any], key: str) -> str | None:
    value = o.get(key)
    if value is not None and type(value) is not str:
        raise Slow
    return value


def _positive(value: Any) -> float:
    if (type(value) is float or type(value) is int) and value > 0:
        return float(value)
    raise Slow


def _count(o: dict[str, Any], key: str, default: int | None = 0) -> int | None:
    value = o.get(key)
    if value is None:
        return default
    if type(value) is not int or value < 0:
        raise Slow
    return value


def _choice(value: Any, allowed: frozenset[str]) -> str:
    if value not in allowed:
        raise Slow
    return str(value)


def _held(value: Any) -> Held:
    o = _obj(value, HELD)
    since, until = _day(o["since"]), _opt_day(o.get("until"))
    if until is not None and until < since:
        raise Slow
    return Held(_choice(o["category"], _CATEGORIES), since, until, _bool(o, "emerging"))


def _ref(value: Any) -> PersonRef:
    o = _obj(value, REF)
    name = o["name"]
    if type(name) is not str:
        raise Slow
    return PersonRef(
        name,
        _opt_str(o, "email"),
        tuple(_held(c) for c in _list(o.get("credentials"))),
        _bool(o, "vetted"),
        _bool(o, "unverified"),
    )


def fast_parse(data: Any, as_of: date) -> Portfolio:
    try:
        top = _obj(data, TOP)
        if top["format"] != FORMAT:
            raise Slow
        person: dict[str, str] = {}
        if top.get("person") is not None:
            p = _obj(top["person"], PERSON)
            for key in ("name", "email", "id"):
                value = _opt_str(p, key)
                if value is not None:
                    person[key] = value

        education = []
        for o in _list(top.get("education")):
            o = _obj(o, EDUCATION)
            conferred = _day(o["conferred"])
            if conferred > as_of:
                raise Slow
            education.append(
                Education(
                    _choice(o["level"], _LEVELS),
                    _str(o, "field"),
                    _str(o, "institution"),
                    conferred,
                    _bool(o, "verified"),
                )
            )

        licenses = []
        for o in _list(top.get("licenses")):
            o = _obj(o, LICENSE)
            kind = o["kind"]
            if type(kind) is not str:
                raise Slow
            issued, expires = _day(o["issued"]), _opt_day(o.get("expires"))
            if expires is not None and expires < issued:
                raise Slow
            licenses.append(License(kind, _bool(o, "mental_health"), _str(o, "jurisdiction"), issued, expires))

        work = []
        for o in _list(top.get("work")):
            o = _obj(o, WORK)
            start, end = _day(o["start"]), _opt_day(o.get("end"))
            if start > as_of or (end is not None and end < start):
                raise Slow
            fte = o.get("fte")
            fte = 1.0 if fte is None else _positive(fte)
            if fte > 1:
                raise Slow
            leadership = o.get("leadership")
            supervisor = o.get("supervisor")
            paid, social, relationship, dyadic, supervised, internship, provides = _flags(o, WORK_FLAGS)
            work.append(
                Work(
                    _str(o, "employer"),
                    _str(o, "title"),
                    start,
                    end,
                    paid,
                    fte,
                    _choice(o["service_level"], _SERVICE),
                    _choice(o["ages"], _AGES),
                    _count(o, "families_served") or 0,
                    social,
                    relationship,
                    dyadic,
                    supervised,
                    internship,
                    provides,
                    None if leadership is None else _choice(leadership, _LEAD),
                    None if supervisor is None else _ref(supervisor),
                )
            )

        training = []
        for o in _list(top.get("training")):
            o = _obj(o, TRAINING)
            day = _day(o["date"])
            if day > as_of:
                raise Slow
            domains = tuple(_list(o.get("domains")))
            if not _DOMAINS.issuperset(domains):
                raise Slow
            dei, about_rsc, verified = _flags(o, TRAINING_FLAGS)
            training.append(
                Training(
                    _str(o, "title"), _str(o, "provider"), day, _positive(o["hours"]), domains, dei, about_rsc, verified
                )
            )

        rsc = []
        for o in _list(top.get("rsc")):
            o = _obj(o, RSC_KEYS)
            start, end = _day(o["start"]), _opt_day(o.get("end"))
            if start > as_of or (end is not None and end < start):
                raise Slow
            about, peer, confirmed = _flags(o, RSC_FLAGS)
            rsc.append(
                RSC(
                    _ref(o["provider"]),
                    _choice(o["format"], _FORMATS),
                    start,
                    end,
                    _positive(o["hours"]),
                    about,
                    peer,
                    confirmed,
                )
            )

        references = []
        for o in _list(top.get("references")):
            o = _obj(o, REFERENCE)
            references.append(
                Reference(
                    _ref(o["rater"]),
                    _choice(o["relationship"], _RELATIONSHIPS),
                    _count(o, "known_months", None),
                    _opt_day(o.get("completed")),
                    _count(o, "insufficient_info_count") or 0,
                )
            )

        code_of_ethics = endorsement_agreement = None
        if top.get("agreements") is not None:
            a = _obj(top["agreements"], AGREEMENTS)
            code_of_ethics, endorsement_agreement = (
                _opt_day(a.get("code_of_ethics")),
                _opt_day(a.get("endorsement_agreement")),
            )
            if (code_of_ethics and code_of_ethics > as_of) or (endorsement_agreement and endorsement_agreement > as_of):
                raise Slow

        memberships = []
        for o in _list(top.get("memberships")):
            o = _obj(o, MEMBERSHIP)
            association = o["association"]
            if type(association) is not str:
                raise Slow
            valid_from, valid_through = _day(o["valid_from"]), _day(o["valid_through"])
            if valid_through < valid_from:
                raise Slow
            memberships.append(Membership(association, valid_from, valid_through))

        exam = None
        if top.get("exam") is not None:
            e = _obj(top["exam"], EXAM)
            exam_day = _day(e["date"])
            part1 = e["part1_percent"]
            if exam_day > as_of or type(part1) not in (int, float) or not 0 <= part1 <= 100:
                raise Slow
            exam = Exam(exam_day, float(part1), _bool(e, "part2_passed"))

        credentials = tuple(_held(c) for c in _list(top.get("credentials")))
    except (KeyError, TypeError, AttributeError):
        raise Slow from None
    return Portfolio(
        person,
        tuple(education),
        tuple(licenses),
        tuple(work),
        tuple(training),
        tuple(rsc),
        tuple(references),
        code_of_ethics,
        endorsement_agreement,
        tuple(memberships),
        exam,
        credentials,
    )
