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
from dataclasses import dataclass, field

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction

from attunement.associations import actions as association_actions
from attunement.associations.models import Association, Role, StaffRole
from attunement.people import actions as people_actions
from attunement.people.models import User

SEED = 20261122
PASSWORD = "attunement-demo-password"  # noqa: S105  (printed for the demo; 24 characters)


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
    Persona("admin", "admin@riverbend.example", "Dana Whitfield", "Dana", "she/her", ("en",), "Chittenden County",
            "en", "riverbend", (Role.ADMIN,), "association admin of Riverbend: settings, roles"),
    Persona("coordinator", "coordinator@riverbend.example", "María José González Ortiz", "María", "she/her",
            ("en", "es"), "Washington County", "es", "riverbend", (Role.COORDINATOR,),
            "Endorsement coordinator of Riverbend: staff list, audit log, history"),
    Persona("reviewer", "reviewer@riverbend.example", "Keisha Brown", "Keisha", "she/her", ("en",), "Rutland County",
            "en", "riverbend", (Role.REVIEWER,), "volunteer reviewer (endorsed IMHS)"),
    Persona("trainer", "trainer@riverbend.example", "Tomás Nguyen", "Tom", "he/him", ("en", "vi"), "Windham County",
            "en", "riverbend", (Role.TRAINER,), "trainer who runs Riverbend's foundations series"),
    Persona("analyst", "analyst@riverbend.example", "Priya Raman", "Priya", "she/her", ("en",), "Statewide", "en",
            "riverbend", (Role.ANALYST,), "state agency analyst (aggregates only)"),
    Persona("applicant", "applicant@riverbend.example", "Alejandro Rivera", "Alex", "they/them", ("es", "en"),
            "Addison County", "es", None, (), "home visitor working towards Endorsement (IFS)"),
    Persona("outsider", "coordinator@cascade.example", "Samuel Lee", "Sam", "he/him", ("en", "ko"), "Lane County",
            "en", "cascade", (Role.COORDINATOR, Role.ADMIN), "admin and coordinator of the other association, Cascade"),
    Persona("operator", "operator@attunement.example", "Jordan Ellis", "Jordan", "", ("en",), "", "en", None, (),
            "deployment operator (Django admin at /admin/)", operator=True),
]  # fmt: skip

FIRST_NAMES = [
    "Aaliyah", "Ana", "Beatriz", "Brianna", "Carmen", "Chloe", "Daniela", "Deja", "Elena", "Emily", "Fatima",
    "Grace", "Hannah", "Imani", "Isabel", "Jasmine", "Jennifer", "Kayla", "Lauren", "Leticia", "Lucía", "Megan",
    "Mei", "Nadia", "Nicole", "Olivia", "Rosa", "Sarah", "Tanisha", "Valeria", "Yesenia", "Zoe", "Andre", "Carlos",
    "David", "Ethan", "Jamal", "Luis", "Marcus", "Miguel",
]  # fmt: skip
LAST_NAMES = [
    "Adams", "Alvarez", "Bailey", "Castillo", "Chen", "Cruz", "Davis", "Diaz", "Evans", "Flores", "Garcia", "Harris",
    "Hernandez", "Jackson", "Johnson", "Kim", "Lopez", "Martin", "Martinez", "Mitchell", "Morales", "Nguyen",
    "Ortiz", "Patel", "Perez", "Ramirez", "Reyes", "Robinson", "Sanchez", "Thompson", "Torres", "Walker",
    "Washington", "Williams", "Young",
]  # fmt: skip
REGIONS = {
    "riverbend": ["Addison County", "Bennington County", "Chittenden County", "Franklin County", "Orange County",
                  "Rutland County", "Washington County", "Windham County", "Windsor County"],
    "cascade": ["Deschutes County", "Jackson County", "Lane County", "Marion County", "Multnomah County"],
}  # fmt: skip
MEMBERS_PER_ASSOCIATION = {"riverbend": 40, "cascade": 15}


@dataclass
class Demo:
    rng: random.Random
    associations: dict[str, Association] = field(default_factory=dict)
    personas: dict[str, User] = field(default_factory=dict)
    members: dict[str, list[User]] = field(default_factory=dict)
    operator: User | None = None


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
            actor=None, email=op.email, password=PASSWORD, email_verified=True, legal_name=op.legal_name,
            preferred_name=op.preferred_name, languages=list(op.languages),
        )  # fmt: skip
        User.objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    demo.operator = user


PARTS: list[Callable[[Demo], None]] = [_operator, _associations, _personas, _members]


@transaction.atomic
def load() -> Demo:
    demo = Demo(rng=random.Random(SEED))
    for part in PARTS:
        part(demo)
    return demo
