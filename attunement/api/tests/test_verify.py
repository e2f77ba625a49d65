"""Verification by code and by name; keys; quotas; cache headers; pinned query counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.test.utils import override_settings

from attunement.api import actions, keys
from attunement.api.models import ApiClient, QuotaWindow
from attunement.audit.models import AuditEvent
from attunement.endorsement.models import CredentialStatus
from attunement.lib.testing import assert_constant_queries, pin_queries


def test_a_current_credential_is_valid(api: Client, holder: Any, riverbend: Any) -> None:
    credential = holder("Maria José García", association=riverbend, preferred_name="Majo")
    with pin_queries(2):  # the key, the credential
        response = api.get(f"/api/v1/credentials/{credential.public_code}")
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True
    assert body["current"] is True
    assert body["status"] == "active"
    assert body["category"] == {"code": "IFS", "name": "Infant Family Specialist (IFS)"}
    assert body["holder"] == "Majo"
    assert body["association"]["slug"] == "riverbend"
    assert body["valid_through"] == "2030-12-31"
    assert "email" not in response.content.decode()
    assert response["Cache-Control"] == "private, max-age=60"
    assert response["ETag"]
    with pin_queries(1):  # the key is remembered by the worker
        again = api.get(f"/api/v1/credentials/{credential.public_code}", headers={"If-None-Match": response["ETag"]})
    assert again.status_code == 304


def test_codes_are_read_as_people_type_them(api: Client, holder: Any, riverbend: Any) -> None:
    credential = holder("Ana Ruiz", association=riverbend)
    code = credential.public_code
    spaced = f" {code[:5].lower()} {code[5:]}"
    assert api.get(f"/api/v1/credentials/{spaced}").json()["code"] == code


@pytest.mark.parametrize("code", ["NOPE234567", "x" * 300, "ÅÄÖ✓", "%00", "ABC'; DROP", "   ", "0O1IL"])
def test_an_unknown_or_strange_code_is_not_valid_never_an_error(api: Client, code: str) -> None:
    response = api.get(f"/api/v1/credentials/{code}")
    assert response.status_code == 404
    assert response.json()["valid"] is False
    assert "not valid" in response.json()["detail"]


def test_a_revoked_credential_is_answered_as_not_valid(api: Client, holder: Any, riverbend: Any) -> None:
    credential = holder("Ben Ode", association=riverbend, status=CredentialStatus.REVOKED)
    body = api.get(f"/api/v1/credentials/{credential.public_code}").json()
    assert body["valid"] is False
    assert body["current"] is False
    assert body["status"] == "revoked"


def test_emeritus_is_current(api: Client, holder: Any, riverbend: Any) -> None:
    credential = holder("Old Hand", association=riverbend, status=CredentialStatus.EMERITUS)
    assert api.get(f"/api/v1/credentials/{credential.public_code}").json()["current"] is True


def test_another_associations_credential_is_unknown_to_the_key(api: Client, holder: Any, cascade: Any) -> None:
    credential = holder("Cas Cade", association=cascade)
    assert api.get(f"/api/v1/credentials/{credential.public_code}").status_code == 404


def test_no_key_a_bad_key_or_a_revoked_key_is_refused(
    client: Client, token: str, payer: ApiClient, personas: dict[str, Any], holder: Any, riverbend: Any
) -> None:
    code = holder("Kim Lee", association=riverbend).public_code
    url = f"/api/v1/credentials/{code}"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer att_wrong"}).status_code == 401
    assert client.get(url, headers={"Authorization": f"Basic {token}"}).status_code == 401
    assert client.get(url, headers={"X-API-Key": token}).status_code == 200
    assert client.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    key = payer.keys.get()
    actions.revoke_key(actor=personas["admin"], key=key)
    response = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}
    assert AuditEvent.objects.filter(verb="api.key.revoked", target_id=str(key.public_id)).count() == 1
    assert AuditEvent.objects.filter(verb="api.key.issued", target_id=str(key.public_id)).count() == 1


def test_the_key_is_stored_hashed(token: str, payer: ApiClient) -> None:
    key = payer.keys.get()
    assert token not in (key.hashed, key.prefix)
    assert key.hashed == keys.digest(token)
    assert token.startswith(key.prefix)
    assert len(token) > 40


def test_over_quota_answers_429_with_retry_after(api: Client, payer: ApiClient, personas: dict[str, Any]) -> None:
    actions.set_quota(actor=personas["admin"], client=payer, quota=3)
    keys.forget_keys()
    statuses = [api.get("/api/v1/credentials/NOPE234567").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    response = api.get("/api/v1/credentials/NOPE234567")
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["retry_after"] == int(response["Retry-After"])
    assert "Quota of 3 requests per minute" in response.json()["detail"]


def test_a_key_quota_overrides_the_organisations(api: Client, payer: ApiClient, personas: dict[str, Any]) -> None:
    actions.set_quota(actor=personas["admin"], client=payer, quota=1000)
    actions.set_quota(actor=personas["admin"], client=payer, key=payer.keys.get(), quota=1)
    keys.forget_keys()
    assert api.get("/api/v1/credentials/NOPE234567").status_code == 404
    assert api.get("/api/v1/credentials/NOPE234567").status_code == 429


@override_settings(API_RATE_LIMIT_STORE="database", API_QUOTA_PER_MINUTE=3)
def test_the_database_store_counts_across_workers(api: Client, token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    minute = [29_000_000]
    monkeypatch.setattr(keys.time, "time", lambda: minute[0] * 60 + 1.0)
    with pin_queries(3):  # the key, the count, the credential
        assert api.get("/api/v1/credentials/ZZZZ234567").status_code == 404
    keys.reset()  # as if the next request went to another worker: it knows nothing
    assert api.get("/api/v1/credentials/ZZZZ234567").status_code == 404
    keys.reset()
    with pin_queries(3):  # a worker that has not seen the key: the key, the count, the credential
        response = api.get("/api/v1/credentials/ZZZZ234567")
        assert response.status_code == 404  # the third request of the minute still fits
    response = api.get("/api/v1/credentials/ZZZZ234567")
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 59
    window = QuotaWindow.objects.get()
    assert (window.minute, window.used, window.refused) == (29_000_000, 3, True)
    minute[0] += 1  # a new minute starts from zero, in the same row
    rows = [{"code": "ZZZZ234567"}] * 301
    roster = api.post("/api/v1/roster-checks", {"rows": rows}, content_type="application/json")
    assert roster.status_code == 429  # 1 for the call + 3 for 301 rows > 3: the rows are not counted
    window.refresh_from_db()
    assert (window.minute, window.used, window.refused) == (29_000_001, 1, True)
    assert api.get("/api/v1/credentials/ZZZZ234567").status_code == 404
    window.refresh_from_db()
    assert (window.used, window.refused) == (2, False)


def test_search_by_name_scores_matches(api: Client, holder: Any, riverbend: Any, cascade: Any) -> None:
    holder("José Ángel Núñez", association=riverbend, region="Lamoille County")
    holder("Jose Nunez", association=riverbend, category="IMHS", status=CredentialStatus.LAPSED)
    holder("Josefina Smith", association=riverbend)
    holder("José Ángel Núñez", association=cascade, email="other@example.org")
    body = api.get("/api/v1/credentials", {"name": "josé ángel núñez"}).json()
    assert [(r["credential"]["holder"], r["confidence"]) for r in body["results"]] == [("José Ángel Núñez", "high")]
    body = api.get("/api/v1/credentials", {"name": "Jose Nunez"}).json()
    assert next((r["credential"]["holder"], r["confidence"]) for r in body["results"]) == ("Jose Nunez", "high")
    body = api.get("/api/v1/credentials", {"name": "JOSÉ NÚÑEZ"}).json()
    assert {(r["credential"]["holder"], r["confidence"]) for r in body["results"]} == {
        ("José Ángel Núñez", "medium"), ("Jose Nunez", "high")
    }  # fmt: skip
    body = api.get("/api/v1/credentials", {"name": "Jose Nunez", "category": "IMHS"}).json()
    assert [r["credential"]["category"]["code"] for r in body["results"]] == ["IMHS"]
    body = api.get("/api/v1/credentials", {"name": "José Núñez", "region": "lamoille county"}).json()
    assert [r["credential"]["holder"] for r in body["results"]] == ["José Ángel Núñez"]


def test_search_needs_a_name_and_a_real_category(api: Client) -> None:
    assert api.get("/api/v1/credentials").status_code == 422
    assert api.get("/api/v1/credentials", {"name": ""}).status_code == 422
    response = api.get("/api/v1/credentials", {"name": "Ana", "category": "XYZ"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "category"]


def test_search_pages_and_costs_the_same_with_5_and_50_matches(api: Client, holder: Any, riverbend: Any) -> None:
    from attunement.endorsement.models import Credential

    def grow(n: int) -> None:
        while Credential.objects.count() < n:
            holder(f"Sam Taylor{Credential.objects.count()}", association=riverbend)

    api.get("/api/v1/ping")
    api.get("/api/v1/credentials", {"name": "x"})  # the key is remembered from here on
    assert assert_constant_queries(grow, lambda: api.get("/api/v1/credentials", {"name": "Sam Taylor"})) == 1
    first = api.get("/api/v1/credentials", {"name": "Sam", "limit": "20"}).json()
    assert first["count"] == 50
    assert first["next_offset"] == 20
    assert len(first["results"]) == 20
    last = api.get("/api/v1/credentials", {"name": "Sam", "limit": "20", "offset": "40"}).json()
    assert last["next_offset"] is None
    assert len(last["results"]) == 10


def test_ping_needs_no_key_and_no_database(client: Client, db: Any) -> None:
    with pin_queries(0):
        response = client.get("/api/v1/ping")
    assert response.json() == {"ok": True}


def test_the_openapi_description_is_public_and_the_docs_page_is_off(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/credentials/{code}", "/api/v1/credentials", "/api/v1/roster-checks"} <= set(schema["paths"])
    assert client.get("/api/v1/docs").status_code == 404


def test_a_name_is_found_whether_or_not_the_payer_typed_its_accents(api: Client, holder: Any, riverbend: Any) -> None:
    holder("María José García", association=riverbend)
    body = api.get("/api/v1/credentials", {"name": "Maria Jose Garcia"}).json()
    assert [(r["credential"]["holder"], r["confidence"]) for r in body["results"]] == [("María José García", "high")]
    body = api.get("/api/v1/credentials", {"name": "GARCIA"}).json()
    assert [(r["credential"]["holder"], r["confidence"]) for r in body["results"]] == [("María José García", "medium")]
