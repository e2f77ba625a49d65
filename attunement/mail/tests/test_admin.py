"""The operator's view of mail: what waits, what gave up (with the error), what bounced; send
again and lift a suppression from the admin."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from attunement.audit.models import AuditEvent
from attunement.mail import actions
from attunement.mail.models import Delivery, MailStatus, OutgoingMail, SuppressedAddress
from attunement.mail.tests.test_queue import LOCMEM

pytestmark = pytest.mark.django_db


def test_the_operator_sees_mail_sends_it_again_and_lifts_a_suppression(
    personas: dict[str, Any], client_for: Any
) -> None:
    from django.core.mail import send_mail

    with override_settings(MAILERS=LOCMEM):
        send_mail("Decision", "Endorsed.", None, ["alex@example.org"])
    mail = OutgoingMail.objects.get()
    OutgoingMail.objects.filter(pk=mail.pk).update(status=MailStatus.GAVE_UP, last_error="SMTPConnectError: down")
    actions.suppress(address="rosa@example.org", reason=Delivery.BOUNCED)
    client = client_for(personas["operator"])
    for name in ("outgoingmail", "mailevent", "suppressedaddress"):
        page = client.get(reverse(f"admin:mail_{name}_changelist"), {"q": "a"})
        assert page.status_code == 200, name
    detail = client.get(reverse("admin:mail_outgoingmail_change", args=[mail.pk])).content.decode()
    assert "SMTPConnectError: down" in detail
    with override_settings(MAILERS=LOCMEM):
        sent = client.post(
            reverse("admin:mail_outgoingmail_changelist"), {"action": "send_again", "_selected_action": [mail.pk]}
        )
    assert sent.status_code == 302
    assert OutgoingMail.objects.get(pk=mail.pk).status == MailStatus.QUEUED
    row = SuppressedAddress.objects.get()
    lifted = client.post(
        reverse("admin:mail_suppressedaddress_changelist"), {"action": "lift", "_selected_action": [row.pk]}
    )
    assert lifted.status_code == 302
    row.refresh_from_db()
    assert row.lifted_by == personas["operator"]
    assert AuditEvent.objects.filter(verb__in=["mail.sent_again", "mail.suppression.lifted"]).count() == 2


def test_the_operator_runs_a_failed_task_again_and_delivers_a_failed_webhook_again(
    personas: dict[str, Any], client_for: Any, riverbend: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    from attunement.api.models import ApiClient, DeliveryStatus, WebhookDelivery, WebhookEndpoint
    from attunement.endorsement.daily import daily_association
    from attunement.lib.testing import run_tasks

    client = client_for(personas["operator"])
    failed = daily_association.enqueue(0, "2026-12-07")  # no association 0: the task fails
    run_tasks()
    result = DBTaskResult.objects.get(id=failed.id)
    assert result.status == "FAILED"
    page = client.get(reverse("admin:django_tasks_database_dbtaskresult_change", args=[result.pk])).content.decode()
    assert "DoesNotExist" in page  # the error is on the result's page
    again = client.post(
        reverse("admin:django_tasks_database_dbtaskresult_changelist"),
        {"action": "run_again", "_selected_action": [result.pk]},
    )
    assert again.status_code == 302
    assert DBTaskResult.objects.filter(task_path=result.task_path, status="READY").count() == 1
    assert AuditEvent.objects.filter(verb="tasks.run_again").count() == 1

    payer = ApiClient.objects.create(association=riverbend, name="Payer", contact_email="p@example.org")
    endpoint = WebhookEndpoint.objects.create(client=payer, url="https://example.org/hook", events=["renewed"])
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint, event="renewed", payload={}, status=DeliveryStatus.FAILED, attempts=6
    )
    posted = client.post(
        reverse("admin:api_webhookdelivery_changelist"), {"action": "deliver_again", "_selected_action": [delivery.pk]}
    )
    assert posted.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    assert DBTaskResult.objects.filter(task_path="attunement.api.webhooks.deliver_webhooks", status="READY").exists()
