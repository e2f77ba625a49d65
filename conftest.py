"""Personas and shared fixtures for the whole suite (see CONTRIBUTING.md, "Tests").

The personas are the people of the conventions page: an applicant, a reviewer, a trainer,
an analyst, a coordinator and an admin of Riverbend, an outsider who is admin and
coordinator of another association (Cascade), a deployment operator, and anonymous."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import override_settings
from django.utils import translation
from PIL import Image

from attunement.associations import actions as association_actions
from attunement.associations.models import Association, Role, StaffRole
from attunement.people import actions as people_actions
from attunement.people.models import User

PASSWORD = "correct horse battery staple"
ROLES_OF_PERSONAS: dict[str, tuple[str, tuple[Role, ...]]] = {
    "reviewer": ("riverbend", (Role.REVIEWER,)),
    "trainer": ("riverbend", (Role.TRAINER,)),
    "analyst": ("riverbend", (Role.ANALYST,)),
    "coordinator": ("riverbend", (Role.COORDINATOR,)),
    "admin": ("riverbend", (Role.ADMIN,)),
    "outsider": ("cascade", (Role.ADMIN, Role.COORDINATOR)),
}
PERSONA_NAMES = [
    "anonymous",
    "applicant",
    "reviewer",
    "trainer",
    "analyst",
    "coordinator",
    "admin",
    "outsider",
    "operator",
]


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hasher() -> Iterator[None]:
    # Argon2 costs about half a second of CPU per hash; the suite does not need it.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _language_reset_after_each_test() -> Iterator[None]:
    # A request activates its language in the thread and leaves it there (as Django does);
    # a later test in the same worker must not inherit a Spanish page's language.
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "uploads"), "base_url": None},
        },
    }


def png_bytes(size: tuple[int, int] = (8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (31, 95, 139)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def make_association(db: Any) -> Callable[..., Association]:
    def make(slug: str, name: str | None = None, **fields: Any) -> Association:
        return association_actions.create_association(
            actor=None,
            slug=slug,
            name=name or f"{slug.title()} Association for Infant Mental Health",
            contact_email=f"office@{slug}.example",
            **fields,
        )

    return make


@pytest.fixture
def riverbend(make_association: Callable[..., Association]) -> Association:
    return make_association("riverbend", state="VT")


@pytest.fixture
def cascade(make_association: Callable[..., Association]) -> Association:
    return make_association("cascade", state="OR")


@pytest.fixture
def make_person(db: Any) -> Callable[..., User]:
    def make(
        email: str,
        *,
        roles: tuple[Role, ...] = (),
        association: Association | None = None,
        totp: bool | None = None,
        **fields: Any,
    ) -> User:
        user = people_actions.create_person(actor=None, email=email, password=PASSWORD, email_verified=True, **fields)
        for role in roles:
            assert association is not None
            association_actions.grant_staff_role(actor=None, association=association, user=user, role=role)
        if totp if totp is not None else bool(roles):
            TOTP.activate(user, generate_totp_secret())
        return user

    return make


@pytest.fixture
def personas(riverbend: Association, cascade: Association, make_person: Callable[..., User]) -> dict[str, User | None]:
    associations = {"riverbend": riverbend, "cascade": cascade}
    people: dict[str, User | None] = {"anonymous": None}
    people["applicant"] = make_person("applicant@example.org", legal_name="Alex Rivera", preferred_language="es")
    for name, (slug, roles) in ROLES_OF_PERSONAS.items():
        people[name] = make_person(f"{name}@{slug}.example", roles=roles, association=associations[slug])
    operator = make_person("operator@example.org", totp=True)
    User.objects.filter(pk=operator.pk).update(is_staff=True, is_superuser=True)
    operator.refresh_from_db()
    people["operator"] = operator
    return people


@pytest.fixture
def client_for() -> Callable[[User | None], Client]:
    def make(user: User | None) -> Client:
        # Pages in English unless a test switches: Alex prefers Spanish and would see it otherwise.
        client = Client(headers={"Accept-Language": "en"})
        client.cookies["django_language"] = "en"
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def logo_upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("logo.png", png_bytes(), content_type="image/png")


@pytest.fixture
def staff_role(riverbend: Association, personas: dict[str, User | None]) -> StaffRole:
    """Riverbend's reviewer role, an object staff pages reach by its public id."""
    return StaffRole.objects.get(association=riverbend, user=personas["reviewer"], role=Role.REVIEWER)


