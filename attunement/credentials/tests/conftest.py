from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from attunement.credentials import verify
from attunement.credentials.tests.fixtures import holder_credential
from attunement.endorsement.models import Credential


@pytest.fixture
def credential(personas: dict[str, Any], riverbend: Any) -> Credential:
    """Alex Rivera's current IFS Endorsement at Riverbend."""
    return holder_credential(personas["applicant"], riverbend)


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """``attunement verify`` fetches through the test client; the URLs it asked for are kept."""
    asked: list[str] = []
    client = Client()

    def get(url: str) -> bytes:
        asked.append(url)
        parts = urlsplit(url)
        assert parts.netloc == "127.0.0.1:8000", url
        response = client.get(parts.path)
        if response.status_code != 200:
            raise verify.Unusable(f"cannot fetch {url}: HTTP {response.status_code}")
        return bytes(response.content)

    monkeypatch.setattr(verify, "fetch", get)
    return asked


@pytest.fixture
def download(client_for: Callable[[Any], Client], personas: dict[str, Any]) -> Callable[..., bytes]:
    def fetch(credential: Credential, what: str = "jwt") -> bytes:
        from django.urls import reverse

        response = client_for(credential.person).get(
            reverse(f"credentials_me:{what}", kwargs={"code": credential.public_code})
        )
        assert response.status_code == 200, response.status_code
        return bytes(response.content)

    return fetch
