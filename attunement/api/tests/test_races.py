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


@pytest.mark.django_db(transaction=True)
def test_workers_counting_one_quota_at_once_let_exactly_the_quota_through(
    payer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.test.utils import override_settings

    from attunement.api import keys

    key = keys.key_for_token(actions.issue_key(actor=None, client=payer).token)
    assert key is not None
    limited = keys.KeyInfo(key.key_id, key.client_id, key.association_id, quota=25)

    def worker() -> int:
        let_through = 0
        for _ in range(10):
            try:
                keys.charge(limited)
                let_through += 1
            except keys.QuotaExceeded:
                pass
        return let_through

    monkeypatch.setattr(keys.time, "time", lambda: 1_740_000_000.0)  # one minute for every request
    with override_settings(API_RATE_LIMIT_STORE="database"):
        outcome = race(worker, worker, worker, worker)
    assert not outcome.errors
    assert sum(outcome.results) == 25  # of 40 asked at once


@pytest.mark.django_db(transaction=True)
def test_two_admins_creating_one_organisation_at_once_make_one(personas: dict[str, Any], riverbend: Any) -> None:
    """Issue 16.1: the name is looked up with the association locked, whatever its case."""
    from django.core.exceptions import ValidationError

    from attunement.api.models import ApiClient

    admin = personas["admin"]

    def create(name: str) -> Any:
        return lambda: actions.create_client(
            actor=admin, association=riverbend, name=name, contact_email="it@example.org"
        )

    outcome = race(create("Blue Cross of Riverbend"), create("blue cross of riverbend"))
    assert len(outcome.results) == 1
    [refusal] = outcome.errors
    assert isinstance(refusal, ValidationError)
    assert "name" in refusal.message_dict
    assert ApiClient.objects.filter(association=riverbend, name__iexact="Blue Cross of Riverbend").count() == 1
    assert AuditEvent.objects.filter(verb="api.client.created").count() == 1
