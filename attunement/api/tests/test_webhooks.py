"""Webhooks: the outbox is written with the change; the worker signs, delivers and retries."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from attunement.api import actions, webhooks
from attunement.api.models import DeliveryStatus, WebhookDelivery
from attunement.audit.models import AuditEvent
from attunement.endorsement.actions.credential import change_status, set_inactive
from attunement.endorsement.daily import run_daily
from attunement.endorsement.models import CredentialStatus
from attunement.lib.testing import pin_queries


class Receiver:
    """A real HTTP server in a thread that answers with the next planned status."""

    def __init__(self) -> None:
        self.plan: list[int] = []
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.plan.pop(0) if receiver.plan else 204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def endpoint(payer: Any, personas: dict[str, Any], receiver: Receiver) -> Any:
    return actions.add_webhook(
        actor=personas["admin"], client=payer, url=receiver.url, events=["lapsed", "inactive", "emeritus"]
    )


def test_a_status_change_writes_the_outbox_in_its_own_transaction(
    endpoint: Any, holder: Any, riverbend: Any, personas: dict[str, Any]
) -> None:
    credential = holder("Lee Wu", association=riverbend)
    seen_inside = []

    @transaction.atomic
    def change_then_fail() -> None:
        change_status(actor=personas["admin"], credential=credential, status=CredentialStatus.EMERITUS)
        seen_inside.append(WebhookDelivery.objects.count())  # written inside the change's transaction
        raise RuntimeError("the change rolls back")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert seen_inside == [1]
    assert WebhookDelivery.objects.count() == 0  # and rolls back with it
    change_status(actor=personas["admin"], credential=credential, status=CredentialStatus.EMERITUS)
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "emeritus"
    assert delivery.payload["type"] == "credential.emeritus"
    assert delivery.payload["data"]["code"] == credential.public_code
    assert delivery.payload["data"]["status"] == "emeritus"


def test_unsubscribed_events_and_other_associations_write_nothing(
    endpoint: Any, holder: Any, riverbend: Any, cascade: Any, personas: dict[str, Any]
) -> None:
    change_status(
        actor=personas["admin"], credential=holder("Mo Ng", association=riverbend), status=CredentialStatus.ARCHIVED
    )
    set_inactive(
        actor=personas["admin"],
        credential=holder("Cy Oz", association=cascade),
        until=timezone.localdate() + timedelta(days=30),
    )
    assert WebhookDelivery.objects.count() == 0


def test_the_daily_lapse_queues_one_delivery_per_credential_with_fixed_queries(
    endpoint: Any, holder: Any, riverbend: Any
) -> None:
    from attunement.endorsement.models import Credential

    today = timezone.localdate()
    gone = today - timedelta(days=riverbend.policy.renewal_grace_days + 2)
    lapsing = [holder(f"Pat Lapse{i}", association=riverbend) for i in range(5)]
    Credential.objects.filter(pk__in=[c.pk for c in lapsing]).update(valid_through=gone)
    run_daily(today)
    assert sorted(WebhookDelivery.objects.values_list("payload__data__code", flat=True)) == sorted(
        c.public_code for c in lapsing
    )
    assert set(WebhookDelivery.objects.values_list("event", flat=True)) == {"lapsed"}


def test_the_receiver_costs_three_queries_whatever_the_batch(endpoint: Any, holder: Any, riverbend: Any) -> None:
    for size in (2, 20):
        credentials = [holder(f"Q Batch{size}-{i}", association=riverbend) for i in range(size)]
        with pin_queries(4):  # the endpoints, the credentials, one insert, one task
            webhooks.queue_webhooks(None, riverbend, "lapsed", [c.pk for c in credentials])


def test_deliveries_are_signed_and_verifiable(
    endpoint: Any, receiver: Receiver, holder: Any, riverbend: Any, personas: dict[str, Any]
) -> None:
    credential = holder("Rae Sun", association=riverbend)
    change_status(actor=personas["admin"], credential=credential, status=CredentialStatus.EMERITUS)
    run = webhooks.deliver_due()
    assert (run.delivered, run.retried, run.failed) == (1, 0, 0)
    headers, body = receiver.received[0]
    delivery = WebhookDelivery.objects.get()
    assert headers["webhook-id"] == f"msg_{delivery.public_id.hex}"
    assert webhooks.verify(endpoint.secret, headers, body)
    assert not webhooks.verify("whsec_" + "A" * 44, headers, body)
    assert not webhooks.verify(endpoint.secret, headers, body + b" ")
    assert delivery.status == DeliveryStatus.DELIVERED
    assert delivery.attempts == 1
    assert webhooks.deliver_due().delivered == 0  # delivered once, never again


def test_a_failed_delivery_is_retried_with_back_off_then_given_up(
    endpoint: Any, receiver: Receiver, holder: Any, riverbend: Any, personas: dict[str, Any]
) -> None:
    credential = holder("Sol Tan", association=riverbend)
    change_status(actor=personas["admin"], credential=credential, status=CredentialStatus.EMERITUS)
    receiver.plan = [500, 503]
    started = timezone.now()
    assert webhooks.deliver_due().retried == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.last_status_code, delivery.status) == (1, 500, DeliveryStatus.PENDING)
    assert delivery.next_attempt_at >= started + timedelta(seconds=59)
    assert webhooks.deliver_due().retried == 0  # not yet due
    assert webhooks.deliver_due(now=started + timedelta(minutes=2)).retried == 1
    delivery.refresh_from_db()
    assert delivery.next_attempt_at >= started + timedelta(minutes=4)  # 5 minutes after the second try
    assert webhooks.deliver_due(now=started + timedelta(minutes=10)).delivered == 1
    ids = {headers["webhook-id"] for headers, _body in receiver.received}
    assert len(receiver.received) == 3
    assert len(ids) == 1  # the same id on every retry: receivers can drop duplicates

    change_status(
        actor=personas["admin"], credential=holder("Ty Vo", association=riverbend), status=CredentialStatus.EMERITUS
    )
    receiver.plan = [500] * 10
    later = started
    for _attempt in range(6):
        later += timedelta(hours=13)
        webhooks.deliver_due(now=later)
    failed = WebhookDelivery.objects.get(status=DeliveryStatus.FAILED)
    assert failed.attempts == 6


def test_an_unreachable_endpoint_is_retried(payer: Any, personas: dict[str, Any], holder: Any, riverbend: Any) -> None:
    actions.add_webhook(actor=personas["admin"], client=payer, url="http://127.0.0.1:9/nothing", events=["emeritus"])
    change_status(
        actor=personas["admin"], credential=holder("Una Ward", association=riverbend), status=CredentialStatus.EMERITUS
    )
    call_command("webhooks", "deliver", "--once", stdout=open("/dev/null", "w"))  # noqa: SIM115
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1
    assert delivery.last_status_code is None
    assert delivery.last_error


def test_only_http_addresses_and_https_in_production(payer: Any, personas: dict[str, Any]) -> None:
    for url in ["ftp://example.org/x", "file:///etc/passwd", "javascript:alert(1)", "https://u:p@example.org/"]:
        with pytest.raises(ValidationError):
            actions.add_webhook(actor=personas["admin"], client=payer, url=url, events=["lapsed"])
    with pytest.raises(ValidationError):
        actions.add_webhook(actor=personas["admin"], client=payer, url="https://example.org/", events=["nope"])
    with override_settings(PRODUCTION=True):
        for url in ["http://example.org/", "https://127.0.0.1/h", "https://10.0.0.5/h", "https://localhost/h",
                    "https://[::1]/h", "https://169.254.169.254/latest"]:  # fmt: skip
            with pytest.raises(ValidationError):
                actions.add_webhook(actor=personas["admin"], client=payer, url=url, events=["lapsed"])
        actions.add_webhook(actor=personas["admin"], client=payer, url="https://93.184.215.14/h", events=["lapsed"])
    added = actions.add_webhook(actor=personas["admin"], client=payer, url="https://example.org/h", events=["lapsed"])
    assert added.secret.startswith("whsec_")
    assert AuditEvent.objects.filter(verb="api.webhook.added").count() == 2
    actions.remove_webhook(actor=personas["admin"], endpoint=added.endpoint)
    assert AuditEvent.objects.filter(verb="api.webhook.removed").count() == 1


def _resolving(monkeypatch: pytest.MonkeyPatch, table: dict[str, list[str]]) -> None:
    """Answer DNS for the names in ``table`` with its addresses, one per lookup, in order."""
    real = webhooks.socket.getaddrinfo

    def getaddrinfo(host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        if host in table:
            address = table[host].pop(0)
            return [(webhooks.socket.AF_INET, webhooks.socket.SOCK_STREAM, 6, "", (address, port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(webhooks.socket, "getaddrinfo", getaddrinfo)


def test_the_connection_goes_to_the_address_that_was_checked(
    monkeypatch: pytest.MonkeyPatch, payer: Any, personas: dict[str, Any], receiver: Receiver, holder: Any,
    riverbend: Any,
) -> None:  # fmt: skip
    # The name answers the receiver's address first and an unreachable one after (DNS
    # rebinding): the post arrives because the worker connects to the address it resolved and
    # checked, once, with the name in the Host header.
    _resolving(monkeypatch, {"hooks.payer.example": ["127.0.0.1", "192.0.2.1", "192.0.2.1"]})
    port = receiver.server.server_address[1]
    actions.add_webhook(
        actor=personas["admin"], client=payer, url=f"http://hooks.payer.example:{port}/in?x=1", events=["emeritus"]
    )
    change_status(
        actor=personas["admin"], credential=holder("Val Orr", association=riverbend), status=CredentialStatus.EMERITUS
    )
    assert webhooks.deliver_due().delivered == 1
    headers, _body = receiver.received[0]
    assert headers["host"] == f"hooks.payer.example:{port}"


def test_in_production_a_name_that_resolves_to_a_private_address_is_refused(
    monkeypatch: pytest.MonkeyPatch, payer: Any, personas: dict[str, Any], holder: Any, riverbend: Any
) -> None:
    _resolving(monkeypatch, {"hooks.payer.example": ["10.1.2.3"]})

    def no_connection(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("no connection may be opened")

    monkeypatch.setattr(webhooks.socket, "create_connection", no_connection)
    with override_settings(PRODUCTION=True):
        actions.add_webhook(  # a public-looking name passes when it is added ...
            actor=personas["admin"], client=payer, url="https://hooks.payer.example/in", events=["emeritus"]
        )
        change_status(
            actor=personas["admin"],
            credential=holder("Wes Au", association=riverbend),
            status=CredentialStatus.EMERITUS,
        )
        assert webhooks.deliver_due().retried == 1  # ... and is refused when it is posted to
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_status_code is None
    assert delivery.last_error == "refused: hooks.payer.example resolves to 10.1.2.3, which is not a public address"


@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_and_retries_at_the_planned_time(
    endpoint: Any, receiver: Receiver, holder: Any, riverbend: Any, personas: dict[str, Any]
) -> None:
    """Issue 17.1: one mechanism. The change enqueues a task; the worker posts; a failure is a
    task due when the retry is; a rolled-back change enqueues nothing."""
    from django_tasks_db.models import DBTaskResult

    from attunement.lib.testing import run_worker, time_passes

    credential = holder("Vi Rolled", association=riverbend)

    def change_that_fails() -> None:
        with transaction.atomic():
            change_status(actor=personas["admin"], credential=credential, status=CredentialStatus.EMERITUS)
            raise RuntimeError

    with pytest.raises(RuntimeError):
        change_that_fails()
    assert not DBTaskResult.objects.exists()
    assert not WebhookDelivery.objects.exists()

    receiver.plan = [503]
    change_status(
        actor=personas["admin"], credential=holder("Wu Task", association=riverbend), status=CredentialStatus.EMERITUS
    )
    assert DBTaskResult.objects.filter(task_path="attunement.api.webhooks.deliver_webhooks").count() == 1
    run_worker()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.status, len(receiver.received)) == (1, DeliveryStatus.PENDING, 1)
    waiting = DBTaskResult.objects.filter(status="READY").order_by("run_after")
    assert [t.run_after >= delivery.next_attempt_at for t in waiting] == [True, True]  # the retry, the lease check
    run_worker()  # not due yet
    assert len(receiver.received) == 1
    time_passes()  # a minute later: the retry task and the delivery are due
    WebhookDelivery.objects.update(next_attempt_at=timezone.now())
    run_worker()
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.status, len(receiver.received)) == (2, DeliveryStatus.DELIVERED, 2)
