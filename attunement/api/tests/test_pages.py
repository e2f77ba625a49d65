"""The association admin's API pages: organisations, keys shown once, quotas, webhooks."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from attunement.api import actions, keys
from attunement.api.models import ApiClient, ApiKey, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from attunement.audit.models import AuditEvent
from attunement.lib.testing import assert_constant_queries


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"api_admin:{name}", kwargs={"association_slug": "riverbend", **kwargs})


def test_an_admin_adds_an_organisation_and_issues_a_key_shown_once(
    personas: dict[str, Any], client_for: Any, riverbend: Any
) -> None:
    admin = client_for(personas["admin"])
    response = admin.post(url("create_client"), {"name": "Acme Health Plan", "contact_email": "it@acme.example"})
    client = ApiClient.objects.get(name="Acme Health Plan")
    assert response.status_code == 302
    assert client.association == riverbend
    assert AuditEvent.objects.filter(verb="api.client.created").count() == 1
    duplicate = admin.post(url("create_client"), {"name": "acme health plan", "contact_email": "it@acme.example"})
    assert duplicate.status_code == 400
    assert "already exists" in duplicate.content.decode()

    issued = admin.post(url("issue_key", client_id=client.public_id), {"label": "claims system"})
    assert issued.status_code == 200
    assert issued["Cache-Control"] == "no-store"
    token = issued.context["token"]
    assert token in issued.content.decode()
    key = ApiKey.objects.get(client=client)
    assert key.hashed == keys.digest(token)
    page = admin.get(url("client", client_id=client.public_id)).content.decode()
    assert key.prefix in page
    assert token not in page  # never again


def test_an_admin_revokes_a_key_and_sets_quotas(personas: dict[str, Any], client_for: Any, payer: Any) -> None:
    admin = client_for(personas["admin"])
    key = actions.issue_key(actor=None, client=payer).key
    assert admin.post(url("set_quota", client_id=payer.public_id), {"quota": "120"}).status_code == 302
    assert admin.post(url("set_quota", client_id=payer.public_id), {"quota": "5", "key": str(key.public_id)})
    payer.refresh_from_db()
    key.refresh_from_db()
    assert (payer.quota_per_minute, key.quota_per_minute) == (120, 5)
    assert admin.post(url("set_quota", client_id=payer.public_id), {"quota": "0"}).status_code == 400
    assert admin.post(url("revoke_key", client_id=payer.public_id, key_id=key.public_id)).status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    again = admin.post(url("revoke_key", client_id=payer.public_id, key_id=key.public_id), follow=True)
    assert "already revoked" in again.content.decode()
    assert AuditEvent.objects.filter(verb="api.key.revoked").count() == 1
    assert AuditEvent.objects.filter(verb="api.quota.set").count() == 2


def test_an_admin_adds_a_webhook_and_sees_its_deliveries(personas: dict[str, Any], client_for: Any, payer: Any) -> None:
    admin = client_for(personas["admin"])
    bad = admin.post(url("add_webhook", client_id=payer.public_id), {"url": "ftp://x.example/", "events": ["lapsed"]})
    assert bad.status_code == 400
    added = admin.post(
        url("add_webhook", client_id=payer.public_id), {"url": "https://payer.example/h", "events": ["lapsed"]}
    )
    assert added.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret in added.content.decode()
    WebhookDelivery.objects.create(
        endpoint=endpoint, event="lapsed", payload={"data": {"code": "ABCDEFGHJK"}}, status=DeliveryStatus.FAILED
    )
    page = admin.get(url("client", client_id=payer.public_id)).content.decode()
    assert "ABCDEFGHJK" in page
    assert "Failed (gave up)" in page
    assert endpoint.secret not in page
    assert (
        admin.post(url("remove_webhook", client_id=payer.public_id, webhook_id=endpoint.public_id)).status_code == 302
    )


def test_another_associations_client_is_404(personas: dict[str, Any], client_for: Any, cascade: Any) -> None:
    theirs = ApiClient.objects.create(association=cascade, name="Cascade Payer", contact_email="c@c.example")
    admin = client_for(personas["admin"])
    assert admin.get(url("client", client_id=theirs.public_id)).status_code == 404
    assert admin.post(url("issue_key", client_id=theirs.public_id)).status_code == 404
    assert admin.get(url("client", client_id="not-a-uuid")).status_code == 404


def test_the_pages_cost_the_same_with_5_and_50_rows(personas: dict[str, Any], client_for: Any, riverbend: Any) -> None:
    admin = client_for(personas["admin"])
    first = ApiClient.objects.create(association=riverbend, name="Payer 0", contact_email="p@p.example")

    def grow(n: int) -> None:
        while ApiClient.objects.count() < n:
            client = ApiClient.objects.create(
                association=riverbend, name=f"Payer {ApiClient.objects.count()}", contact_email="p@p.example"
            )
            actions.issue_key(actor=None, client=client)
            actions.issue_key(actor=None, client=first)
            endpoint = WebhookEndpoint.objects.create(client=first, url="https://p.example/", events=["lapsed"])
            WebhookDelivery.objects.create(endpoint=endpoint, event="lapsed", payload={"data": {}})

    assert_constant_queries(grow, lambda: admin.get(url("clients")))
    assert_constant_queries(grow, lambda: admin.get(url("client", client_id=first.public_id)))
