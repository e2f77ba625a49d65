"""What the requirement types share: the evaluation context, the words reports use, and the
small calculations (days, months, the first day after a degree). Pure Python: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from attunement.endorsement.rules.portfolio import LEVEL_RANK, RSC, Portfolio
from attunement.endorsement.rules.ruleset import CategoryRules, RuleSet

MET, UNMET, NOT_REQUIRED = "met", "unmet", "not_required"

AGES_FOR_TRACK = {
    "infant": frozenset({"infant", "both"}),
    "early_childhood": frozenset({"early_childhood", "both"}),
    "any": frozenset({"infant", "early_childhood", "both"}),
}
TRACK_WORDS = {
    "infant": "infants and toddlers (prenatal to 36 months)",
    "early_childhood": "young children (3 to 6 years)",
}
RELATIONSHIP_WORDS = {
    "current_supervisor": "current supervisor",
    "former_supervisor": "former supervisor",
    "rsc_provider": "RS/C provider",
    "colleague": "colleague",
    "supervisee": "supervisee",
    "teacher": "teacher",
    "trainer": "trainer",
    "consultant": "consultant",
    "service_recipient": "service recipient",
    "other": "other",
}
DEGREE_WORDS = {
    "cda": "CDA",
    "associate": "associate degree",
    "bachelor": "bachelor's degree",
    "master": "master's degree",
    "doctorate": "doctorate",
    "none": "no degree",
}


@dataclass(slots=True)
class Context:
    portfolio: Portfolio
    rule_set: RuleSet
    category: CategoryRules
    as_of: date
    warnings: list[str] = field(default_factory=list)
    post_starts: dict[tuple[str, bool], date | None] = field(default_factory=dict)


def rounded(value: float) -> float | int:
    """Hours as given (rounded to hundredths); whole numbers stay whole in the summary."""
    return round(value, 2)


def fmt(value: float) -> str:
    return f"{round(value, 2):g}"


def days_between(start: date, end: date) -> int:
    return (end - start).days + 1


def union_days(intervals: list[tuple[date, date]]) -> int:
    total = 0
    current_start: date | None = None
    current_end: date | None = None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end + timedelta(days=1):
            if current_end is not None and current_start is not None:
                total += days_between(current_start, current_end)
            current_start, current_end = start, end
        elif end > current_end:
            current_end = end
    if current_end is not None and current_start is not None:
        total += days_between(current_start, current_end)
    return total


_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_name(index: int) -> str:
    return f"{_MONTH_NAMES[index % 12]} {index // 12}"


def categories_words(codes: Any) -> str:
    """Category codes in the rule set's order (a group's codes sorted), joined with "or"."""
    ordered = list(codes) if isinstance(codes, list | tuple) else sorted(codes)
    return ordered[0] if len(ordered) == 1 else ", ".join(ordered[:-1]) + " or " + ordered[-1]


def providers_of(ctx: Context, req: dict[str, Any]) -> tuple[frozenset[str], str]:
    """The provider categories a requirement accepts, and how to say them (computed once per
    rule set: the requirement dicts live exactly as long as it)."""
    key = ("providers", id(req))
    cached: tuple[frozenset[str], str] | None = ctx.rule_set.derived.get(key)
    if cached is None:
        codes = ctx.rule_set.resolve(req["providers"])
        words = categories_words(req["providers"] if isinstance(req["providers"], list) else codes)
        cached = ctx.rule_set.derived[key] = (codes, words)
    return cached


def post_start(ctx: Context, post: dict[str, Any] | None) -> date | None:
    """The first day that counts as after the degree (or licence); ``date.min`` when no
    degree is asked for, ``None`` when the person has none."""
    if not post:
        return date.min
    key = (post["degree"], bool(post.get("or_license")))
    if key in ctx.post_starts:
        return ctx.post_starts[key]
    rank = LEVEL_RANK[post["degree"]]
    starts = [e.conferred for e in ctx.portfolio.education if LEVEL_RANK[e.level] >= rank and e.conferred <= ctx.as_of]
    if post.get("or_license"):
        starts += [lic.issued for lic in ctx.portfolio.licenses if lic.mental_health and lic.issued <= ctx.as_of]
    result = ctx.post_starts[key] = min(starts) if starts else None
    return result


def post_words(post: dict[str, Any] | None) -> str:
    if not post:
        return ""
    words = DEGREE_WORDS[post["degree"]]
    return f"the {words} or a mental health licence" if post.get("or_license") else f"the {words}"


def requirement(
    req_id: str,
    status: str,
    summary: str,
    have: float,
    need: float,
    unit: str,
    counted: list[dict[str, Any]] | None = None,
    excluded: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "id": req_id,
        "status": status,
        "summary": summary,
        "progress": {"have": have, "need": need, "unit": unit},
        "counted": counted or [],
        "excluded": excluded or [],
    }


# Provenance the rules do not take on trust: someone answered a signed link and said what they
# hold. It counts once staff verify their standing against the registry (or it matched a
# credential held here).
UNVERIFIED_PROVIDER = "confirmed by an unverified provider: it counts once staff verify the provider's standing"
UNVERIFIED_RATER = "given by an unverified rater: it counts once staff verify the rater's standing"


def provider_qualifies(e: RSC, providers: frozenset[str], end: date) -> bool:
    return e.provider.holds(providers, e.start) and e.provider.holds(providers, end)
