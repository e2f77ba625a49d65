"""The portfolio snapshot (``attunement.portfolio/1``) as plain objects, and its parser.

Pure Python: no Django. ``parse_portfolio`` checks everything the exchange spec asks
(types, unknown keys, enums, positive hours, ends after starts, dates not after ``as_of``
where a section forbids them) and raises :class:`PortfolioError` with one message per
problem, each naming its JSON path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

FORMAT = "attunement.portfolio/1"

EDUCATION_LEVELS = ("none", "cda", "associate", "bachelor", "master", "doctorate")
LEVEL_RANK = {level: rank for rank, level in enumerate(EDUCATION_LEVELS)}
SERVICE_LEVELS = ("promotion", "prevention", "intervention", "leadership")
AGES = ("infant", "early_childhood", "both")
LEADERSHIP = ("clinical", "policy", "research_faculty")
RSC_FORMATS = ("individual", "group")
RELATIONSHIPS = (
    "current_supervisor", "former_supervisor", "rsc_provider", "colleague", "supervisee", "teacher",
    "trainer", "consultant", "service_recipient", "other",
)  # fmt: skip
CATEGORIES = (
    "IFA", "IFS", "IFRS", "IMHS", "IMHM-C", "IMHM-P", "IMHM-RF",
    "ECFA", "ECFS", "ECFRS", "ECMHS", "ECMHM-C", "ECMHM-P", "ECMHM-RF", "ERS",
)  # fmt: skip
DOMAINS = (
    "theoretical-foundations", "law-regulation-policy", "systems-expertise", "direct-service-skills",
    "working-with-others", "communicating", "thinking", "reflection", "administration", "research-evaluation",
)  # fmt: skip


class PortfolioError(ValueError):
    """The portfolio is invalid; ``errors`` holds one ``"$.path: message"`` per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(slots=True)
class Held:
    category: str
    since: date
    until: date | None
    emerging: bool = False

    def held_on(self, day: date) -> bool:
        return self.since <= day and (self.until is None or day <= self.until)


@dataclass(slots=True)
class PersonRef:
    name: str
    email: str | None
    credentials: tuple[Held, ...]
    vetted: bool
    # The person answered a signed link and said what they hold; nobody has checked their
    # standing against a registry yet, so what they did (RS/C given, a rating) does not count.
    unverified: bool = False

    def holds(self, categories: frozenset[str], day: date) -> bool:
        for c in self.credentials:  # a plain loop: this runs for every RS/C entry and rating
            if c.category in categories and c.since <= day and (c.until is None or day <= c.until):
                return True
        return False


@dataclass(slots=True)
class Education:
    level: str
    field: str
    institution: str
    conferred: date
    verified: bool


@dataclass(slots=True)
class License:
    kind: str
    mental_health: bool
    jurisdiction: str
    issued: date
    expires: date | None

    def held_on(self, day: date) -> bool:
        return self.issued <= day and (self.expires is None or day <= self.expires)


@dataclass(slots=True)
class Work:
    employer: str
    title: str
    start: date
    end: date | None
    paid: bool
    fte: float
    service_level: str
    ages: str
    families_served: int
    social_emotional_focus: bool
    relationship_focus: bool
    dyadic_therapy: bool
    supervised: bool
    internship: bool
    provides_rsc: bool
    leadership: str | None
    supervisor: PersonRef | None


@dataclass(slots=True)
class Training:
    title: str
    provider: str
    date: date
    hours: float
    domains: tuple[str, ...]
    dei: bool
    about_rsc: bool
    verified: bool


@dataclass(slots=True)
class RSC:
    provider: PersonRef
    format: str
    start: date
    end: date | None
    hours: float
    about_providing_rsc: bool
    peer: bool
    confirmed: bool


@dataclass(slots=True)
class Reference:
    rater: PersonRef
    relationship: str
    known_months: int | None
    completed: date | None
    insufficient_info_count: int


@dataclass(slots=True)
class Membership:
    association: str
    valid_from: date
    valid_through: date


@dataclass(slots=True)
class Exam:
    date: date
    part1_percent: float
    part2_passed: bool


