"""'What do I still need' reads the portfolio through the engine and changes as entries do."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from attunement.lib.testing import assert_constant_queries
from attunement.portfolios.models import RSC, Training


def need(response: Any, requirement: str) -> Any:
    return next(n for n in response.context["needs"] if n.id == requirement)


def test_adding_an_rsc_entry_changes_what_i_still_need(
    personas: dict[str, Any], client_for: Any, applicant_portfolio: Any
) -> None:
    client = client_for(personas["applicant"])
    url = reverse("portfolio:needs") + "?category=IFS"
    before = need(client.get(url), "rsc")
    assert (before.status, before.have) == ("unmet", 0)
    today = timezone.localdate()
    response = client.post(
        reverse("portfolio:section", kwargs={"section": "rsc"}),
        {
            "provider_name": "Keisha Brown", "provider_category": "IMHS", "provider_since": "2015-06-01",
            "format": "group", "start": (today - timedelta(days=390)).isoformat(), "end": (today - timedelta(days=10)).isoformat(),
            "hours": "20",
        },
    )  # fmt: skip
    assert response.status_code == 302
    after = need(client.get(url), "rsc")
    assert (after.status, after.have) == ("unmet", 20.0)
    assert "4 more RS/C hours" in after.next_step
    assert "within the next" in after.next_step


def test_an_rsc_provider_who_does_not_qualify_is_explained(
    personas: dict[str, Any], client_for: Any, applicant_portfolio: Any
) -> None:
    today = timezone.localdate()
    RSC.objects.create(
        portfolio=applicant_portfolio, provider_name="Sam", provider_category="IFS", provider_since=date(2015, 1, 1),
        format="individual", start=today - timedelta(days=300), end=today - timedelta(days=5), hours=30,
    )  # fmt: skip
    response = client_for(personas["applicant"]).get(reverse("portfolio:needs") + "?category=IFS")
    rsc = next(r for r in response.context["report"]["requirements"] if r["id"] == "rsc")
    assert rsc["status"] == "unmet"
    assert rsc["excluded"][0]["why"].startswith("the provider did not hold IFRS")


def test_the_rules_of_the_association_in_force_that_day_apply(
    personas: dict[str, Any], client_for: Any, applicant_portfolio: Any
) -> None:
    import json

    from attunement.endorsement.actions.rulesets import load_rule_set
    from attunement.endorsement.eligibility import rule_set_version_in_force
    from attunement.endorsement.rules.ruleset import SHIPPED

    load_rule_set(actor=None, data=json.loads((SHIPPED / "riverbend-2025.json").read_text()))
    riverbend = applicant_portfolio.association
    assert rule_set_version_in_force(riverbend, date(2025, 6, 30)).key == "alliance-2025"
    assert rule_set_version_in_force(riverbend, date(2025, 7, 1)).key == "riverbend-2025"
    assert rule_set_version_in_force(None, date(2025, 7, 1)).key == "alliance-2025"
    response = client_for(personas["applicant"]).get(reverse("portfolio:needs") + "?category=IFS")
    assert response.context["rule_set"].key == "riverbend-2025"
    assert need(response, "education").status == "not_required"


def test_the_needs_page_costs_the_same_with_5_and_50_entries(
    personas: dict[str, Any], client_for: Any, applicant_portfolio: Any
) -> None:
    client = client_for(personas["applicant"])

    def grow(n: int) -> None:
        while Training.objects.filter(portfolio=applicant_portfolio).count() < n:
            Training.objects.create(portfolio=applicant_portfolio, title="Course", date=date(2024, 1, 1), hours=2)

    # session, user, staff status, portfolio; education, licences, work, training, RS/C,
    # references, memberships, exam, credentials and signatures of the document; the rule
    # set version (own, then default).
    assert assert_constant_queries(grow, lambda: client.get(reverse("portfolio:needs"))) == 16


def test_every_category_is_shown_side_by_side(
    personas: dict[str, Any], client_for: Any, applicant_portfolio: Any
) -> None:
    response = client_for(personas["applicant"]).get(reverse("portfolio:needs"))
    codes = [row["code"] for row in response.context["overview"]]
    assert codes[:3] == ["IFA", "IFS", "IFRS"]
    assert len(codes) == 15
