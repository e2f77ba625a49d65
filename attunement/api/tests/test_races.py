"""Two people (or two workers) at once: exactly one wins."""

from __future__ import annotations

from typing import Any

import pytest

from attunement.api import actions, webhooks
from attunement.api.models import WebhookDelivery
from attunement.audit.models import AuditEvent
from attunement.lib.errors import ActionRefused
from attunement.lib.testing import race


@pytest.mark.django_db(transaction=True)
def test_two_admins_revoking_one_key_at_once(payer: Any, personas: dict[str, Any], riverbend: Any) -> None:
    key = actions.issue_key(actor=None, client=payer).key
    admin = personas["admin"]
    outcome = race(lambda: actions.revoke_key(actor=admin, key=key), lambda: actions.revoke_key(actor=admin, key=key))
    assert len(outcome.results) == 1
    assert [type(e) for e in outcome.errors] == [ActionRefused]
    assert AuditEvent.objects.filter(verb="api.key.revoked").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_delivery_workers_send_a_delivery_once(payer: Any, personas: dict[str, Any]) -> None:
    from attunement.api.tests.test_webhooks import Receiver

    receiver = Receiver()
    try:
        endpoint = actions.add_webhook(actor=personas["admin"], client=payer, url=receiver.url, events=["lapsed"])
        WebhookDelivery.objects.bulk_create(
            WebhookDelivery(endpoint=endpoint.endpoint, event="lapsed", payload={"n": i}) for i in range(20)
        )
        outcome = race(webhooks.deliver_due, webhooks.deliver_due)
        assert not outcome.errors
        assert sum(run.delivered for run in outcome.results) == 20
        assert len(receiver.received) == 20
        assert len({headers["webhook-id"] for headers, _body in receiver.received}) == 20
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
