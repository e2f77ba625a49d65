"""The portfolio snapshot (``attunement.portfolio/1``) as plain objects, and the words of
its vocabulary. ``reading.parse_portfolio`` builds one from decoded JSON. Pure Python: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from attunement.endorsement.rules.categories import CODES

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
CATEGORIES = CODES  # the registry's codes (rules/categories.json)
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
