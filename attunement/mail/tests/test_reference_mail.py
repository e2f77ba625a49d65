"""Issue 17, done-when: a reference request goes through a real SMTP server; with the server
down the applicant's references page says it is queued, it is sent once when the server is
back, and when the provider's bounce report for it arrives the page shows the bounce."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from attunement.lib.testing import count_queries, run_worker, time_passes
from attunement.mail.models import MailStatus, OutgoingMail
from attunement.mail.tests.smtp import SMTPServer, free_port, mailers_for, part
from attunement.mail.tests.test_tracking import MAILGUN, mailgun_event, post_mailgun
from attunement.portfolios.models import Reference

pytestmark = pytest.mark.django_db(transaction=True)

QUEUED = "Queued: the mail goes out as soon as the mail server takes it."
GAVE_UP = "The mail could not be sent"


@pytest.fixture
def smtp() -> Iterator[SMTPServer]:
    server = SMTPServer(free_port())
    yield server
    server.stop()


def ask(client: Any) -> None:
    data = {"category": "IFS", "rater_name": "Rosa Flores", "rater_email": "rosa@example.org",
            "relationship": "rsc_provider", "known_months": "18", "waived": "on"}  # fmt: skip
    assert client.post(reverse("portfolio:references"), data).status_code == 302


def test_a_reference_request_waits_while_the_server_is_down_and_is_sent_once_it_is_back(
    smtp: SMTPServer, personas: dict[str, Any], client_for: Any, applicant_portfolio: Any
) -> None:
    client = client_for(personas["applicant"])
    with override_settings(MAILERS=mailers_for(smtp.port)):
        ask(client)
        reference = Reference.objects.filter(rater_email="rosa@example.org").get()
        [queued] = OutgoingMail.objects.filter(purpose="reference_request")
        assert queued.about == f"portfolios.reference:{reference.public_id}"
        page = client.get(reverse("portfolio:references"))
        assert page.status_code == 200
        assert QUEUED in page.content.decode()
        run_worker()  # the server is down: the first attempt fails
        assert OutgoingMail.objects.get(pk=queued.pk).status == MailStatus.RETRYING
        assert QUEUED in client.get(reverse("portfolio:references")).content.decode()
        smtp.start()
        time_passes()
        run_worker()
        run_worker()
    html = client.get(reverse("portfolio:references")).content.decode()
    assert QUEUED not in html
    assert GAVE_UP not in html
    [(envelope, message)] = smtp.received.messages
    assert envelope == ["rosa@example.org"]
    assert "/reference/" in part(message)
    sent = OutgoingMail.objects.get(pk=queued.pk)
    assert sent.status == MailStatus.SENT
    assert sent.provider_message_id == message["Message-ID"]
    # The rater's server bounces it; the provider's signed report arrives.
    with override_settings(**MAILGUN):
        assert post_mailgun(mailgun_event("failed", sent.provider_message_id, "rosa@example.org")).status_code == 200
    html = client.get(reverse("portfolio:references")).content.decode()
    assert "The mail bounced: the address may be wrong or blocked." in html


def test_a_mail_that_gave_up_is_said_on_the_page_and_the_query_count_does_not_grow(
    personas: dict[str, Any], client_for: Any, applicant_portfolio: Any
) -> None:
    client = client_for(personas["applicant"])
    url = reverse("portfolio:references")
    with override_settings(MAILERS=mailers_for(free_port())):
        ask(client)
        before = count_queries(lambda: client.get(url))
        OutgoingMail.objects.update(status=MailStatus.GAVE_UP)
        assert GAVE_UP in client.get(url).content.decode()
        for n in range(5):
            ask_data = {"category": "IFS", "rater_name": f"Rater {n}", "rater_email": f"r{n}@example.org",
                        "relationship": "rsc_provider", "known_months": "12", "waived": "on"}  # fmt: skip
            assert client.post(url, ask_data).status_code == 302
        assert count_queries(lambda: client.get(url)) == before
