"""The demo payer: "Riverbend Medicaid (demo payer)" with a fixed, printed API key, and
credentials for Riverbend's demo members so a roster check has something to find."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from attunement.api import actions, keys
from attunement.api.models import ApiClient, ApiKey
from attunement.endorsement.models import Credential, CredentialStatus

if TYPE_CHECKING:
    from attunement.demo.base import Demo

PAYER_NAME = "Riverbend Medicaid (demo payer)"
# Printed by `make demo`; the demo refuses to load in production.
DEMO_API_KEY = "att_demo-riverbend-medicaid-payer-0000000000000000"
MEMBERS_WITH_CREDENTIALS = 30
CATEGORIES = ["IFS", "IFS", "IMHS", "IFA", "IFRS", "ECFS"]
STATUSES = [CredentialStatus.ACTIVE] * 6 + [CredentialStatus.LAPSED, CredentialStatus.INACTIVE,
                                            CredentialStatus.SUSPENDED, CredentialStatus.REVOKED]  # fmt: skip


def api_payer(demo: Demo) -> None:
    riverbend = demo.associations["riverbend"]
    client = ApiClient.objects.filter(association=riverbend, name=PAYER_NAME).first()
    if client is None:
        client = actions.create_client(
            actor=demo.operator,  # type: ignore[arg-type]
            association=riverbend,
            name=PAYER_NAME,
            contact_name="Claims Systems Team",
            contact_email="claims-it@riverbend-medicaid.example",
        )
    if not ApiKey.objects.filter(hashed=keys.digest(DEMO_API_KEY)).exists():
        actions.issue_key(actor=demo.operator, client=client, label="demo", token=DEMO_API_KEY)
    rng = random.Random(f"{riverbend.slug}-api-demo")  # noqa: S311 — demo data
    today = timezone.localdate()
    holders = set(Credential.objects.filter(association=riverbend).values_list("person_id", flat=True))
    for person in demo.members.get("riverbend", [])[:MEMBERS_WITH_CREDENTIALS]:
        category, status = rng.choice(CATEGORIES), rng.choice(STATUSES)
        since = date(rng.randint(2012, 2024), rng.randint(1, 12), 1)
        if person.pk in holders:
            continue
        Credential.objects.create(
            person=person,
            association=riverbend,
            category=category,
            since=since,
            valid_through=today + timedelta(days=rng.randint(30, 360))
            if status != CredentialStatus.LAPSED
            else today - timedelta(days=90),
            status=status,
            inactive_until=today + timedelta(days=200) if status == CredentialStatus.INACTIVE else None,
        )


def printed_lines(site: str) -> list[str]:
    """What `make demo` prints about the verification API."""
    auth = f"-H 'Authorization: Bearer {DEMO_API_KEY}'"
    return [
        f"  Verification API: {site}/docs/api/ (guide), {site}/api/v1/openapi.json   (demo payer: {PAYER_NAME})",
        f"    API key   {DEMO_API_KEY}",
        f"    one code  curl {auth} {site}/api/v1/credentials/CODE",
        "    roster    .venv/bin/attunement demo_roster --rows 10000 > roster.csv",
        f"              curl {auth} -F file=@roster.csv {site}/api/v1/roster-checks",
    ]
