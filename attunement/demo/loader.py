"""Build the demo data. Idempotent: running it again changes nothing.

Later features add their own part with a function registered in ``PARTS``; each part
gets the same :class:`Demo` (the people and associations made so far, and the seeded
random generator) and must be idempotent too.
"""

from __future__ import annotations

import base64
import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.utils import timezone

from attunement.api.demo import api_payer
from attunement.associations import actions as association_actions
from attunement.associations.models import Association, Role, StaffRole
from attunement.credentials.demo import credentials_demo
from attunement.demo.base import PASSWORD, Demo
from attunement.people import actions as people_actions
from attunement.people.models import User
from attunement.rsc.demo import rsc_demo
from attunement.training.demo import training_demo

SEED = 20261122


@dataclass(frozen=True)
class Persona:
    key: str
    email: str
    legal_name: str
    preferred_name: str
    pronouns: str
    languages: tuple[str, ...]
    region: str
    preferred_language: str
    association: str | None
    roles: tuple[Role, ...]
    description: str
    operator: bool = False


ASSOCIATIONS = [
    {
        "slug": "riverbend",
        "name": "Riverbend Association for Infant Mental Health",
        "short_name": "Riverbend AIMH",
        "state": "VT",
        "country": "US",
        "contact_email": "endorsement@riverbend.example",
        "contact_phone": "(802) 555-0142",
        "website": "https://riverbend-aimh.example",
        "time_zone": "America/New_York",
    },
    {
        "slug": "cascade",
        "name": "Cascade Infant and Early Childhood Mental Health Association",
        "short_name": "Cascade IECMHA",
        "state": "OR",
        "country": "US",
        "contact_email": "hello@cascade.example",
        "contact_phone": "(503) 555-0199",
        "website": "https://cascade-iecmh.example",
        "time_zone": "America/Los_Angeles",
    },
]

PERSONAS = [
    Persona(
        "admin",
        "admin@riverbend.example",
        "Dana Whitfield",
        "Dana",
        "she/her",
        ("en",),
        "Chittenden County",
        "en",
        "riverbend",
        (Role.ADMIN,),
        "association admin of Riverbend: settings, roles",
    ),
    Persona(
        "coordinator",
        "coordinator@riverbend.example",
        "María José González Ortiz",
        "María",
        "she/her",
        ("en", "es"),
        "Washington County",
        "es",
        "riverbend",
        (Role.COORDINATOR,),
        "Endorsement coordinator of Riverbend: staff list, audit log, history",
    ),
    Persona(
        "reviewer",
        "reviewer@riverbend.example",
        "Keisha Brown",
        "Keisha",
        "she/her",
        ("en",),
        "Rutland County",
        "en",
        "riverbend",
        (Role.REVIEWER,),
        "volunteer reviewer (endorsed IMHS)",
    ),
    Persona(
        "trainer",
        "trainer@riverbend.example",
        "Tomás Nguyen",
        "Tom",
        "he/him",
        ("en", "vi"),
        "Windham County",
        "en",
        "riverbend",
        (Role.TRAINER,),
        "trainer who runs Riverbend's foundations series",
    ),
    Persona(
        "analyst",
        "analyst@riverbend.example",
        "Priya Raman",
        "Priya",
        "she/her",
        ("en",),
        "Statewide",
        "en",
        "riverbend",
        (Role.ANALYST,),
        "state agency analyst: Staff > Workforce indicators (aggregates only)",
    ),
    Persona(
        "applicant",
        "applicant@riverbend.example",
        "Alejandro Rivera",
        "Alex",
        "they/them",
        ("es", "en"),
        "Addison County",
        "es",
        None,
        (),
        "home visitor working towards Endorsement (IFS)",
    ),
    Persona(
        "outsider",
        "coordinator@cascade.example",
        "Samuel Lee",
        "Sam",
        "he/him",
        ("en", "ko"),
        "Lane County",
        "en",
        "cascade",
        (Role.COORDINATOR, Role.ADMIN),
        "admin and coordinator of the other association, Cascade",
    ),
    Persona(
        "operator",
        "operator@attunement.example",
        "Jordan Ellis",
        "Jordan",
        "",
        ("en",),
        "",
        "en",
        None,
        (),
        "deployment operator (Django admin at /admin/)",
        operator=True,
    ),
]

