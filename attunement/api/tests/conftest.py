from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest
from django.test import Client

from attunement.api import actions, keys
from attunement.api.models import ApiClient
from attunement.endorsement.models import Credential, CredentialStatus


@pytest.fixture(autouse=True)
def _fresh_key_memory() -> Iterator[None]:
    keys.reset()
    yield
    keys.reset()


@pytest.fixture
def payer(riverbend: Any) -> ApiClient:
    return ApiClient.objects.create(
        association=riverbend, name="Riverbend Medicaid", contact_email="it@medicaid.example"
    )


@pytest.fixture
def token(payer: ApiClient) -> str:
    return actions.issue_key(actor=None, client=payer, label="tests").token


@pytest.fixture
def api(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"})


@pytest.fixture
def holder(make_person: Callable[..., Any]) -> Callable[..., Credential]:
    def make(
        legal_name: str,
        *,
        association: Any,
        category: str = "IFS",
        status: str = CredentialStatus.ACTIVE,
        preferred_name: str = "",
        region: str = "",
        email: str | None = None,
    ) -> Credential:
        email = email or f"holder-{uuid.uuid4().hex[:12]}@example.org"
        person = make_person(email, legal_name=legal_name, preferred_name=preferred_name, region=region)
        return Credential.objects.create(
            person=person,
            association=association,
            category=category,
            since=date(2020, 1, 1),
            valid_through=date(2030, 12, 31),
            status=status,
        )

    return make
