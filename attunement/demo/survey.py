"""A synthetic workforce survey for the demo, shaped like the seed's 2019 Washington survey
of 875 clinicians (42% without specialised training, 4.5% endorsed, 70.8% receiving
reflective supervision, fewer than 20% people of colour, cost and travel the main barriers),
and a smaller later check-in year that shows change over time. Invented respondents only."""

from __future__ import annotations

import csv
import io
import random

from attunement.workforce.checkin import COLUMNS

REGIONS = [("north", 0.24), ("south", 0.2), ("east", 0.16), ("west", 0.18), ("central", 0.15), ("coast", 0.07)]
ROLES = [("clinician", 0.72), ("supervisor", 0.1), ("consultant", 0.06), ("early_intervention", 0.07), ("other", 0.05)]
POC_RACES = ["black", "hispanic_latino", "asian", "american_indian_alaska_native", "native_hawaiian_pacific_islander"]
BARRIERS = {
    "cost": 0.62,
    "location_travel": 0.47,
    "lost_billable_time": 0.36,
    "time": 0.31,
    "not_offered": 0.22,
    "prerequisites": 0.09,
    "language": 0.06,
}
TOPICS = {
    "assessment": 0.56,
    "attachment": 0.52,
    "iecmh_fundamentals": 0.47,
    "high_risk_families": 0.43,
    "neurodevelopmental": 0.38,
    "dc0_5_diagnosis": 0.33,
    "ebp_promising_practices": 0.31,
    "child_development": 0.27,
    "culturally_diverse_families": 0.26,
    "reflective_practice": 0.21,
}
SALARY = {
    "clinician": 62_000,
    "supervisor": 74_000,
    "consultant": 70_000,
    "early_intervention": 52_000,
    "other": 48_000,
}


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    return rng.choices([value for value, _ in weighted], [weight for _, weight in weighted])[0]


def _yes(rng: random.Random, share: float, answered: float = 0.97) -> str:
    if rng.random() > answered:
        return ""
    return "yes" if rng.random() < share else "no"


def survey(rng: random.Random, year: int, respondents: int, *, trained: float, endorsed: float, rs: float) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    for n in range(1, respondents + 1):
        role = _pick(rng, ROLES)
        poc = rng.random() < 0.17
        race = rng.choice(POC_RACES) if poc else "white"
        if rng.random() < 0.03:
            race = "prefer_not_to_say"
        paid = rng.choice([40, 40, 40, 32, 24])
        worked = paid + (rng.choice([2, 4, 5, 8, 10]) if rng.random() < 0.46 else 0)
        salary = SALARY[role] * rng.uniform(0.8, 1.25) - (3_500 if poc else 0)
        ebt = "none" if rng.random() < 0.4 else ";".join(rng.sample(["cpp", "pcit", "abc", "circle_of_security"], 1))
        writer.writerow(
            {
                "respondent_id": f"wa{year}-{n:04d}",
                "year": year,
                "role": role,
                "service_level": rng.choice(["prevention", "intervention", "intervention", "leadership"]),
                "region": _pick(rng, REGIONS) if rng.random() > 0.01 else "islands",
                "race_ethnicity": race,
                "languages": "en;es" if rng.random() < 0.14 else "en",
                "specialized_training_foundations": _yes(rng, trained),
                "ebt_trained": ebt,
                "endorsed": _yes(rng, endorsed),
                "received_rs": _yes(rng, rs),
                "barriers": ";".join(b for b, share in BARRIERS.items() if rng.random() < share) or "other",
                "desired_topics": ";".join(t for t, share in TOPICS.items() if rng.random() < share),
                "paid_hours_week": paid,
                "worked_hours_week": worked,
                "annual_salary": round(salary, -2) if rng.random() < 0.9 else "",
                "caseload": rng.randint(8, 30) if role == "clinician" else "",
            }
        )
    return out.getvalue()
