from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from attunement.rsc.selectors.qualify import Held, check, continuity

pytestmark = pytest.mark.django_db

IFRS = [Held("IFRS", date(2020, 1, 1), date(2026, 12, 31))]


def verdict(aim: str, held: list[Held] = IFRS, first: date = date(2026, 3, 1), last: date = date(2026, 8, 1),
            vetted: bool = False, association: Any = None) -> Any:  # fmt: skip
    return check(provider_name="Jordan Lee", held=held, vetted=vetted, aim=aim, association=association,
                 first=first, last=last)  # fmt: skip


def test_an_imhs_supervisee_with_an_ifrs_provider_is_told_it_will_not_count(applicant_portfolio: Any) -> None:
    v = verdict("IMHS")
    assert v.counts is False
    assert v.message == (
        "Your RS/C with Jordan Lee will not count toward IMHS: IMHS needs a provider holding IMHS, ECMHS, IMHM-C or ECMHM-C."
    )


def test_an_ifs_supervisee_with_an_ifrs_provider_counts(applicant_portfolio: Any) -> None:
    v = verdict("IFS")
    assert v.counts is True
    assert "counts toward IFS" in v.message
    assert v.provider_categories == ["IFRS"]


def test_sessions_outside_the_providers_credential_do_not_count(applicant_portfolio: Any) -> None:
    after = verdict("IFS", first=date(2027, 1, 10), last=date(2027, 2, 1))
    assert after.counts is False
    assert "will not count" in after.message
    before = verdict("IFS", held=[Held("IFRS", date(2026, 6, 1), None)], first=date(2026, 3, 1))
    assert before.counts is False
    ends_midway = verdict("IFS", first=date(2026, 10, 1), last=date(2027, 3, 1))
    assert ends_midway.counts is False
    assert "only until 2026-12-31" in ends_midway.message


def test_vetted_providers_do_not_count_under_the_alliance_rules(applicant_portfolio: Any) -> None:
    v = verdict("IFS", held=[], vetted=True)
    assert v.counts is False
    assert "Vetted providers do not count" in v.message


def test_vetted_providers_count_where_the_rule_set_allows_them(applicant_portfolio: Any, riverbend: Any) -> None:
    import copy
    import json

    from attunement.endorsement.actions.rulesets import load_rule_set
    from attunement.endorsement.rules.ruleset import SHIPPED

    data = json.loads((SHIPPED / "alliance-2025.json").read_text(encoding="utf-8"))
    variant = copy.deepcopy(data)
    variant.update(id="riverbend-vetting", association="riverbend", effective="2026-01-01")
    for req in variant["categories"]["IFS"]["earn"]:
        if req["id"] == "rsc":
            req["allow_vetted"] = True
    load_rule_set(actor=None, data=variant)
    v = verdict("IFS", held=[], vetted=True, association=riverbend)
    assert v.counts is True
    assert "vetted" in v.message
    assert verdict("IFS", held=[], vetted=True, association=None).counts is False


def test_nothing_to_check_without_an_aim_or_when_rsc_is_not_required(applicant_portfolio: Any) -> None:
    assert verdict("").counts is None
    assert verdict("IFA").counts is None


def test_continuity_advice() -> None:
    assert continuity({"A": Decimal(20), "B": Decimal(4)}) == []
    assert continuity({"A": Decimal(20)}, joining="B") == []
    [three] = continuity({"A": Decimal(20), "B": Decimal(4)}, joining="C")
    assert "3 providers" in three
    [thin] = continuity({"A": Decimal(10), "B": Decimal(10)})
    assert "No one provider" in thin


def test_the_dates_a_credential_is_held_are_inclusive() -> None:
    held = Held("IFRS", date(2020, 1, 1), date(2026, 12, 31))
    assert held.on(date(2020, 1, 1))
    assert held.on(date(2026, 12, 31))
    assert not held.on(date(2019, 12, 31))
    assert not held.on(date(2026, 12, 31) + timedelta(days=1))
