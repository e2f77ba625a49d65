"""The public verification page: current, not current with the status, or not valid (404)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.utils.formats import date_format

from attunement.credentials.tests.fixtures import holder_credential
from attunement.endorsement.models import Credential, CredentialStatus
from attunement.lib.testing import pin_queries


def url(code: str) -> str:
    return f"/verify/{quote(code, safe='')}/"


@pytest.mark.parametrize("status", [CredentialStatus.ACTIVE, CredentialStatus.EMERITUS])
def test_a_current_credential(status: str, personas: dict[str, Any], riverbend: Any, client: Any) -> None:
    credential = holder_credential(personas["applicant"], riverbend, status=status)
    with pin_queries(1):
        response = client.get(url(credential.public_code))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Current</h1>" in page
    assert "Alex Rivera" in page
    assert "Infant Family Specialist (IFS)" in page
    assert riverbend.name in page
    assert credential.valid_through is not None
    assert date_format(credential.valid_through, "DATE_FORMAT") in page
    assert response["Cache-Control"] == "public, max-age=60"


@pytest.mark.parametrize(
    ("status", "label"),
    [("lapsed", "Lapsed"), ("inactive", "Inactive"), ("suspended", "Suspended"), ("revoked", "Revoked"),
     ("archived", "Archived")],
)  # fmt: skip
def test_a_credential_that_is_not_current_says_its_status(
    status: str, label: str, personas: dict[str, Any], riverbend: Any, client: Any
) -> None:
    credential = holder_credential(personas["applicant"], riverbend)
    Credential.objects.filter(pk=credential.pk).update(status=status)
    response = client.get(url(credential.public_code))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Not current</h1>" in page
    assert f"Its status is: {label}." in page


def test_the_code_is_read_case_blind(personas: dict[str, Any], riverbend: Any, client: Any) -> None:
    credential = holder_credential(personas["applicant"], riverbend)
    assert client.get(url(credential.public_code.lower())).status_code == 200


@pytest.mark.parametrize("code", ["ZZZZZZZZZZ", "a", "x" * 500, "ÅÄÖ", "' OR 1=1 --", "..", "%00"])
def test_an_unknown_or_odd_code_is_not_valid_404(code: str, db: Any, client: Any) -> None:
    response = client.get(url(code))
    assert response.status_code == 404
    page = response.content.decode()
    assert "Not valid" in page
    assert "no Endorsement® credential with this code" in page