@dataclass(slots=True)
class Portfolio:
    person: dict[str, str]
    education: tuple[Education, ...]
    licenses: tuple[License, ...]
    work: tuple[Work, ...]
    training: tuple[Training, ...]
    rsc: tuple[RSC, ...]
    references: tuple[Reference, ...]
    code_of_ethics: date | None
    endorsement_agreement: date | None
    memberships: tuple[Membership, ...]
    exam: Exam | None
    credentials: tuple[Held, ...]


# --- Parsing -------------------------------------------------------------------------

_MISSING = object()


class _Reader:
    """Reads one JSON object at ``path``, collecting errors instead of stopping at the first."""

    __slots__ = ("errors", "obj", "path", "seen")

    def __init__(self, obj: Any, path: str, errors: list[str]) -> None:
        self.obj = obj if isinstance(obj, dict) else {}
        self.path = path
        self.errors = errors
        self.seen: set[str] = set()
        if not isinstance(obj, dict):
            errors.append(f"{path}: must be an object")

    def _get(self, key: str, required: bool) -> Any:
        self.seen.add(key)
        value = self.obj.get(key, _MISSING)
        if value is _MISSING and required:
            self.errors.append(f"{self.path}.{key}: is required")
        return value

    def string(self, key: str, *, required: bool = False, default: str = "") -> str:
        value = self._get(key, required)
        if value is _MISSING or (value is None and not required):
            return default
        if not isinstance(value, str):
            self.errors.append(f"{self.path}.{key}: must be a string")
            return default
        return value

    def optional_string(self, key: str) -> str | None:
        value = self._get(key, False)
        if value is _MISSING or value is None:
            return None
        if not isinstance(value, str):
            self.errors.append(f"{self.path}.{key}: must be a string")
            return None
        return value

    def boolean(self, key: str, *, default: bool = False) -> bool:
        value = self._get(key, False)
        if value is _MISSING or value is None:
            return default
        if not isinstance(value, bool):
            self.errors.append(f"{self.path}.{key}: must be true or false")
            return default
        return value

    def number(self, key: str, *, required: bool = False, positive: bool = False, default: float = 0.0,
               maximum: float | None = None) -> float:  # fmt: skip
        value = self._get(key, required)
        if value is _MISSING or (value is None and not required):
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.errors.append(f"{self.path}.{key}: must be a number")
            return default
        if positive and value <= 0:
            self.errors.append(f"{self.path}.{key}: must be greater than 0")
        elif value < 0:
            self.errors.append(f"{self.path}.{key}: must not be negative")
        elif maximum is not None and value > maximum:
            self.errors.append(f"{self.path}.{key}: must be at most {maximum:g}")
        return float(value)

    def integer(self, key: str, *, default: int | None = 0) -> int | None:
        value = self._get(key, False)
        if value is _MISSING or value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.errors.append(f"{self.path}.{key}: must be a whole number")
            return default
        if value < 0:
            self.errors.append(f"{self.path}.{key}: must not be negative")
        return value

    def day(self, key: str, *, required: bool = False, not_after: date | None = None) -> date | None:
        value = self._get(key, required)
        if value is _MISSING or value is None:
            if value is None and required:
                self.errors.append(f"{self.path}.{key}: is required")
            return None
        if not isinstance(value, str) or len(value) != 10:
            self.errors.append(f"{self.path}.{key}: must be a date YYYY-MM-DD")
            return None
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            self.errors.append(f"{self.path}.{key}: must be a date YYYY-MM-DD")
            return None
        if not_after is not None and parsed > not_after:
            self.errors.append(f"{self.path}.{key}: is after the as-of date {not_after.isoformat()}")
        return parsed

    def choice(self, key: str, allowed: tuple[str, ...], *, required: bool = True, default: str | None = None) -> Any:
        value = self._get(key, required)
        if value is _MISSING or (value is None and not required):
            return default
        if value not in allowed:
            self.errors.append(f"{self.path}.{key}: must be one of {', '.join(allowed)}")
            return default
        return value

    def items(self, key: str) -> list[tuple[int, Any]]:
        value = self._get(key, False)
        if value is _MISSING or value is None:
            return []
        if not isinstance(value, list):
            self.errors.append(f"{self.path}.{key}: must be a list")
            return []
        return list(enumerate(value))

    def raw(self, key: str) -> Any:
        return self._get(key, False)

    def done(self) -> None:
        for key in self.obj:
            if key not in self.seen:
                self.errors.append(f"{self.path}.{key}: unknown key")


