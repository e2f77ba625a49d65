"""Rule sets are data: the shipped default, a variant that overrides it, and bad data refused."""

from __future__ import annotations

from typing import Any

import pytest

from attunement.endorsement.rules import RuleSetError, evaluate, load_raw, load_shipped, parse_portfolio
from attunement.endorsement.rules.portfolio import CATEGORIES
from attunement.endorsement.tests.builders import AS_OF, base


def test_the_default_rule_set_covers_every_category_and_its_renewal() -> None:
    rules = load_shipped("alliance-2025")
    assert set(rules.categories) == set(CATEGORIES)
    assert rules.effective.isoformat() == "2025-01-01"
    for code in CATEGORIES:
        assert rules.category(code).renew, code
    assert rules.category("ECFS").track == "early_childhood"
    assert rules.category("ECFS").earn == rules.category("IFS").earn


def test_a_variant_lets_a_family_specialist_qualify_without_a_degree() -> None:
    p: dict[str, Any] = base("IFS")
    p["education"] = []
    portfolio = parse_portfolio(p, AS_OF)
    default = evaluate(portfolio, load_shipped("alliance-2025"), "IFS", AS_OF)
    variant = evaluate(portfolio, load_shipped("riverbend-2025"), "IFS", AS_OF)
    assert default["eligible"] is False
    assert variant["eligible"] is True
    assert variant["rule_set"] == "riverbend-2025"
    assert next(r for r in variant["requirements"] if r["id"] == "education")["status"] == "not_required"
    # Everything the variant does not replace is the default's.
    assert load_shipped("riverbend-2025").category("IMHS") == load_shipped("alliance-2025").category("IMHS")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "x"}, "format"),
        (
            {"categories": {"IFS": {"track": "infant", "earn": [{"id": "x", "type": "magic"}]}}},
            "unknown requirement type",
        ),
        (
            {"categories": {"IFS": {"track": "infant", "earn": [{"id": "t", "type": "training", "min_hourz": 3}]}}},
            "does not take min_hourz",
        ),
        ({"categories": {"XYZ": {"track": "infant"}}}, "unknown category"),
        ({"categories": {"ECFS": {"like": "IFS", "track": "early_childhood"}}}, "not defined before it"),
        ({"effective": "soon"}, "effective"),
    ],
)
def test_bad_rule_set_data_is_refused_by_name(change: dict[str, Any], message: str) -> None:
    raw = {"format": "attunement.ruleset/1", "id": "test", "name": "Test", "effective": "2025-01-01", "categories": {}}
    raw.update(change)
    with pytest.raises(RuleSetError, match=message):
        load_raw(raw)
