"""alliance-2025, rule by rule: each case meets the rule exactly, and misses it by the
smallest step, and only that requirement changes (../shared/spec/rules-alliance-2025.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from attunement.endorsement.rules import evaluate, load_shipped, parse_portfolio
from attunement.endorsement.rules.ruleset import load_raw, shipped_raw
from attunement.endorsement.tests.builders import AS_OF, base, clone, days_before, holder, iso, renewal_base

RULES = load_shipped("alliance-2025")
EARN_CATEGORIES = [
    "IFA",
    "ECFA",
    "IFS",
    "ECFS",
    "IFRS",
    "ECFRS",
    "IMHS",
    "ECMHS",
    "IMHM-C",
    "ECMHM-C",
    "IMHM-P",
    "ECMHM-P",
    "IMHM-RF",
    "ECMHM-RF",
    "ERS",
]
RENEW_CATEGORIES = ["IFA", "IFS", "ECFS", "IFRS", "IMHS", "ECMHS", "IMHM-C", "IMHM-P", "IMHM-RF", "ERS"]


def report(p: dict[str, Any], category: str, *, renewal: bool = False) -> dict[str, Any]:
    return evaluate(parse_portfolio(p, AS_OF), RULES, category, AS_OF, renewal=renewal)


def statuses(r: dict[str, Any]) -> dict[str, str]:
    return {req["id"]: req["status"] for req in r["requirements"]}


@pytest.mark.parametrize("category", EARN_CATEGORIES)
def test_the_threshold_portfolio_is_eligible(category: str) -> None:
    r = report(base(category), category)
    unmet = [(q["id"], q["summary"]) for q in r["requirements"] if q["status"] == "unmet"]
    assert unmet == []
    assert r["eligible"] is True
    assert r["warnings"] == []


@pytest.mark.parametrize("category", RENEW_CATEGORIES)
def test_the_threshold_renewal_is_met(category: str) -> None:
    r = report(renewal_base(category), category, renewal=True)
    assert [(q["id"], q["summary"]) for q in r["requirements"] if q["status"] == "unmet"] == []
    assert [q["id"] for q in r["requirements"]] == ["credential", "training", "rsc", "membership", "agreements"]


Mutation = Callable[[dict[str, Any]], None]


def set_path(*path: Any, value: Any) -> Mutation:
    def mutate(p: dict[str, Any]) -> None:
        target = p
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def later_start(index: int = 0, section: str = "work") -> Mutation:
    def mutate(p: dict[str, Any]) -> None:
        entry = p[section][index]
        entry["start"] = iso(AS_OF.fromisoformat(entry["start"]) + timedelta(days=1))

    return mutate


def less_hours(section: str, index: int, by: float = 0.01) -> Mutation:
    def mutate(p: dict[str, Any]) -> None:
        p[section][index]["hours"] = round(p[section][index]["hours"] - by, 2)

    return mutate


def move_about_hour_to_the_other_entry(p: dict[str, Any]) -> None:
    p["rsc"][0]["hours"] = round(p["rsc"][0]["hours"] - 0.01, 2)
    p["rsc"][1]["hours"] = round(p["rsc"][1]["hours"] + 0.01, 2)


def rsc_before_the_degree(p: dict[str, Any]) -> None:
    p["education"][0]["conferred"] = "2023-01-06"
    for entry, (start, end) in zip(p["rsc"], [("2023-01-05", "2023-06-28"), ("2023-07-01", "2023-12-20")], strict=True):
        entry["start"], entry["end"] = start, end


def rsc_span_11_months(p: dict[str, Any]) -> None:
    p["rsc"][1]["end"] = "2024-11-30"


def provider_credential_starts_a_day_late(p: dict[str, Any]) -> None:
    p["rsc"][0]["provider"]["credentials"][0]["since"] = "2024-01-06"


def provider_credential_ends_a_day_early(p: dict[str, Any]) -> None:
    p["rsc"][1]["provider"]["credentials"][0]["until"] = "2024-12-19"


def invalidate_reference(index: int) -> Mutation:
    return set_path("references", index, "insufficient_info_count", value=6)


def rater_not_endorsed(p: dict[str, Any]) -> None:
    for ref in p["references"]:
        ref["rater"]["credentials"] = []


def rater_endorsed_only_after_rating(p: dict[str, Any]) -> None:
    for ref in p["references"]:
        for c in ref["rater"]["credentials"]:
            c["since"] = "2025-09-02"


def relabel(index: int, relationship: str) -> Mutation:
    return set_path("references", index, "relationship", value=relationship)


def degree(level: str) -> Mutation:
    return set_path("education", 0, "level", value=level)


def degree_conferred_a_day_after_work_start(p: dict[str, Any]) -> None:
    p["education"][0]["conferred"] = iso(AS_OF - timedelta(days=728))


def ethics_a_day_too_old(p: dict[str, Any]) -> None:
    p["agreements"]["code_of_ethics"] = days_before(365)


def agreement_missing(p: dict[str, Any]) -> None:
    p["agreements"]["endorsement_agreement"] = None


def membership_ended_yesterday(p: dict[str, Any]) -> None:
    p["memberships"][0]["valid_through"] = days_before(1)


def flag_off(flag: str, index: int = 0) -> Mutation:
    return set_path("work", index, flag, value=False)


def wrong_ages(p: dict[str, Any]) -> None:
    for w in p["work"]:
        w["ages"] = "infant" if w["ages"] == "early_childhood" else "early_childhood"


CASES: list[tuple[str, str, str, Mutation]] = [
    # IFA / ECFA
    ("IFA", "education_or_work", "an associate degree is above a CDA but no degree misses", degree("none")),
    ("ECFA", "education_or_work", "no CDA", degree("none")),
    ("IFA", "training", "29.99 of 30 hours", less_hours("training", 0)),
    ("IFA", "references", "no current supervisor", relabel(0, "former_supervisor")),
    ("IFA", "references", "no endorsed or vetted rater", rater_not_endorsed),
    ("IFA", "references", "two valid ratings", invalidate_reference(2)),
    ("IFA", "agreements", "the Code of Ethics signed 366 days ago", ethics_a_day_too_old),
    ("IFA", "membership", "membership ended the day before", membership_ended_yesterday),
    # IFS / ECFS
    ("IFS", "education+work+rsc", "an associate degree (work and RS/C must be post-bachelor)", degree("associate")),
    ("IFS", "work", "729 days", later_start()),
    ("ECFS", "work", "729 days", later_start()),
    ("IFS", "work", "unpaid", set_path("work", 0, "paid", value=False)),
    ("IFS", "work", "promotion level", set_path("work", 0, "service_level", value="promotion")),
    ("IFS", "work", "other ages", wrong_ages),
    ("ECFS", "work", "other ages", wrong_ages),
    ("IFS", "work", "no social-emotional focus", flag_off("social_emotional_focus")),
    ("IFS", "work", "no relationship focus", flag_off("relationship_focus")),
    ("IFS", "work", "9 families", set_path("work", 0, "families_served", value=9)),
    ("IFS", "work", "a day of it before the degree", degree_conferred_a_day_after_work_start),
    ("IFS", "training", "29.99 hours", less_hours("training", 0)),
    ("IFS", "rsc", "23.98 hours", less_hours("rsc", 0)),
    ("ECFS", "rsc", "23.98 hours", less_hours("rsc", 0)),
    ("IFS", "rsc", "an 11-month span", rsc_span_11_months),
    ("IFS", "rsc", "provider endorsed a day after the first session", provider_credential_starts_a_day_late),
    ("IFS", "rsc", "provider's endorsement ended a day before the last session", provider_credential_ends_a_day_early),
    ("IFS", "rsc", "an IFS provider does not qualify", set_path("rsc", 0, "provider", value=holder("IFS"))),
    (
        "IFS",
        "rsc",
        "a vetted provider does not qualify",
        set_path("rsc", 0, "provider", value={"name": "V", "credentials": [], "vetted": True}),
    ),
    ("IFS", "rsc", "peer supervision", set_path("rsc", 0, "peer", value=True)),
    ("IFS", "rsc", "started a day before the degree", rsc_before_the_degree),
    ("IFS", "references", "no supervisor, teacher, trainer or consultant", relabel(0, "colleague")),
    ("IFS", "references", "no RS/C provider", relabel(1, "colleague")),
    ("IFS", "references", "no rater IFS or above", rater_not_endorsed),
    ("IFS", "references", "rater endorsed only after rating", rater_endorsed_only_after_rating),
    ("IFS", "references", "6 'not enough information' answers", invalidate_reference(2)),
    ("IFS", "references", "not completed", set_path("references", 2, "completed", value=None)),
    ("IFS", "agreements", "Endorsement Agreement unsigned", agreement_missing),
    # IFRS / ECFRS
    ("IFRS", "work", "729 days", later_start(0)),
    ("IFRS", "work", "364 days providing RS/C", later_start(1)),
    ("ECFRS", "work", "other ages", wrong_ages),
    ("IFRS", "training", "47.99 hours", less_hours("training", 0)),
    ("IFRS", "training", "14.99 hours about RS/C", less_hours("training", 1)),
    ("IFRS", "training", "2.99 DEI hours", less_hours("training", 2)),
    ("IFRS", "rsc", "23.98 hours", less_hours("rsc", 0)),
    ("IFRS", "references", "no supervisee", relabel(2, "colleague")),
    ("IFRS", "references", "no current supervisor", relabel(0, "colleague")),
    # IMHS / ECMHS
    ("IMHS", "education+work+rsc", "a bachelor's degree and no licence", degree("bachelor")),
    ("IMHS", "work", "729 days", later_start()),
    ("IMHS", "work", "not supervised", flag_off("supervised")),
    ("IMHS", "work", "no dyadic therapy", flag_off("dyadic_therapy")),
    ("ECMHS", "work", "other ages", wrong_ages),
    ("IMHS", "training", "32.99 hours", less_hours("training", 0)),
    ("IMHS", "rsc", "49.98 hours", less_hours("rsc", 0)),
    ("IMHS", "rsc", "an IFRS provider does not qualify", set_path("rsc", 0, "provider", value=holder("IFRS"))),
    ("IMHS", "references", "no RS/C provider", relabel(1, "colleague")),
    # IMHM-C / ECMHM-C
    ("IMHM-C", "education+work+rsc", "a bachelor's degree", degree("bachelor")),
    ("IMHM-C", "work", "1094 days providing RS/C", later_start()),
    ("ECMHM-C", "work", "other ages", wrong_ages),
    ("IMHM-C", "training", "14.99 hours about RS/C", less_hours("training", 1)),
    ("IMHM-C", "training", "2.99 DEI hours", less_hours("training", 2)),
    ("IMHM-C", "rsc", "49.98 hours", less_hours("rsc", 0)),
    ("IMHM-C", "rsc", "24.99 hours about providing RS/C", move_about_hour_to_the_other_entry),
    ("IMHM-C", "rsc", "an IMHS provider does not qualify", set_path("rsc", 0, "provider", value=holder("IMHS"))),
    ("IMHM-C", "references", "no supervisor or colleague", relabel(0, "teacher")),
    ("IMHM-C", "references", "no supervisee", relabel(2, "colleague")),
    ("IMHM-C", "exam", "Part 1 at 79.99%", set_path("exam", "part1_percent", value=79.99)),
    ("IMHM-C", "exam", "Part 2 not passed", set_path("exam", "part2_passed", value=False)),
    ("IMHM-C", "exam", "no exam", set_path("exam", value=None)),
    ("ECMHM-C", "exam", "Part 1 at 79.99%", set_path("exam", "part1_percent", value=79.99)),
    # IMHM-P / -RF and their twins
    ("IMHM-P", "education+work", "a bachelor's degree", degree("bachelor")),
    ("IMHM-P", "work", "1094 days", later_start()),
    (
        "IMHM-P",
        "work",
        "research leadership is not policy",
        set_path("work", 0, "leadership", value="research_faculty"),
    ),
    ("IMHM-RF", "work", "policy leadership is not research/faculty", set_path("work", 0, "leadership", value="policy")),
    ("ECMHM-RF", "work", "1094 days", later_start()),
    ("IMHM-P", "training", "32.99 hours", less_hours("training", 0)),
    ("IMHM-RF", "training", "2.99 DEI hours", less_hours("training", 1)),
    ("IMHM-P", "references", "no supervisor or colleague", relabel(0, "teacher")),
    ("IMHM-RF", "references", "no rater IFS or above", rater_not_endorsed),
    ("ECMHM-P", "exam", "no exam", set_path("exam", value=None)),
    # ERS add-on
    ("ERS", "credential", "holds only IFA", set_path("credentials", 0, "category", value="IFA")),
    ("ERS", "work", "364 days providing RS/C", later_start()),
    ("ERS", "training", "14.99 hours about RS/C", less_hours("training", 0)),
    ("ERS", "rsc", "11.98 hours about providing RS/C", less_hours("rsc", 0)),
    ("ERS", "rsc", "an IMHS provider does not qualify", set_path("rsc", 0, "provider", value=holder("IMHS"))),
    ("ERS", "references", "no supervisee", relabel(1, "colleague")),
]


@pytest.mark.parametrize(
    ("category", "requirement", "how", "mutate"), CASES, ids=[f"{c}-{r}-{h}" for c, r, h, _ in CASES]
)
def test_missing_a_rule_by_the_smallest_step_fails_only_that_rule(
    category: str, requirement: str, how: str, mutate: Mutation
) -> None:
    portfolio = clone(base(category))
    mutate(portfolio)
    r = report(portfolio, category)
    unmet = {k for k, v in statuses(r).items() if v == "unmet"}
    assert unmet == set(requirement.split("+")), how
    assert r["eligible"] is False


RENEWAL_CASES: list[tuple[str, str, str, Mutation]] = [
    ("IFS", "credential", "the credential ended yesterday", set_path("credentials", 0, "until", value=days_before(1))),
    ("IFS", "credential", "holds another category", set_path("credentials", 0, "category", value="IFA")),
    ("IFS", "training", "14.99 hours", less_hours("training", 0)),
    ("IFS", "training", "no DEI hour", set_path("training", 1, "dei", value=False)),
    ("IFS", "training", "the course a day before the period", set_path("training", 0, "date", value=days_before(365))),
    ("IFS", "rsc", "11.99 hours", less_hours("rsc", 0)),
    ("IFS", "rsc", "started a day before the period", set_path("rsc", 0, "start", value=days_before(365))),
    ("IMHS", "rsc", "an IFRS provider does not qualify for IMHS", set_path("rsc", 0, "provider", value=holder("IFRS"))),
    ("IMHM-C", "rsc", "11.99 hours before three years held", less_hours("rsc", 0)),
    ("IMHM-C", "rsc", "peer consultation before three years held", set_path("rsc", 0, "peer", value=True)),
    ("IFA", "membership", "membership ended yesterday", membership_ended_yesterday),
    ("IFA", "agreements", "ethics signed 366 days ago", ethics_a_day_too_old),
]


@pytest.mark.parametrize(
    ("category", "requirement", "how", "mutate"), RENEWAL_CASES, ids=[f"{c}-{r}-{h}" for c, r, h, _ in RENEWAL_CASES]
)
def test_missing_a_renewal_rule_by_the_smallest_step(
    category: str, requirement: str, how: str, mutate: Mutation
) -> None:
    portfolio = clone(renewal_base(category))
    mutate(portfolio)
    r = report(portfolio, category, renewal=True)
    assert {k: v for k, v in statuses(r).items() if v == "unmet"} == {requirement: "unmet"}, how


def test_a_renewing_rsc_provider_needs_three_hours_about_rsc() -> None:
    p = renewal_base("IFS")
    p["work"][0]["provides_rsc"] = True
    r = report(p, "IFS", renewal=True)
    assert statuses(r)["training"] == "unmet"
    p["training"][0]["about_rsc"] = True
    assert statuses(report(p, "IFS", renewal=True))["training"] == "met"


def test_a_senior_mentor_needs_ten_hours_and_peer_consultation_counts() -> None:
    p = renewal_base("IMHM-C")
    p["credentials"][0]["since"] = days_before(1094)  # held exactly 1095 days
    p["rsc"] = [
        {
            "provider": holder("IMHM-C", name="Peer mentor"),
            "format": "group",
            "start": days_before(300),
            "end": days_before(10),
            "hours": 10.0,
            "about_providing_rsc": False,
            "peer": True,
            "confirmed": True,
        },
    ]
    assert statuses(report(p, "IMHM-C", renewal=True))["rsc"] == "met"
    p["rsc"][0]["hours"] = 9.99
    assert statuses(report(p, "IMHM-C", renewal=True))["rsc"] == "unmet"
    p["credentials"][0]["since"] = days_before(1093)
    p["rsc"][0]["hours"] = 10.0
    assert statuses(report(p, "IMHM-C", renewal=True))["rsc"] == "unmet"


def test_categories_without_renewal_rsc_say_not_required() -> None:
    for category in ["IFA", "ECFA", "IMHM-P", "IMHM-RF", "ECMHM-RF"]:
        assert statuses(report(renewal_base(category), category, renewal=True))["rsc"] == "not_required"


def test_imhs_qualifies_by_a_mental_health_licence_held_now() -> None:
    p = base("IMHS")
    p["education"][0]["level"] = "bachelor"
    p["licenses"] = [
        {"kind": "LMSW", "mental_health": True, "jurisdiction": "VT", "issued": "2015-05-01", "expires": None}
    ]
    assert report(p, "IMHS")["eligible"] is True
    p["licenses"][0]["expires"] = days_before(1)
    r = report(p, "IMHS")
    assert statuses(r)["education"] == "unmet"


def test_ifa_qualifies_by_two_years_of_paid_work_instead_of_a_cda() -> None:
    p = base("IFA")
    p["education"] = []
    p["work"] = [
        {
            "employer": "Child care",
            "title": "Teacher",
            "start": days_before(729),
            "end": None,
            "paid": True,
            "service_level": "promotion",
            "ages": "infant",
        }
    ]
    assert report(p, "IFA")["eligible"] is True
    p["work"][0]["start"] = days_before(728)
    assert statuses(report(p, "IFA"))["education_or_work"] == "unmet"


def test_overlapping_work_counts_once() -> None:
    p = base("IFS")
    p["work"] = [
        {**p["work"][0], "start": days_before(729), "end": days_before(200), "families_served": 5},
        {**p["work"][0], "start": days_before(400), "end": None, "families_served": 5},
    ]
    req = next(q for q in report(p, "IFS")["requirements"] if q["id"] == "work")
    assert req["progress"]["have"] == 730
    assert req["status"] == "met"


def test_the_window_that_counts_the_most_hours_is_chosen() -> None:
    p = base("IFS")
    provider = holder("IMHS")
    p["rsc"] = [
        {
            "provider": provider,
            "format": "group",
            "start": "2021-01-05",
            "end": "2021-12-20",
            "hours": 10.0,
            "confirmed": True,
        },
        {
            "provider": provider,
            "format": "group",
            "start": "2023-03-01",
            "end": "2023-08-30",
            "hours": 12.0,
            "confirmed": True,
        },
        {
            "provider": provider,
            "format": "group",
            "start": "2024-01-05",
            "end": "2025-02-20",
            "hours": 14.0,
            "confirmed": True,
        },
    ]
    req = next(q for q in report(p, "IFS")["requirements"] if q["id"] == "rsc")
    assert [c["index"] for c in req["counted"]] == [1, 2]
    assert req["progress"]["have"] == 26.0
    assert req["status"] == "met"
    assert [(e["index"], e["why"][:28]) for e in req["excluded"]] == [(0, "outside the 24-month window ")]


def test_vetted_rsc_providers_count_only_where_the_rule_set_allows_them() -> None:
    p = base("IFS")
    for entry in p["rsc"]:
        entry["provider"] = {"name": "Vetted", "credentials": [], "vetted": True}
    assert statuses(report(p, "IFS"))["rsc"] == "unmet"
    raw = shipped_raw("alliance-2025")
    for requirement in raw["categories"]["IFS"]["earn"]:
        if requirement["type"] == "rsc":
            requirement["allow_vetted"] = True
    r = evaluate(parse_portfolio(p, AS_OF), load_raw(raw), "IFS", AS_OF)
    assert {q["id"]: q["status"] for q in r["requirements"]}["rsc"] == "met"


def test_an_unconfirmed_rsc_entry_counts_with_a_warning() -> None:
    p = base("IFS")
    p["rsc"][0]["confirmed"] = False
    r = report(p, "IFS")
    assert r["eligible"] is True
    assert r["warnings"] == ["RS/C entry 1 counts but is not confirmed by its provider yet"]


def test_domains_no_training_covers_are_a_warning_not_a_block() -> None:
    p = base("IFS")
    p["training"][0]["domains"] = ["reflection"]
    r = report(p, "IFS")
    assert r["eligible"] is True
    assert r["warnings"][0].startswith("No training is tagged with these competency domains: theoretical-foundations")
