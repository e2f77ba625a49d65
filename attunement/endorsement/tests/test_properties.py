"""Properties of the engine that hold for any portfolio (hypothesis)."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from attunement.endorsement.rules import evaluate, parse_portfolio
from attunement.endorsement.tests.builders import AS_OF, base, clone
from attunement.endorsement.tests.test_rules_alliance import EARN_CATEGORIES, RULES

SECTIONS = ["education", "licenses", "work", "training", "rsc", "references", "memberships", "credentials"]
day = st.dates(min_value=AS_OF.replace(year=2012), max_value=AS_OF).map(lambda d: d.isoformat())
hours = st.floats(min_value=0.25, max_value=40, allow_nan=False).map(lambda h: round(h, 2))
held = st.fixed_dictionaries(
    {"category": st.sampled_from(["IFS", "IFRS", "IMHS", "IMHM-C", "ERS", "ECMHS"]), "since": day, "until": st.none()}
)
person = st.fixed_dictionaries(
    {"name": st.just("P"), "credentials": st.lists(held, max_size=2), "vetted": st.booleans()}
)


@st.composite
def rsc_entry(draw: Any) -> dict[str, Any]:
    start = draw(day)
    return {
        "provider": draw(person),
        "format": draw(st.sampled_from(["group", "individual"])),
        "start": start,
        "end": draw(st.sampled_from([None, start])),
        "hours": draw(hours),
        "peer": draw(st.booleans()),
        "about_providing_rsc": draw(st.booleans()),
        "confirmed": draw(st.booleans()),
    }


training_entry = st.fixed_dictionaries(
    {
        "title": st.just("T"),
        "date": day,
        "hours": hours,
        "dei": st.booleans(),
        "about_rsc": st.booleans(),
        "domains": st.lists(st.sampled_from(["reflection", "thinking", "communicating"]), unique=True),
    }
)
reference_entry = st.fixed_dictionaries(
    {
        "rater": person,
        "relationship": st.sampled_from(["current_supervisor", "rsc_provider", "supervisee", "colleague"]),
        "completed": st.one_of(st.none(), day),
        "insufficient_info_count": st.integers(0, 9),
    }
)


@st.composite
def portfolio(draw: Any) -> tuple[str, dict[str, Any]]:
    category = draw(st.sampled_from(EARN_CATEGORIES))
    p = clone(base(category))
    if draw(st.booleans()):
        p["rsc"] = draw(st.lists(rsc_entry(), max_size=6))
    if draw(st.booleans()):
        p["training"] = draw(st.lists(training_entry, max_size=6))
    if draw(st.booleans()):
        p["references"] = draw(st.lists(reference_entry, max_size=5))
    if draw(st.booleans()):
        for w in p["work"]:
            w["start"] = draw(day)
            w["end"] = None
    return category, p


def judged(p: dict[str, Any], category: str) -> dict[str, Any]:
    return evaluate(parse_portfolio(p, AS_OF), RULES, category, AS_OF)


def essence(report: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """What must not depend on entry order (indexes and listing order may)."""
    return [(r["id"], r["status"], r["progress"]) for r in report["requirements"]] + [
        ("eligible", str(report["eligible"]), None)
    ]


@settings(max_examples=150, deadline=None)
@given(portfolio(), st.randoms(use_true_random=False))
def test_entry_order_never_changes_the_result(case: tuple[str, dict[str, Any]], rng: random.Random) -> None:
    category, p = case
    shuffled = clone(p)
    for section in SECTIONS:
        rng.shuffle(shuffled.get(section) or [])
    assert essence(judged(p, category)) == essence(judged(shuffled, category))


@settings(max_examples=150, deadline=None)
@given(portfolio())
def test_every_requirement_appears_once_in_the_rule_sets_order(case: tuple[str, dict[str, Any]]) -> None:
    category, p = case
    report = judged(p, category)
    assert [r["id"] for r in report["requirements"]] == [req["id"] for req in RULES.category(category).earn]


@settings(max_examples=150, deadline=None)
@given(portfolio())
def test_a_report_is_eligible_exactly_when_nothing_is_unmet(case: tuple[str, dict[str, Any]]) -> None:
    category, p = case
    report = judged(p, category)
    assert report["eligible"] == all(r["status"] != "unmet" for r in report["requirements"])
    for r in report["requirements"]:
        assert r["status"] in {"met", "unmet", "not_required"}


@settings(max_examples=200, deadline=None)
@given(portfolio())
def test_a_person_named_twice_is_read_as_the_same_person(case: tuple[str, dict[str, Any]]) -> None:
    # The reader reads a provider or rater it has seen before in the same portfolio once.
    _category, p = case
    portfolio = parse_portfolio(p, AS_OF)
    for entry, raw in zip(portfolio.rsc, p.get("rsc", []), strict=True):
        alone = parse_portfolio({"format": p["format"], "rsc": [raw]}, AS_OF)
        assert entry.provider == alone.rsc[0].provider


def test_the_reader_rejects_anything_doubtful_naming_its_path() -> None:
    import pytest

    from attunement.endorsement.rules import PortfolioError

    provider = {"name": "P", "credentials": [{"category": "IMHS", "since": "2010-01-01"}], "vetted": True}
    session = {"provider": provider, "format": "group", "start": "2024-01-05", "hours": 2.0}
    for bad, error in [
        (
            {"format": "attunement.portfolio/1", "training": [{"date": "2025-01-01", "hours": True}]},
            "$.training[0].hours: must be a number",
        ),
        (
            {
                "format": "attunement.portfolio/1",
                "work": [{"start": "2025-01-01", "paid": 1, "service_level": "prevention", "ages": "infant"}],
            },
            "$.work[0].paid: must be true or false",
        ),
        ({"format": "attunement.portfolio/1", "rsc": "none"}, "$.rsc: must be a list"),
        # equal to the provider read before (1 == True) but not the same: checked on its own
        (
            {"format": "attunement.portfolio/1", "rsc": [session, {**session, "provider": {**provider, "vetted": 1}}]},
            "$.rsc[1].provider.vetted: must be true or false",
        ),
    ]:
        with pytest.raises(PortfolioError) as caught:
            parse_portfolio(bad, AS_OF)
        assert caught.value.errors == [error]