def _end_after_start(r: _Reader, start: date | None, end: date | None, key: str, start_key: str) -> None:
    if start is not None and end is not None and end < start:
        r.errors.append(f"{r.path}.{key}: is before {start_key}")


def _held(obj: Any, path: str, errors: list[str]) -> Held:
    r = _Reader(obj, path, errors)
    category = r.choice("category", CATEGORIES, default="IFA")
    since = r.day("since", required=True)
    until = r.day("until")
    emerging = r.boolean("emerging")
    _end_after_start(r, since, until, "until", "since")
    r.done()
    return Held(category, since or date.min, until, emerging)


def _person_ref(obj: Any, path: str, errors: list[str]) -> PersonRef:
    r = _Reader(obj, path, errors)
    name = r.string("name", required=True)
    email = r.optional_string("email")
    credentials = tuple(_held(c, f"{path}.credentials[{i}]", errors) for i, c in r.items("credentials"))
    vetted = r.boolean("vetted")
    unverified = r.boolean("unverified")
    r.done()
    return PersonRef(name, email, credentials, vetted, unverified)


def parse_portfolio(data: Any, as_of: date) -> Portfolio:
    """Build a :class:`Portfolio` from decoded JSON, or raise :class:`PortfolioError`."""
    from attunement.endorsement.rules.fastparse import Slow, fast_parse

    try:
        return fast_parse(data, as_of)
    except Slow:
        return parse_portfolio_checked(data, as_of)


