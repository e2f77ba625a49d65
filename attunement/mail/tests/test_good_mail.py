"""Mail is good mail (issue 17.4): a plain and an HTML part, the association's name as the
sender with its own reply-to, the recipient's language, and a one-click List-Unsubscribe on
renewal reminders (RFC 8058) that turns off only those."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.core import mail as django_mail
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.test import Client, override_settings
from django.utils import timezone, translation

from attunement.endorsement.daily import run_daily
from attunement.endorsement.models import Reminder
from attunement.lib.testing import run_worker
from attunement.mail.messages import tags
from attunement.mail.models import MailOptOut, MailStatus, OutgoingMail
from attunement.mail.tests.test_queue import LOCMEM

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_message_from_an_association_has_its_name_its_reply_to_and_an_html_part(riverbend: Any) -> None:
    with override_settings(MAILERS=LOCMEM), translation.override("es"):
        EmailMessage(
            "Su solicitud", "Hola.\n\nVea https://example.org/me/ <para más>.", None, ["alex@example.org"],
            headers=tags("application_notice", "", riverbend),
        ).send()  # fmt: skip
        run_worker()
    [sent] = django_mail.outbox
    assert isinstance(sent, EmailMultiAlternatives)
    assert sent.from_email.startswith(f'"{riverbend.name}" <') or sent.from_email.startswith(f"{riverbend.name} <")
    assert sent.reply_to == [riverbend.contact_email]
    assert sent.body.startswith("Hola.")
    [(html, mimetype)] = sent.alternatives
    assert isinstance(html, str)
    assert mimetype == "text/html"
    assert '<html lang="es">' in html
    assert '<a href="https://example.org/me/"' in html
    assert "&lt;para más&gt;" in html  # the text is escaped, not trusted as HTML
    assert riverbend.name in html
    headers = sent.message()
    assert headers["X-Attunement-Purpose"] is None  # internal tags never leave


def reminder_mail(riverbend: Any, person: Any) -> Any:
    from attunement.endorsement.models import Credential

    due = timezone.localdate().replace(day=1)
    Credential.objects.create(person=person, association=riverbend, category="IFS", since=date(2020, 1, 1),
                              valid_through=due.replace(year=due.year + 1))  # fmt: skip
    Reminder.objects.create(person=person, association=riverbend, due=due, offset_days=30)
    with override_settings(MAILERS=LOCMEM):
        run_daily()
        run_worker()
    return django_mail.outbox[-1]


def test_a_renewal_reminder_offers_one_click_unsubscribe_that_turns_off_only_reminders(
    riverbend: Any, make_person: Any
) -> None:
    person = make_person("kim@example.org")
    sent = reminder_mail(riverbend, person)
    header = sent.extra_headers["List-Unsubscribe"]
    assert sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = re.fullmatch(r"<(https?://[^>]+)>", header)
    assert url is not None
    path = "/" + url.group(1).split("/", 3)[3]
    assert url.group(1) in sent.body  # also said in the text, for people who read it
    page = Client().get(path)
    assert page.status_code == 200
    assert not MailOptOut.objects.exists()  # looking is not turning off
    # What a mail program does for one click: a POST with this body, no cookie, no token.
    clicked = Client(enforce_csrf_checks=True).post(path, "List-Unsubscribe=One-Click",
                                                    content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert clicked.status_code == 200
    assert MailOptOut.objects.filter(address="kim@example.org", purpose="renewal_reminder").count() == 1
    assert Client().post(path).status_code == 200  # again: nothing more
    assert MailOptOut.objects.count() == 1
    with override_settings(MAILERS=LOCMEM):
        EmailMessage("Renew", "Renew now.", None, ["kim@example.org"], headers=tags("renewal_reminder")).send()
        EmailMessage("Decision", "Endorsed.", None, ["kim@example.org"], headers=tags("application_notice")).send()
        run_worker()
    statuses = dict(OutgoingMail.objects.filter(subject__in=["Renew", "Decision"]).values_list("subject", "status"))
    assert statuses == {"Renew": MailStatus.SUPPRESSED, "Decision": MailStatus.SENT}


def test_a_tampered_unsubscribe_link_is_a_404() -> None:
    assert Client().get("/mail/unsubscribe/not-a-token/").status_code == 404
    assert Client().post("/mail/unsubscribe/not-a-token/").status_code == 404
    assert not MailOptOut.objects.exists()
