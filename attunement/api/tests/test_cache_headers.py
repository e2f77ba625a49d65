"""Answers to key-authenticated requests are ``Cache-Control: private`` (never ``public``):
every operation of the API, its 304, its errors and its refusals (issue 28.3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from attunement.api import keys
from attunement.api.api import api as ninja_api
from attunement.api.models import ApiClient

BASE = "/api/v1"


def _operations() -> set[tuple[str, str]]:
    schema = ninja_api.get_openapi_schema()
    return {
        (method.upper(), path.removeprefix(BASE))
        for path, methods in schema["paths"].items()
        for method in methods
        if method in {"get", "post", "put", "patch", "delete"}
    }


def _calls(code: str) -> dict[tuple[str, str], list[tuple[str, dict[str, Any]]]]:
    """For every operation, the requests that reach each of its answers (found, not found,
    bad input); the URL is given with its parameters filled in."""
    return {
        ("GET", "/ping"): [("/ping", {})],
        ("GET", "/credentials/{code}"): [(f"/credentials/{code}", {}), ("/credentials/NOPE234567", {})],
        ("GET", "/credentials"): [("/credentials?name=Ana+Cached", {}), ("/credentials?limit=500&name=x", {})],
        ("GET", "/roster-checks/{check_id}"): [
            ("/roster-checks/00000000-0000-4000-8000-000000000000", {}),
            ("/roster-checks/not-an-id", {}),
        ],
        ("POST", "/roster-checks"): [
            ("/roster-checks", {"data": {"rows": [{"code": code}]}, "content_type": "application/json"}),
            ("/roster-checks", {"data": b"", "content_type": "application/json"}),
        ],
    }


def _send(client: Client, method: str, url: str, extra: dict[str, Any], **headers: str) -> Any:
    if method == "GET":
        return client.get(BASE + url, headers=headers)
    return client.post(BASE + url, headers=headers, **extra)


def _assert_private(response: Any, what: str) -> None:
    value = response.get("Cache-Control", "")
    assert "public" not in value, f"{what}: Cache-Control {value!r}"
    assert "private" in value or "no-store" in value, f"{what}: Cache-Control {value!r}"


def test_every_operation_is_covered_here() -> None:
    """A new operation must be added to ``_calls`` (and so checked below)."""
    assert _operations() == set(_calls("X"))


@pytest.mark.parametrize("header", ["Authorization", "X-API-Key"])
def test_every_answer_to_a_keyed_request_is_private(
    header: str, token: str, holder: Callable[..., Any], riverbend: Any
) -> None:
    code = holder("Ana Cached", association=riverbend).public_code
    value = f"Bearer {token}" if header == "Authorization" else token
    client = Client(headers={header: value, "Accept-Language": "en"})
    for (method, _path), requests in _calls(code).items():
        for url, extra in requests:
            response = _send(client, method, url, extra)
            assert response.status_code < 500, (url, response.status_code)
            _assert_private(response, f"{method} {url} -> {response.status_code}")
    # The ETag path: the 304 is private too.
    first = client.get(f"{BASE}/credentials/{code}")
    assert first.status_code == 200
    assert first["Cache-Control"] == "private, max-age=60"
    again = client.get(f"{BASE}/credentials/{code}", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    _assert_private(again, "304")
    assert "Authorization" in again["Vary"]
    assert "X-API-Key" in again["Vary"]


def test_refusals_of_a_keyed_request_are_private(token: str, payer: ApiClient, holder: Any, riverbend: Any) -> None:
    code = holder("Ana Refused", association=riverbend).public_code
    wrong = Client(headers={"Authorization": "Bearer att_not-a-key"})
    for (method, _path), requests in _calls(code).items():
        for url, extra in requests:
            response = _send(wrong, method, url, extra)
            _assert_private(response, f"wrong key: {method} {url} -> {response.status_code}")
    payer.quota_per_minute = 1
    payer.save(update_fields=["quota_per_minute"])
    keys.reset()  # the worker remembers keys with their quota
    keyed = Client(headers={"X-API-Key": token})
    answers = [keyed.get(f"{BASE}/credentials/{code}") for _ in range(3)]
    assert answers[-1].status_code == 429
    for response in answers:
        _assert_private(response, f"quota: {response.status_code}")