def parse_portfolio_checked(data: Any, as_of: date) -> Portfolio:
    """The full reader: every problem reported with its JSON path."""
    errors: list[str] = []
    top = _Reader(data, "$", errors)
    fmt = top.raw("format")
    if fmt is _MISSING:
        errors.append("$.format: is required")
    elif fmt != FORMAT:
        errors.append(f"$.format: must be {FORMAT}")

    person: dict[str, str] = {}
    raw_person = top.raw("person")
    if raw_person is not _MISSING and raw_person is not None:
        p = _Reader(raw_person, "$.person", errors)
        for key in ("name", "email", "id"):
            value = p.optional_string(key)
            if value is not None:
                person[key] = value
        p.done()

    education = []
    for i, obj in top.items("education"):
        r = _Reader(obj, f"$.education[{i}]", errors)
        education.append(
            Education(
                level=r.choice("level", EDUCATION_LEVELS, default="none"),
                field=r.string("field"),
                institution=r.string("institution"),
                conferred=r.day("conferred", required=True, not_after=as_of) or date.max,
                verified=r.boolean("verified"),
            )
        )
        r.done()

    licenses = []
    for i, obj in top.items("licenses"):
        r = _Reader(obj, f"$.licenses[{i}]", errors)
        kind = r.string("kind", required=True)
        mental_health = r.boolean("mental_health")
        jurisdiction = r.string("jurisdiction")
        issued = r.day("issued", required=True)
        expires = r.day("expires")
        _end_after_start(r, issued, expires, "expires", "issued")
        r.done()
        licenses.append(License(kind, mental_health, jurisdiction, issued or date.max, expires))

    work = []
    for i, obj in top.items("work"):
        path = f"$.work[{i}]"
        r = _Reader(obj, path, errors)
        start = r.day("start", required=True, not_after=as_of)
        end = r.day("end")
        _end_after_start(r, start, end, "end", "start")
        supervisor_raw = r.raw("supervisor")
        supervisor = (
            None
            if supervisor_raw is _MISSING or supervisor_raw is None
            else _person_ref(supervisor_raw, f"{path}.supervisor", errors)
        )
        work.append(
            Work(
                employer=r.string("employer"),
                title=r.string("title"),
                start=start or date.max,
                end=end,
                paid=r.boolean("paid"),
                fte=r.number("fte", positive=True, default=1.0, maximum=1.0),
                service_level=r.choice("service_level", SERVICE_LEVELS, default="promotion"),
                ages=r.choice("ages", AGES, default="infant"),
                families_served=r.integer("families_served") or 0,
                social_emotional_focus=r.boolean("social_emotional_focus"),
                relationship_focus=r.boolean("relationship_focus"),
                dyadic_therapy=r.boolean("dyadic_therapy"),
                supervised=r.boolean("supervised"),
                internship=r.boolean("internship"),
                provides_rsc=r.boolean("provides_rsc"),
                leadership=r.choice("leadership", LEADERSHIP, required=False),
                supervisor=supervisor,
            )
        )
        r.done()

    training = []
    for i, obj in top.items("training"):
        path = f"$.training[{i}]"
        r = _Reader(obj, path, errors)
        domains = []
        for j, slug in r.items("domains"):
            if slug not in DOMAINS:
                errors.append(f"{path}.domains[{j}]: unknown competency domain {slug!r}")
            else:
                domains.append(slug)
        training.append(
            Training(
                title=r.string("title"),
                provider=r.string("provider"),
                date=r.day("date", required=True, not_after=as_of) or date.max,
                hours=r.number("hours", required=True, positive=True),
                domains=tuple(domains),
                dei=r.boolean("dei"),
                about_rsc=r.boolean("about_rsc"),
                verified=r.boolean("verified"),
            )
        )
        r.done()

    rsc = []
    for i, obj in top.items("rsc"):
        path = f"$.rsc[{i}]"
        r = _Reader(obj, path, errors)
        provider_raw = r.raw("provider")
        if provider_raw is _MISSING:
            errors.append(f"{path}.provider: is required")
            provider = PersonRef("", None, (), False)
        else:
            provider = _person_ref(provider_raw, f"{path}.provider", errors)
        start = r.day("start", required=True, not_after=as_of)
        end = r.day("end")
        _end_after_start(r, start, end, "end", "start")
        rsc.append(
            RSC(
                provider=provider,
                format=r.choice("format", RSC_FORMATS, default="individual"),
                start=start or date.max,
                end=end,
                hours=r.number("hours", required=True, positive=True),
                about_providing_rsc=r.boolean("about_providing_rsc"),
                peer=r.boolean("peer"),
                confirmed=r.boolean("confirmed"),
            )
        )
        r.done()

    references = []
    for i, obj in top.items("references"):
        path = f"$.references[{i}]"
        r = _Reader(obj, path, errors)
        rater_raw = r.raw("rater")
        if rater_raw is _MISSING:
            errors.append(f"{path}.rater: is required")
            rater = PersonRef("", None, (), False)
        else:
            rater = _person_ref(rater_raw, f"{path}.rater", errors)
        references.append(
            Reference(
                rater=rater,
                relationship=r.choice("relationship", RELATIONSHIPS, default="other"),
                known_months=r.integer("known_months", default=None),
                completed=r.day("completed"),
                insufficient_info_count=r.integer("insufficient_info_count") or 0,
            )
        )
        r.done()

    code_of_ethics = endorsement_agreement = None
    raw_agreements = top.raw("agreements")
    if raw_agreements is not _MISSING and raw_agreements is not None:
        a = _Reader(raw_agreements, "$.agreements", errors)
        code_of_ethics = a.day("code_of_ethics", not_after=as_of)
        endorsement_agreement = a.day("endorsement_agreement", not_after=as_of)
        a.done()

    memberships = []
    for i, obj in top.items("memberships"):
        r = _Reader(obj, f"$.memberships[{i}]", errors)
        association = r.string("association", required=True)
        valid_from = r.day("valid_from", required=True)
        valid_through = r.day("valid_through", required=True)
        _end_after_start(r, valid_from, valid_through, "valid_through", "valid_from")
        r.done()
        memberships.append(Membership(association, valid_from or date.max, valid_through or date.min))

    exam = None
    raw_exam = top.raw("exam")
    if raw_exam is not _MISSING and raw_exam is not None:
        r = _Reader(raw_exam, "$.exam", errors)
        exam = Exam(
            date=r.day("date", required=True, not_after=as_of) or date.max,
            part1_percent=r.number("part1_percent", required=True, maximum=100),
            part2_passed=r.boolean("part2_passed"),
        )
        r.done()

    credentials = tuple(_held(c, f"$.credentials[{i}]", errors) for i, c in top.items("credentials"))
    top.done()
    if errors:
        raise PortfolioError(errors)
    return Portfolio(
        person=person,
        education=tuple(education),
        licenses=tuple(licenses),
        work=tuple(work),
        training=tuple(training),
        rsc=tuple(rsc),
        references=tuple(references),
        code_of_ethics=code_of_ethics,
        endorsement_agreement=endorsement_agreement,
        memberships=tuple(memberships),
        exam=exam,
        credentials=credentials,
    )
