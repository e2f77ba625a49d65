"""Objects the permission table (attunement/tests/test_permissions.py) reaches API pages with."""

from __future__ import annotations

from typing import Any

from attunement.api import actions
from attunement.api.models import ApiClient
from attunement.associations.models import Association


def api_client(ctx: dict[str, Any]) -> dict[str, Any]:
    riverbend = Association.objects.get(slug="riverbend")
    client, _created = ApiClient.objects.get_or_create(
        association=riverbend, name="Table Payer", defaults={"contact_email": "it@payer.example"}
    )
    return {"association_slug": "riverbend", "client_id": client.public_id}


def api_key(ctx: dict[str, Any]) -> dict[str, Any]:
    kwargs = api_client(ctx)
    client = ApiClient.objects.get(public_id=kwargs["client_id"])
    return {**kwargs, "key_id": actions.issue_key(actor=None, client=client).key.public_id}


def api_webhook(ctx: dict[str, Any]) -> dict[str, Any]:
    from attunement.api.models import WebhookEndpoint

    kwargs = api_client(ctx)
    client = ApiClient.objects.get(public_id=kwargs["client_id"])
    endpoint = WebhookEndpoint.objects.create(client=client, url="https://payer.example/hooks", events=["lapsed"])
    return {**kwargs, "webhook_id": endpoint.public_id}