FIRST_NAMES = [
    "Aaliyah",
    "Ana",
    "Beatriz",
    "Brianna",
    "Carmen",
    "Chloe",
    "Daniela",
    "Deja",
    "Elena",
    "Emily",
    "Fatima",
    "Grace",
    "Hannah",
    "Imani",
    "Isabel",
    "Jasmine",
    "Jennifer",
    "Kayla",
    "Lauren",
    "Leticia",
    "Lucía",
    "Megan",
    "Mei",
    "Nadia",
    "Nicole",
    "Olivia",
    "Rosa",
    "Sarah",
    "Tanisha",
    "Valeria",
    "Yesenia",
    "Zoe",
    "Andre",
    "Carlos",
    "David",
    "Ethan",
    "Jamal",
    "Luis",
    "Marcus",
    "Miguel",
]
LAST_NAMES = [
    "Adams",
    "Alvarez",
    "Bailey",
    "Castillo",
    "Chen",
    "Cruz",
    "Davis",
    "Diaz",
    "Evans",
    "Flores",
    "Garcia",
    "Harris",
    "Hernandez",
    "Jackson",
    "Johnson",
    "Kim",
    "Lopez",
    "Martin",
    "Martinez",
    "Mitchell",
    "Morales",
    "Nguyen",
    "Ortiz",
    "Patel",
    "Perez",
    "Ramirez",
    "Reyes",
    "Robinson",
    "Sanchez",
    "Thompson",
    "Torres",
    "Walker",
    "Washington",
    "Williams",
    "Young",
]
REGIONS = {
    "riverbend": [
        "Addison County",
        "Bennington County",
        "Chittenden County",
        "Franklin County",
        "Orange County",
        "Rutland County",
        "Washington County",
        "Windham County",
        "Windsor County",
    ],
    "cascade": ["Deschutes County", "Jackson County", "Lane County", "Marion County", "Multnomah County"],
}
MEMBERS_PER_ASSOCIATION = {"riverbend": 40, "cascade": 15}


def totp_secret(email: str) -> str:
    """The demo's TOTP secret for a persona: fixed, so the printed secret stays valid."""
    digest = hashlib.sha256(f"attunement-demo-totp:{email}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


def _person(demo: Demo, **fields: object) -> User:
    email = str(fields["email"])
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        return existing
    return people_actions.create_person(
        actor=demo.operator,
        password=PASSWORD,
        email_verified=True,
        **fields,  # type: ignore[arg-type]
    )


def _associations(demo: Demo) -> None:
    for spec in ASSOCIATIONS:
        association = Association.objects.filter(slug=spec["slug"]).first()
        if association is None:
            association = association_actions.create_association(actor=demo.operator, **spec)
        demo.associations[association.slug] = association


def _personas(demo: Demo) -> None:
    for p in PERSONAS:
        user = _person(
            demo,
            email=p.email,
            legal_name=p.legal_name,
            preferred_name=p.preferred_name,
            pronouns=p.pronouns,
            languages=list(p.languages),
            region=p.region,
            preferred_language=p.preferred_language,
        )
        if p.operator and not user.is_staff:
            User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
            user.refresh_from_db()
        demo.personas[p.key] = user
        needs_totp = p.roles or p.operator
        if needs_totp and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, totp_secret(user.email))
        for role in p.roles:
            association = demo.associations[p.association or ""]
            if not StaffRole.objects.current().filter(association=association, user=user, role=role).exists():
                association_actions.grant_staff_role(actor=demo.operator, association=association, user=user, role=role)


def _members(demo: Demo) -> None:
    for slug, count in MEMBERS_PER_ASSOCIATION.items():
        people = []
        for i in range(count):
            first, last = demo.rng.choice(FIRST_NAMES), demo.rng.choice(LAST_NAMES)
            spanish = demo.rng.random() < 0.22
            people.append(
                _person(
                    demo,
                    email=f"{first}.{last}.{i}@{slug}-members.example".lower().replace("í", "i").replace("á", "a"),
                    legal_name=f"{first} {last}",
                    preferred_name=first,
                    pronouns=demo.rng.choice(["she/her", "she/her", "he/him", "they/them", ""]),
                    languages=["en", "es"] if spanish else ["en"],
                    region=demo.rng.choice(REGIONS[slug]),
                    preferred_language="es" if spanish and demo.rng.random() < 0.6 else "en",
                )
            )
        demo.members[slug] = people


