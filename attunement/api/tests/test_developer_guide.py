"""The public guide for developers at payers and employers (``/docs/api/``)."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from attunement.api.models import WEBHOOK_EVENTS
from attunement.lib.testing import pin_queries


def test_the_guide_documents_every_operation_and_answer_field(client: Client, db: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    with pin_queries(0):  # code and settings only
        response = client.get("/docs/api/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=3600"
    page = response.content.decode()
    for path, operations in schema["paths"].items():
        if path == "/api/v1/ping":
            continue  # liveness for the operator's monitoring, not for integrators
        for method in operations:
            assert f"{method.upper()} {path}" in page, (method, path)
    for field in schema["components"]["schemas"]["CredentialOut"]["properties"]:
        assert f"<code>{field}</code>" in page, field
    for parameter in ("name", "category", "region", "limit", "offset"):
        assert f"<code>{parameter}</code>" in page
    for value, _label in WEBHOOK_EVENTS:
        assert f"<code>credential.{value}</code>" in page
    assert "http://testserver/api/v1/credentials/K7W2MXQ4PT" in page
    assert "600 requests per minute" in page
    assert "1 minute, 5 minutes, 30 minutes, 2 hours, 12 hours" in page


def test_the_guide_signature_example_verifies_a_real_delivery(client: Client, db: Any) -> None:
    # The Python snippet on the page is real: it accepts what the worker signs.
    from attunement.api.webhooks import sign

    page = client.get("/docs/api/").content.decode()
    snippet = re.search(r"<pre><code>(import base64.*?)</code></pre>", page, re.S)
    assert snippet is not None
    namespace: dict[str, Any] = {}
    exec(snippet.group(1).replace("&quot;", '"').replace("&#x27;", "'"), namespace)  # noqa: S102
    secret = "whsec_" + "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlYw=="
    body = b'{"type": "credential.revoked"}'
    headers = {"webhook-id": "msg_1", "webhook-timestamp": "1700000000"}
    headers["webhook-signature"] = "v0,old " + sign(secret, "msg_1", 1700000000, body)
    assert namespace["verified"](secret, headers, body) is True
    assert namespace["verified"](secret, headers, body + b" ") is False


def test_the_guide_in_spanish(client: Client, db: Any) -> None:
    page = client.get("/docs/api/", headers={"Accept-Language": "es"}).content.decode()
    assert '<html lang="es"' in page
    assert "Guía" in page or "guía" in page
