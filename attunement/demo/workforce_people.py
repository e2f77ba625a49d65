"""Riverbend's workforce as the dashboards see it: 480 people with workforce profiles, 260
Endorsement credentials since 2012, 150 applications on their way, programmes and regional
targets, and this year's check-ins. Deterministic (seeded) and idempotent."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.utils import timezone

PEOPLE = 480
ENDORSED = 260
APPLYING = 150
DOMAIN = "riverbend-workforce.example"
REGIONS = [("north", 0.24), ("south", 0.2), ("east", 0.16), ("west", 0.18), ("central", 0.15), ("coast", 0.07)]
TARGETS = {"north": 80, "south": 60, "east": 40, "west": 50, "central": 40, "coast": 15}
ROLES = [("clinician", 0.4), ("home_visitor", 0.2), ("early_educator", 0.12), ("early_intervention", 0.1),
         ("supervisor", 0.1), ("consultant", 0.04), ("administrator", 0.04)]  # fmt: skip
SECTORS = {"clinician": "mental_health", "home_visitor": "home_visiting", "early_educator": "early_care_education",
           "early_intervention": "early_intervention", "supervisor": "mental_health", "consultant": "early_care_education",
           "administrator": "government"}  # fmt: skip
LEVELS = {"clinician": "intervention", "home_visitor": "prevention", "early_educator": "promotion",
          "early_intervention": "intervention", "supervisor": "leadership", "consultant": "prevention",
          "administrator": "leadership"}  # fmt: skip
CATEGORIES = [("IFS", 0.3), ("IFA", 0.15), ("IMHS", 0.22), ("IFRS", 0.08), ("IMHM-C", 0.05),
              ("ECFS", 0.1), ("ECMHS", 0.07), ("ECFA", 0.03)]  # fmt: skip
FIRST = ["Ana", "Ben", "Carla", "Dev", "Elena", "Farah", "Gabe", "Hana", "Ivan", "Jada", "Kai", "Lucía", "Maya", "Noah",
         "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tia", "Uma", "Victor", "Wen", "Ximena", "Yara", "Zoe"]  # fmt: skip
LAST = ["Adams", "Baker", "Chen", "Diaz", "Evans", "Flores", "Garcia", "Hughes", "Ito", "Jones", "Khan", "Lopez",
        "Morales", "Nguyen", "Okafor", "Patel", "Reyes", "Smith", "Torres", "Vega", "Walker", "Young"]  # fmt: skip
POC = ["black", "hispanic_latino", "asian", "american_indian_alaska_native"]


def _pick(rng: random.Random, weighted: list[tuple[str, float]]) -> str:
    return rng.choices([key for key, _w in weighted], weights=[w for _k, w in weighted])[0]


def load(riverbend: Any, operator: Any) -> None:
    from attunement.endorsement.models import Application, Credential, CredentialStatus, State
    from attunement.people.models import User
    from attunement.portfolios.models import Portfolio
    from attunement.workforce.actions import refresh_workforce
    from attunement.workforce.models import CheckinResponse, Programme, RegionTarget, WorkforceProfile

    if User.objects.filter(email=f"worker0@{DOMAIN}").exists():
        return
    rng = random.Random("attunement-demo-workforce-people")
    today = timezone.localdate()
    programmes = {
        region: [
            Programme.objects.create(
                association=riverbend, name=f"Birth to Three — {region.title()} {n}", region=region
            )
            for n in (1, 2)
        ]
        for region, _w in REGIONS
    }
    for region, target in TARGETS.items():
        RegionTarget.objects.create(association=riverbend, region=region, endorsed_target=target)

    unusable = make_password(None)
    users = User.objects.bulk_create(
        User(email=f"worker{i}@{DOMAIN}", legal_name=f"{rng.choice(FIRST)} {rng.choice(LAST)}", password=unusable,
             languages=["en", "es"] if rng.random() < 0.18 else ["en"]).fill_name_keys()
        for i in range(PEOPLE)
    )  # fmt: skip
    users = list(User.objects.filter(email__endswith=f"@{DOMAIN}").order_by("id"))
    profiles = []
    for user in users:
        role = _pick(rng, ROLES)
        region = _pick(rng, REGIONS)
        consent = rng.random() < 0.75
        races = None
        if consent:
            races = [rng.choice(POC)] if rng.random() < 0.24 else ["white"]
        paid = rng.choice([32, 36, 40, 40, 40])
        profiles.append(
            WorkforceProfile(
                person=user, role=role, sector=SECTORS[role], service_level=LEVELS[role], region=region,
                programme=rng.choice(programmes[region]) if rng.random() < 0.35 else None,
                demographics_consent=consent, consented_at=timezone.now() if consent else None, race_ethnicity=races,
                annual_salary=int(rng.gauss(58000 if role in ("clinician", "supervisor") else 42000, 7000)),
                caseload=rng.randint(6, 25) if role in ("clinician", "home_visitor") else None,
                paid_hours_week=paid, worked_hours_week=paid + (rng.choice([0, 0, 2, 4, 6, 10]) if rng.random() < 0.6 else 0),
            )
        )  # fmt: skip
    WorkforceProfile.objects.bulk_create(profiles)

    credentials = []
    for user in users[:ENDORSED]:
        since = date(rng.randint(2012, today.year), rng.randint(1, 12), rng.randint(1, 28))
        since = min(since, today - timedelta(days=1))
        lapsed = since.year < today.year - 2 and rng.random() < 0.12
        credentials.append(
            Credential(
                person=user, association=riverbend, category=_pick(rng, CATEGORIES), since=since,
                status=CredentialStatus.LAPSED if lapsed else CredentialStatus.ACTIVE,
                valid_through=date(rng.randint(since.year + 1, today.year - 1), 9, 30) if lapsed else date(today.year + 1, 9, 30),
            )
        )  # fmt: skip
    Credential.objects.bulk_create(credentials)

    now = timezone.now()
    states: list[tuple[str, float]] = [(State.REGISTERED, 0.12), (State.IN_PROGRESS, 0.3), (State.SUBMITTED, 0.08), (State.UNDER_REVIEW, 0.12),
              (State.APPROVED_FOR_EXAM, 0.08), (State.ENDORSED, 0.25), (State.WITHDRAWN, 0.05)]  # fmt: skip
    applicants = users[ENDORSED : ENDORSED + APPLYING]
    portfolios = Portfolio.objects.bulk_create(Portfolio(person=user, association=riverbend) for user in applicants)
    applications = []
    for portfolio in portfolios:
        state = _pick(rng, states)
        registered = now - timedelta(days=rng.randint(20, 900))
        submitted = (
            registered + timedelta(days=rng.randint(30, 200))
            if state not in (State.REGISTERED, State.IN_PROGRESS)
            else None
        )
        if submitted is not None and submitted > now:
            submitted = now - timedelta(days=1)
        changed: datetime = (
            (submitted or registered) + timedelta(days=rng.randint(5, 120)) if state != State.REGISTERED else registered
        )
        changed = min(changed, now)
        applications.append(
            Application(portfolio=portfolio, association=riverbend, category=_pick(rng, CATEGORIES), state=state,
                        registered_at=registered, submitted_at=submitted, state_changed_at=changed)
        )  # fmt: skip
    Application.objects.bulk_create(applications)

    # This year's rows: everyone's profile counts; 60% also answered the check-in's questions.
    rows = []
    endorsed_ids = {c.person_id for c in credentials if c.status == CredentialStatus.ACTIVE}
    for profile in profiles:
        checked_in = rng.random() < 0.6
        rows.append(
            CheckinResponse(
                association=riverbend, year=today.year, respondent_id=profile.respondent_id,
                source=CheckinResponse.Source.CHECKIN if checked_in else CheckinResponse.Source.PROFILE,
                role=profile.role, service_level=profile.service_level, region=profile.region,
                race_ethnicity=profile.race_ethnicity, languages=profile.person.languages,
                endorsed=profile.person_id in endorsed_ids, paid_hours_week=profile.paid_hours_week,
                worked_hours_week=profile.worked_hours_week, annual_salary=profile.annual_salary, caseload=profile.caseload,
                specialized_training_foundations=rng.random() < 0.68 if checked_in else None,
                received_rs=rng.random() < 0.78 if checked_in else None,
                ebt_trained=(["none"] if rng.random() < 0.35 else rng.sample(["cpp", "pcit", "abc", "circle_of_security"], 1)) if checked_in else None,
                barriers=rng.sample(["cost", "location_travel", "lost_billable_time", "time", "language"], 2) if checked_in else None,
                desired_topics=rng.sample(["attachment", "assessment", "high_risk_families", "reflective_practice", "dc0_5_diagnosis"], 2) if checked_in else None,
            )
        )  # fmt: skip
    CheckinResponse.objects.bulk_create(rows)
    refresh_workforce(riverbend, stale_only=False)
    refresh_workforce(None)  # every other association gets its roll-ups too