def _operator(demo: Demo) -> None:
    # Made first so that it is the actor of everything the demo sets up.
    op = next(p for p in PERSONAS if p.operator)
    user = User.objects.filter(email=op.email).first()
    if user is None:
        user = people_actions.create_person(
            actor=None,
            email=op.email,
            password=PASSWORD,
            email_verified=True,
            legal_name=op.legal_name,
            preferred_name=op.preferred_name,
            languages=list(op.languages),
        )
        User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    demo.operator = user


def _rule_sets(demo: Demo) -> None:
    """Riverbend's own rule set (IFS without a degree), in force from 2025-07-01."""
    import json

    from attunement.endorsement.actions.rulesets import load_rule_set
    from attunement.endorsement.rules.ruleset import SHIPPED

    load_rule_set(actor=demo.operator, data=json.loads((SHIPPED / "riverbend-2025.json").read_text(encoding="utf-8")))


def _agreement_texts(demo: Demo) -> None:
    from pathlib import Path

    from attunement.portfolios.models import AgreementText

    folder = Path(__file__).resolve().parent.parent / "portfolios" / "agreements"
    for kind, file in [
        ("code_of_ethics", "demo-code-of-ethics.en.txt"),
        ("endorsement_agreement", "demo-endorsement-agreement.en.txt"),
    ]:
        AgreementText.objects.get_or_create(
            association=None,
            kind=kind,
            version="demo-2025",
            language="en",
            defaults={"body": (folder / file).read_text(encoding="utf-8"), "effective": date(2025, 1, 1)},
        )


def _applicant_portfolio(demo: Demo) -> None:
    """Alex works towards IFS at Riverbend: most of it is there; RS/C, references and the
    agreements are what the gap analysis shows as still to do."""
    from decimal import Decimal

    from attunement.portfolios import actions as portfolio_actions
    from attunement.portfolios.models import (
        RSC,
        Education,
        Provenance,
        Reference,
        ReferenceStatus,
        Training,
        Verification,
        Work,
    )

    alex = demo.personas["applicant"]
    riverbend = demo.associations["riverbend"]
    if hasattr(alex, "portfolio"):
        return
    portfolio = portfolio_actions.start_portfolio(actor=alex, person=alex, association=riverbend, aim="IFS")
    today = timezone.localdate()
    Education.objects.create(
        portfolio=portfolio,
        level="bachelor",
        field="Human Development",
        institution="University of Vermont",
        conferred=date(2016, 5, 21),
        verification=Verification.VERIFIED,
        verified_by=demo.personas["coordinator"],
    )
    Work.objects.create(
        portfolio=portfolio,
        employer="Addison County Parent Child Center",
        title="Home visitor",
        responsibilities="Weekly home visits with families of infants and toddlers; developmental screening; parent groups.",
        start=date(2021, 9, 1),
        paid=True,
        service_level="prevention",
        ages="infant",
        families_served=18,
        social_emotional_focus=True,
        relationship_focus=True,
        supervised=True,
        supervisor_name="Jordan Baker",
        supervisor_email="jbaker@acpcc.example",
    )
    courses = [
        ("Foundations of Infant Mental Health, part 1", 12, ["theoretical-foundations", "reflection"], False),
        (
            "Foundations of Infant Mental Health, part 2",
            12,
            ["direct-service-skills", "working-with-others", "thinking"],
            False,
        ),
        ("Culturally responsive practice with families", 3, ["communicating", "systems-expertise"], True),
        ("Mandated reporting and confidentiality", 4, ["law-regulation-policy"], False),
    ]
    for i, (title, hours, domains, dei) in enumerate(courses):
        Training.objects.create(
            portfolio=portfolio,
            title=title,
            provider="Riverbend AIMH",
            date=date(2024, 3 + 2 * i, 14),
            hours=Decimal(hours),
            domains=domains,
            dei=dei,
            provenance=Provenance.TRAINING,
            verification=Verification.VERIFIED,
        )
    start = date(today.year - 1, today.month, 1)
    RSC.objects.create(
        portfolio=portfolio,
        provider_name="Lena Ortiz",
        provider_email="lena.ortiz@riverbend-rsc.example",
        provider_category="IMHS",
        provider_since=date(2017, 6, 1),
        format="group",
        start=start,
        end=date(today.year, today.month, 1) - timedelta(days=1),
        hours=Decimal(16),
        provenance=Provenance.RSC_PROVIDER,
        verification=Verification.VERIFIED,
    )
    Reference.objects.create(
        portfolio=portfolio,
        category="IFS",
        rater_name="Jordan Baker",
        rater_email="jbaker@acpcc.example",
        relationship="current_supervisor",
        known_months=36,
        status=ReferenceStatus.COMPLETED,
        completed_at=timezone.now() - timedelta(days=20),
        rater_category="IFS",
        rater_since=date(2019, 4, 1),
        rater_standing="verified",  # staff checked the rater against the registry
        answers={},
        insufficient_info_count=1,
    )
    Reference.objects.create(
        portfolio=portfolio,
        category="IFS",
        rater_name="Lena Ortiz",
        rater_email="lena.ortiz@riverbend-rsc.example",
        relationship="rsc_provider",
        known_months=12,
        status=ReferenceStatus.COMPLETED,
        completed_at=timezone.now() - timedelta(days=9),
        rater_category="IMHS",
        rater_since=date(2016, 3, 1),
        rater_standing="verified",  # staff checked the rater against the registry
        answers={},
    )
    Reference.objects.create(
        portfolio=portfolio,
        category="IFS",
        rater_name="Marcus Young",
        rater_email="marcus.young@acpcc.example",
        relationship="colleague",
        known_months=30,
        status=ReferenceStatus.SENT,
        sent_at=timezone.now() - timedelta(days=3),
        link_nonce="demo",
    )


