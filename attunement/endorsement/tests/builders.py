"""Portfolios that meet a category's rules exactly at their thresholds (alliance-2025), so a
test can miss one rule by the smallest step and see only that requirement turn unmet."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

AS_OF = date(2025, 11, 1)
ALL_DOMAINS = [
    "theoretical-foundations",
    "law-regulation-policy",
    "systems-expertise",
    "direct-service-skills",
    "working-with-others",
    "communicating",
    "thinking",
    "reflection",
    "administration",
    "research-evaluation",
]


def iso(day: date) -> str:
    return day.isoformat()


def days_before(n: int) -> str:
    """The date n days before AS_OF: an interval from it to AS_OF lasts n + 1 days."""
    return iso(AS_OF - timedelta(days=n))


def holder(category: str, since: str = "2010-01-01", name: str = "Provider", vetted: bool = False) -> dict[str, Any]:
    return {"name": name, "credentials": [{"category": category, "since": since, "until": None}], "vetted": vetted}


def rsc_entries(category: str, hours: float, *, about: float = 0.0) -> list[dict[str, Any]]:
    """Two entries, January to December 2024: exactly a 12-month span. With ``about``, the
    first entry holds the hours about providing RS/C (all of them when ``about == hours``)."""
    if about and about < hours:
        first, second, about_first, about_second = about, hours - about, True, False
    else:
        first = second = hours / 2
        about_first = about_second = bool(about)
    return [
        {
            "provider": holder(category),
            "format": "group",
            "start": "2024-01-05",
            "end": "2024-06-28",
            "hours": first,
            "about_providing_rsc": about_first,
            "peer": False,
            "confirmed": True,
        },
        {
            "provider": holder(category),
            "format": "individual",
            "start": "2024-07-01",
            "end": "2024-12-20",
            "hours": second,
            "about_providing_rsc": about_second,
            "peer": False,
            "confirmed": True,
        },
    ]


def reference(relationship: str, rater_category: str | None = "IFS", **extra: Any) -> dict[str, Any]:
    rater = (
        holder(rater_category, name=f"{relationship} rater")
        if rater_category
        else {"name": "Rater", "credentials": [], "vetted": False}
    )
    return {
        "rater": rater,
        "relationship": relationship,
        "known_months": 24,
        "completed": "2025-09-01",
        "insufficient_info_count": 5,
        **extra,
    }


def work(**fields: Any) -> dict[str, Any]:
    entry = {
        "employer": "Family Center",
        "title": "Home visitor",
        "start": days_before(729),
        "end": None,
        "paid": True,
        "fte": 1.0,
        "service_level": "prevention",
        "ages": "infant",
        "families_served": 10,
        "social_emotional_focus": True,
        "relationship_focus": True,
        "dyadic_therapy": False,
        "supervised": False,
        "internship": False,
        "provides_rsc": False,
        "leadership": None,
    }
    entry.update(fields)
    return entry


def training(hours: float, *, about_rsc: bool = False, dei: bool = False, title: str = "Course") -> dict[str, Any]:
    return {
        "title": title,
        "provider": "AIMH",
        "date": "2025-01-15",
        "hours": hours,
        "domains": ALL_DOMAINS,
        "dei": dei,
        "about_rsc": about_rsc,
        "verified": True,
    }


def base(category: str) -> dict[str, Any]:
    p: dict[str, Any] = {
        "format": "attunement.portfolio/1",
        "person": {"name": "Test Person"},
        "education": [
            {
                "level": "master",
                "field": "social work",
                "institution": "State U",
                "conferred": "2015-05-01",
                "verified": True,
            }
        ],
        "licenses": [],
        "work": [],
        "training": [],
        "rsc": [],
        "references": [],
        "agreements": {"code_of_ethics": days_before(364), "endorsement_agreement": days_before(364)},
        "memberships": [{"association": "riverbend", "valid_from": "2025-01-01", "valid_through": iso(AS_OF)}],
        "exam": None,
        "credentials": [],
    }
    code = category.replace("EC", "I", 1) if category.startswith("EC") else category
    ages = "early_childhood" if category.startswith("EC") else "infant"
    if code == "IFA":
        p["education"] = [
            {"level": "cda", "field": "", "institution": "CDA Council", "conferred": "2019-01-01", "verified": True}
        ]
        p["training"] = [training(30)]
        p["references"] = [
            reference("current_supervisor", None),
            reference("colleague", "IFA"),
            reference("other", None),
        ]
    elif code == "IFS":
        p["education"][0]["level"] = "bachelor"
        p["work"] = [work(ages=ages)]
        p["training"] = [training(30)]
        p["rsc"] = rsc_entries("IMHS", 24)
        p["references"] = [
            reference("current_supervisor"),
            reference("rsc_provider", None),
            reference("colleague", None),
        ]
    elif code == "IFRS":
        p["education"] = []
        p["work"] = [
            work(ages=ages, start=days_before(729), end=days_before(365)),
            work(ages=ages, start=days_before(364), provides_rsc=True),
        ]
        p["training"] = [training(30), training(15, about_rsc=True), training(3, dei=True)]
        p["rsc"] = rsc_entries("IFRS", 24)
        p["references"] = [
            reference("current_supervisor"),
            reference("rsc_provider", None),
            reference("supervisee", None),
        ]
    elif code == "IMHS":
        p["work"] = [work(ages=ages, service_level="intervention", supervised=True, dyadic_therapy=True)]
        p["training"] = [training(33)]
        p["rsc"] = rsc_entries("IMHS", 50)
        p["references"] = [
            reference("current_supervisor"),
            reference("rsc_provider", None),
            reference("colleague", None),
        ]
    elif code == "IMHM-C":
        p["work"] = [
            work(
                ages=ages,
                service_level="intervention",
                supervised=True,
                dyadic_therapy=True,
                start=days_before(1094),
                provides_rsc=True,
            ),
        ]
        p["training"] = [training(30), training(15, about_rsc=True), training(3, dei=True)]
        p["rsc"] = rsc_entries("IMHM-C", 50, about=25)
        p["references"] = [reference("colleague"), reference("rsc_provider", None), reference("supervisee", None)]
        p["exam"] = {"date": "2025-09-29", "part1_percent": 80.0, "part2_passed": True}
    elif code in {"IMHM-P", "IMHM-RF"}:
        lead = "policy" if code == "IMHM-P" else "research_faculty"
        p["work"] = [work(service_level="leadership", leadership=lead, paid=False, start=days_before(1094))]
        p["training"] = [training(30), training(3, dei=True)]
        p["references"] = [reference("current_supervisor"), reference("other", None), reference("other", None)]
        p["exam"] = {"date": "2025-09-29", "part1_percent": 80.0, "part2_passed": True}
    elif code == "ERS":
        p["credentials"] = [{"category": "IFS", "since": "2020-01-01", "until": None}]
        p["work"] = [work(provides_rsc=True, start=days_before(364))]
        p["training"] = [training(15, about_rsc=True)]
        p["rsc"] = rsc_entries("ERS", 12, about=12)
        p["references"] = [reference("rsc_provider", None), reference("supervisee", None)]
    else:
        raise ValueError(category)
    return p


def renewal_base(category: str) -> dict[str, Any]:
    """A holder of ``category`` who meets its renewal rules exactly."""
    provider = {"IFS": "IFRS", "IFRS": "IMHS", "IMHS": "IMHM-C", "IMHM-C": "IMHM-C", "ERS": "ERS"}
    code = category.replace("EC", "I", 1) if category.startswith("EC") else category
    p = base(category)
    p["credentials"] = [{"category": category, "since": days_before(500), "until": None}]
    p["agreements"] = {"code_of_ethics": days_before(364), "endorsement_agreement": None}
    p["training"] = [training(14, title="Yearly"), training(1, dei=True, title="DEI")]
    for w in p["work"]:
        w["provides_rsc"] = False
    if code in provider:
        p["rsc"] = [
            {
                "provider": holder(provider[code]),
                "format": "group",
                "start": days_before(364),
                "end": iso(AS_OF),
                "hours": 12.0,
                "about_providing_rsc": False,
                "peer": False,
                "confirmed": True,
            },
        ]
    else:
        p["rsc"] = []
    return p


def clone(p: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(p)
