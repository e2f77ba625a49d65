"""Mail that survives (issue 17.1, 17.5): queued in the transaction, sent by a worker through
a real SMTP server, retried with back-off while the server is down, given up visibly, sent
again by the operator, and never sent twice by two workers or a duplicate task."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail as django_mail
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from attunement.audit.models import AuditEvent
from attunement.lib.testing import run_worker, run_workers, time_passes
from attunement.mail import actions
from attunement.mail.messages import ABOUT_HEADER, PURPOSE_HEADER
from attunement.mail.models import MailStatus, OutgoingMail
from attunement.mail.tests.smtp import SMTPServer, free_port, mailers_for, part

pytestmark = pytest.mark.django_db(transaction=True)

LOCMEM = {
    "default": {"BACKEND": "attunement.mail.backend.QueuedEmailBackend"},
    "transport": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"},
}


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def smtp(port: int) -> Iterator[SMTPServer]:
    server = SMTPServer(port)
    yield server
    server.stop()


def test_mail_is_queued_then_sent_through_a_real_smtp_server(smtp: SMTPServer, port: int) -> None:
    smtp.start()
    with override_settings(MAILERS=mailers_for(port)):
        assert send_mail("Your renewal", "Thank you.", None, ["alex@example.org"]) == 1
        [queued] = OutgoingMail.objects.all()
        assert (queued.status, queued.recipients, smtp.received.messages) == (
            MailStatus.QUEUED,
            ["alex@example.org"],
            [],
        )
        run_worker()
    queued.refresh_from_db()
    assert (queued.status, queued.attempts) == (MailStatus.SENT, 1)
    [(envelope, message)] = smtp.received.messages
    assert envelope == ["alex@example.org"]
    assert message["Subject"] == "Your renewal"
    assert message["Message-ID"] == queued.message_id
    assert part(message).strip() == "Thank you."
    assert "Thank you." in part(message, "text/html")


def test_with_the_server_down_the_mail_waits_and_is_sent_once_when_it_is_back(smtp: SMTPServer, port: int) -> None:
    with override_settings(MAILERS=mailers_for(port)):
        message = EmailMessage("A reference", "Please rate.", None, ["rater@example.org"],
                               headers={PURPOSE_HEADER: "reference_request", ABOUT_HEADER: "portfolios.reference:x"})  # fmt: skip
        message.send()
        run_worker()  # nothing listens on the port
        waiting = OutgoingMail.objects.get()
        assert (waiting.status, waiting.attempts) == (MailStatus.RETRYING, 1)
        assert waiting.purpose == "reference_request"
        assert "Connection refused" in waiting.last_error or "Errno" in waiting.last_error
        assert waiting.next_attempt_at is not None
        assert timedelta(seconds=50) < waiting.next_attempt_at - timezone.now() <= timedelta(minutes=1)
        run_worker()  # the retry is not due yet
        assert OutgoingMail.objects.get().attempts == 1
        smtp.start()
        time_passes()
        run_worker()
        run_worker()  # nothing left: a second run sends nothing again
    sent = OutgoingMail.objects.get()
    assert (sent.status, sent.attempts, sent.last_error) == (MailStatus.SENT, 2, "")
    [(_envelope, received)] = smtp.received.messages
    assert received[PURPOSE_HEADER] is None  # recorded, never sent
    assert received["Message-ID"] == sent.message_id


def test_after_the_last_retry_the_mail_gives_up_and_the_operator_sends_it_again(
    smtp: SMTPServer, port: int, personas: dict[str, Any]
) -> None:
    with override_settings(MAILERS=mailers_for(port)):
        send_mail("Decision", "Endorsed.", None, ["alex@example.org"])
        delays = []
        for _attempt in range(len(actions.RETRY_DELAYS) + 1):
            run_worker()
            mail = OutgoingMail.objects.get()
            if mail.next_attempt_at is not None:
                delays.append(round((mail.next_attempt_at - timezone.now()).total_seconds() / 60))
            time_passes()
        mail = OutgoingMail.objects.get()
        assert (mail.status, mail.attempts) == (MailStatus.GAVE_UP, 6)
        assert delays == [1, 5, 30, 120, 720]  # exponential back-off, in minutes
        assert mail.last_error
        smtp.start()
        assert actions.send_again(actor=personas["admin"], mails=[mail]) == 1
        run_worker()
    mail.refresh_from_db()
    assert (mail.status, mail.attempts) == (MailStatus.SENT, 7)
    assert len(smtp.received.messages) == 1
    assert AuditEvent.objects.filter(verb="mail.sent_again").count() == 1


def test_a_mail_asked_for_in_a_transaction_that_rolls_back_is_not_sent() -> None:
    with override_settings(MAILERS=LOCMEM):

        def change_that_fails() -> None:
            with transaction.atomic():
                send_mail("Never", "Rolled back.", None, ["x@example.org"])
                raise RuntimeError

        with pytest.raises(RuntimeError):
            change_that_fails()
        run_worker()
    assert not OutgoingMail.objects.exists()
    assert django_mail.outbox == []


def test_a_duplicate_task_and_a_dead_worker_send_nothing_twice() -> None:
    from attunement.mail.actions import deliver_mail

    with override_settings(MAILERS=LOCMEM):
        send_mail("Once", "Only once.", None, ["x@example.org"])
        mail = OutgoingMail.objects.get()
        deliver_mail.enqueue(mail.pk)  # the same delivery enqueued twice
        run_worker()
        assert len(django_mail.outbox) == 1
        # A worker that died mid-send: the message is given back to the queue after a while.
        OutgoingMail.objects.filter(pk=mail.pk).update(
            status=MailStatus.SENDING, attempt_started_at=timezone.now() - timedelta(minutes=11)
        )
        assert actions.requeue_stalled() == 1
        run_worker()
        assert len(django_mail.outbox) == 2  # it may have reached the server before the worker died
        assert django_mail.outbox[0].extra_headers["Message-ID"] == django_mail.outbox[1].extra_headers["Message-ID"]
        # One that is being sent right now is left alone.
        OutgoingMail.objects.filter(pk=mail.pk).update(status=MailStatus.SENDING, attempt_started_at=timezone.now())
        assert actions.requeue_stalled() == 0
        deliver_mail.enqueue(mail.pk)
        run_worker()
        assert len(django_mail.outbox) == 2


def test_two_workers_process_1000_tasks_and_none_runs_twice() -> None:
    with override_settings(MAILERS=LOCMEM):
        messages = [EmailMessage(f"Reminder {i}", "Renew.", None, [f"p{i}@example.org"]) for i in range(1000)]
        from django.core.mail import mailers

        assert mailers.default.send_messages(messages) == 1000
        errors = run_workers("worker-1", "worker-2")
    assert errors == []
    assert OutgoingMail.objects.filter(status=MailStatus.SENT, attempts=1).count() == 1000
    subjects = [m.subject for m in django_mail.outbox]
    assert len(subjects) == 1000
    assert len(set(subjects)) == 1000
    runs = list(DBTaskResult.objects.values_list("status", "worker_ids"))
    assert len(runs) == 1000
    assert all(status == "SUCCESSFUL" and len(ids) == 1 for status, ids in runs)
    by_worker = {ids[0] for _status, ids in runs}
    assert by_worker == {"worker-1", "worker-2"}  # both took part


def test_a_message_waiting_for_a_retry_is_not_sent_once_its_address_bounced(smtp: SMTPServer, port: int) -> None:
    from attunement.mail.models import Delivery

    with override_settings(MAILERS=mailers_for(port)):
        send_mail("Later", "Body.", None, ["gone@example.org"])
        run_worker()  # the server is down
        assert OutgoingMail.objects.get().status == MailStatus.RETRYING
        actions.suppress(address="Gone@example.org", reason=Delivery.BOUNCED)  # another message's bounce
        smtp.start()
        time_passes()
        run_worker()
    assert OutgoingMail.objects.get().status == MailStatus.SUPPRESSED
    assert smtp.received.messages == []