def _applying(demo: Demo) -> None:
    """Fees, a one-reviewer policy and a trained, endorsed reviewer, so an application can be
    walked from registration to Endorsement in the demo."""
    from decimal import Decimal

    from attunement.endorsement.models import Credential, ReviewerProfile
    from attunement.payments.models import Fee

    riverbend = demo.associations["riverbend"]
    fees = [("registration", "", "25.00"), ("processing", "", "100.00"), ("processing", "IFA", "25.00"),
            ("processing", "IMHS", "200.00"), ("exam", "", "200.00"), ("membership", "", "60.00"),
            ("renewal", "", "30.00"), ("late", "", "25.00")]  # fmt: skip
    for kind, category, amount in fees:
        Fee.objects.get_or_create(
            association=riverbend, kind=kind, category=category, defaults={"amount": Decimal(amount)}
        )
    riverbend.policy.reviewers_per_application = 1
    riverbend.policy.review_schedule = "monthly"
    riverbend.policy.save(update_fields=["reviewers_per_application", "review_schedule"])
    keisha = demo.personas["reviewer"]
    ReviewerProfile.objects.get_or_create(
        association=riverbend, user=keisha, defaults={"trained": True, "employer": "Riverbend Family Services"}
    )
    if not Credential.objects.filter(person=keisha).exists():
        Credential.objects.create(person=keisha, association=riverbend, category="IMHS", since=date(2017, 6, 1))