def has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def ensure_shipped_data() -> None:
    """The default rule set and the public competency names come from data migrations; a
    ``transaction=True`` test empties every table when it ends, so reload them if gone."""
    import json

    from attunement.competencies.actions import load_framework
    from attunement.competencies.management.commands.competencies import PUBLIC
    from attunement.endorsement.actions.rulesets import load_rule_set
    from attunement.endorsement.models import RuleSetVersion
    from attunement.endorsement.rules.ruleset import SHIPPED

    if not RuleSetVersion.objects.filter(key="alliance-2025").exists():
        load_rule_set(actor=None, data=json.loads((SHIPPED / "alliance-2025.json").read_text(encoding="utf-8")))
        load_framework(actor=None, data=json.loads(PUBLIC.read_text(encoding="utf-8")))


@pytest.fixture
def applicant_portfolio(personas: dict[str, User | None], riverbend: Association) -> Any:
    """Alex's portfolio at Riverbend: a bachelor's degree with its transcript, and a rating
    asked of a rater (sent)."""
    from datetime import date

    ensure_shipped_data()
    from django.core.files.base import ContentFile

    from attunement.portfolios import actions as portfolio_actions
    from attunement.portfolios.models import Education, Reference, ReferenceStatus

    applicant = personas["applicant"]
    assert applicant is not None
    portfolio = portfolio_actions.start_portfolio(actor=applicant, person=applicant, association=riverbend, aim="IFS")
    education = Education(portfolio=portfolio, level="bachelor", field="Human Development", conferred=date(2016, 5, 21))
    education.transcript.save("document.pdf", ContentFile(PDF_BYTES), save=False)
    education.save()
    Reference.objects.create(
        portfolio=portfolio, category="IFS", rater_name="Jordan Baker", rater_email="jordan@example.org",
        relationship="current_supervisor", status=ReferenceStatus.SENT, link_nonce="nonce-1",
    )  # fmt: skip
    return portfolio


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def ready(applicant_portfolio: Any, personas: dict[str, Any], riverbend: Association) -> Any:
    """Alex's portfolio meets every IFS rule today: entries, three ratings, signatures,
    membership; Riverbend charges fees and has one trained reviewer endorsed IMHS."""
    from datetime import date, timedelta
    from decimal import Decimal

    from django.utils import timezone

    from attunement.endorsement.models import Credential, ReviewerProfile
    from attunement.endorsement.tests.builders import base
    from attunement.membership.actions import add_term
    from attunement.payments.models import Fee
    from attunement.portfolios import actions as portfolio_actions
    from attunement.portfolios.models import AgreementText, Education, Reference, ReferenceStatus, Verification

    doc = base("IFS")
    today = timezone.localdate()
    shift = today - date(2025, 11, 1)
    for section in ("work", "training", "rsc"):
        for entry in doc[section]:
            for key in ("start", "end", "date"):
                if entry.get(key):
                    entry[key] = (date.fromisoformat(entry[key]) + shift).isoformat()
    doc["education"] = []
    portfolio_actions.import_portfolio(actor=None, portfolio=applicant_portfolio, document=doc)
    Education.objects.filter(portfolio=applicant_portfolio).update(verification=Verification.VERIFIED)
    Reference.objects.filter(portfolio=applicant_portfolio).delete()
    for i, relationship in enumerate(["current_supervisor", "rsc_provider", "colleague"]):
        Reference.objects.create(
            portfolio=applicant_portfolio, category="IFS", rater_name=f"Rater {i}", rater_email=f"rater{i}@example.org",
            relationship=relationship, status=ReferenceStatus.COMPLETED, completed_at=timezone.now() - timedelta(days=5),
            rater_category="IFS" if i == 0 else "", rater_since=date(2015, 1, 1) if i == 0 else None,
            rater_standing="verified",
        )  # fmt: skip
    alex = personas["applicant"]
    for kind in ("code_of_ethics", "endorsement_agreement"):
        text = AgreementText.objects.create(kind=kind, version="1", body="Text", effective=date(2025, 1, 1))
        portfolio_actions.sign_agreement(
            actor=alex, portfolio=applicant_portfolio, text=text, typed_name=alex.legal_name
        )
    add_term(actor=None, person=alex, association=riverbend, on=today, source="test")
    Fee.objects.create(association=riverbend, kind="registration", amount=Decimal("25.00"))
    Fee.objects.create(association=riverbend, kind="processing", category="IFS", amount=Decimal("100.00"))
    reviewer = personas["reviewer"]
    ReviewerProfile.objects.create(
        association=riverbend, user=reviewer, trained=True, employer="Riverbend Family Services"
    )
    Credential.objects.create(person=reviewer, association=riverbend, category="IMHS", since=date(2017, 1, 1))
    riverbend.policy.reviewers_per_application = 1
    riverbend.policy.save(update_fields=["reviewers_per_application"])
    return applicant_portfolio