def _renewing(demo: Demo) -> None:
    """Keisha holds IMHS and the ERS add-on, due in 30 days, and has this year's hours: she
    renews both with one set of hours and one fee. Sam (Cascade) returns from inactive."""
    from decimal import Decimal

    from attunement.endorsement.models import Credential, CredentialStatus
    from attunement.membership.actions import add_term
    from attunement.membership.models import Term
    from attunement.portfolios import actions as portfolio_actions
    from attunement.portfolios.models import RSC, AgreementText, Provenance, Signature, Training, Verification, Work

    keisha, riverbend = demo.personas["reviewer"], demo.associations["riverbend"]
    today = timezone.localdate()
    if hasattr(keisha, "portfolio"):
        return
    portfolio = portfolio_actions.start_portfolio(actor=keisha, person=keisha, association=riverbend, aim="IMHS")
    due = today + timedelta(days=30)
    Credential.objects.filter(person=keisha, category="IMHS").update(valid_through=due)
    Credential.objects.create(
        person=keisha, association=riverbend, category="ERS", since=date(2024, 6, 1), valid_through=due
    )
    Work.objects.create(portfolio=portfolio, employer="Riverbend Family Services", title="Clinical supervisor", start=date(2018, 1, 8),
                        paid=True, service_level="intervention", ages="infant", supervised=True, dyadic_therapy=True, provides_rsc=True)  # fmt: skip
    for title, hours, dei, about in [("Perinatal mood disorders", 8, False, False), ("Anti-racist reflective practice", 4, True, True),
                                     ("Holding the holder: supervising RS/C", 3, False, True)]:  # fmt: skip
        Training.objects.create(portfolio=portfolio, title=title, provider="Riverbend AIMH", date=today - timedelta(days=60), hours=Decimal(hours),
                                dei=dei, about_rsc=about, provenance=Provenance.TRAINING, verification=Verification.VERIFIED)  # fmt: skip
    RSC.objects.create(portfolio=portfolio, provider_name="Dr. Ruth Okafor", provider_email="r.okafor@mentors.example", provider_category="IMHM-C",
                       provider_since=date(2012, 1, 1), format="individual", start=today - timedelta(days=330), end=today - timedelta(days=15),
                       hours=Decimal(14), provenance=Provenance.RSC_PROVIDER, verification=Verification.VERIFIED)  # fmt: skip
    text = AgreementText.objects.filter(kind="code_of_ethics").first()
    if text is not None and not Signature.objects.filter(portfolio=portfolio).exists():
        Signature.objects.create(
            portfolio=portfolio, text=text, typed_name=keisha.legal_name, signed_on=today - timedelta(days=10)
        )
    if not Term.objects.filter(person=keisha).exists():
        add_term(actor=None, person=keisha, association=riverbend, on=today - timedelta(days=200), source="demo")
    riverbend.policy.renewal_audit_percent = 0  # the demo renewal is approved at once, every time
    riverbend.policy.save(update_fields=["renewal_audit_percent"])
    tom = demo.personas["trainer"]
    if not Credential.objects.filter(person=tom).exists():
        # Past due and past the 31-day grace: `attunement daily` lapses it.
        Credential.objects.create(
            person=tom,
            association=riverbend,
            category="IFS",
            since=date(2020, 3, 1),
            valid_through=today - timedelta(days=40),
        )
    sam, cascade = demo.personas["outsider"], demo.associations["cascade"]
    if not Credential.objects.filter(person=sam).exists():
        Credential.objects.create(person=sam, association=cascade, category="IMHM-C", since=date(2014, 9, 1), valid_through=due,
                                  status=CredentialStatus.INACTIVE, inactive_until=today + timedelta(days=200))  # fmt: skip


def _workforce(demo: Demo) -> None:
    """Riverbend's workforce survey (2019, 875 respondents) and a later check-in year (2025,
    420): the analyst's indicators page shows the seed survey's kind of figures."""
    from attunement.demo.survey import survey
    from attunement.workforce.actions import import_checkins
    from attunement.workforce.models import CheckinResponse

    riverbend = demo.associations["riverbend"]
    shapes = {2019: (875, 0.58, 0.045, 0.708), 2025: (420, 0.66, 0.09, 0.76)}
    for year, (respondents, trained, endorsed, rs) in shapes.items():
        if CheckinResponse.objects.filter(association=riverbend, year=year).exists():
            continue
        text = survey(random.Random(f"{SEED}-{year}"), year, respondents, trained=trained, endorsed=endorsed, rs=rs)
        import_checkins(riverbend, text, actor=demo.operator, file_name=f"riverbend-workforce-{year}.csv")
    from attunement.demo import workforce_people

    workforce_people.load(riverbend, demo.operator)


PARTS: list[Callable[[Demo], None]] = [
    _operator,
    _associations,
    _personas,
    _members,
    _rule_sets,
    _agreement_texts,
    _applicant_portfolio,
    _applying,
    _renewing,
    _workforce,
    credentials_demo,
    rsc_demo,
    api_payer,
    training_demo,
]


@transaction.atomic
def load() -> Demo:
    demo = Demo(rng=random.Random(SEED))
    for part in PARTS:
        part(demo)
    return demo
