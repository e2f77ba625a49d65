"""Delivery reports from the mail provider (issue 17.2, 17.3), as the providers send them:
Mailgun's HMAC-signed events and Postmark's basic-auth events, through anymail's parsers.
A bounce marks the reference request and suppresses the address; a bad signature or password
changes nothing; a malformed body is a 400 with the reason; an unknown message is acknowledged."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from django.core import mail as django_mail
from django.core.mail import EmailMessage
from django.test import Client, override_settings
from django.urls import reverse

from attunement.endorsement.models import Reminder
from attunement.lib.testing import run_worker
from attunement.mail import actions
from attunement.mail.messages import ABOUT_HEADER, PURPOSE_HEADER
from attunement.mail.models import Delivery, MailEvent, MailStatus, OutgoingMail, SuppressedAddress
from attunement.mail.tests.test_queue import LOCMEM
from attunement.portfolios.models import Reference, ReferenceStatus

pytestmark = pytest.mark.django_db(transaction=True)

SIGNING_KEY = "key-test-signing"
MAILGUN = {"MAIL_PROVIDER": "mailgun", "ANYMAIL": {"MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY, "MAILGUN_API_KEY": "x"}}
POSTMARK = {
    "MAIL_PROVIDER": "postmark",
    "ANYMAIL": {"WEBHOOK_SECRET": "attunement:s3cret", "POSTMARK_SERVER_TOKEN": "x"},
}


def sent_mail(
    to: str = "rosa@example.org", about: str = "", provider_id: str = "<20261207.1@mg.example.org>"
) -> OutgoingMail:
    """A message queued, sent by the worker, and given an id by the provider."""
    with override_settings(MAILERS=LOCMEM):
        EmailMessage("Hello", "Body", None, [to], headers={PURPOSE_HEADER: "test", ABOUT_HEADER: about}).send()
        run_worker()
    mail = OutgoingMail.objects.order_by("-id").first()
    assert mail is not None
    OutgoingMail.objects.filter(pk=mail.pk).update(provider="Mailgun", provider_message_id=provider_id)
    mail.refresh_from_db()
    return mail


def mailgun_event(event: str, message_id: str, recipient: str, *, token: str = "tok-1", key: str = SIGNING_KEY,  # noqa: S107
                  severity: str = "permanent") -> dict[str, Any]:  # fmt: skip
    timestamp = "1796650000"
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {
            "event": event,
            "severity": severity,
            "recipient": recipient,
            "timestamp": 1796650000.5,
            "id": "evt-" + token,
            "message": {"headers": {"message-id": message_id.strip("<>")}},
            "delivery-status": {"message": "550 5.1.1 The email account does not exist", "description": ""},
        },
    }


def post_mailgun(body: dict[str, Any] | str) -> Any:
    data = body if isinstance(body, str) else json.dumps(body)
    return Client().post("/mail/events/mailgun/", data, content_type="application/json")


def test_a_signed_mailgun_bounce_marks_the_reference_and_suppresses_the_address(
    applicant_portfolio: Any, personas: dict[str, Any], client_for: Any
) -> None:
    reference = applicant_portfolio.references.get()
    Reference.objects.filter(pk=reference.pk).update(status=ReferenceStatus.SENT, rater_email="rosa@example.org")
    outgoing = sent_mail(about=f"portfolios.reference:{reference.public_id}")
    with override_settings(**MAILGUN):
        response = post_mailgun(mailgun_event("failed", outgoing.provider_message_id, "Rosa@Example.org"))
        assert response.status_code == 200, response.content
        assert (
            post_mailgun(mailgun_event("failed", outgoing.provider_message_id, "rosa@example.org")).status_code == 200
        )
    outgoing.refresh_from_db()
    assert outgoing.delivery == Delivery.BOUNCED
    assert MailEvent.objects.filter(mail=outgoing).count() == 1  # the provider's retry is recorded once
    reference.refresh_from_db()
    assert reference.status == ReferenceStatus.BOUNCED
    [suppression] = SuppressedAddress.objects.all()
    assert (suppression.address, suppression.reason) == ("rosa@example.org", Delivery.BOUNCED)
    assert "does not exist" in suppression.description
    page = client_for(personas["applicant"]).get(reverse("portfolio:references")).content.decode()
    assert "The mail bounced: the address may be wrong or blocked." in page
    # No more mail to the address...
    with override_settings(MAILERS=LOCMEM):
        EmailMessage("Again", "Body", None, ["rosa@example.org"]).send()
        run_worker()
    assert OutgoingMail.objects.order_by("-id").first().status == MailStatus.SUPPRESSED  # type: ignore[union-attr]
    assert [m.subject for m in django_mail.outbox] == ["Hello"]
    # ...until the applicant sends it again, saying the address is right.
    with override_settings(MAILERS=LOCMEM):
        assert (
            client_for(personas["applicant"])
            .post(reverse("portfolio:resend_reference", kwargs={"reference_id": reference.public_id}))
            .status_code
            == 302
        )
        run_worker()
    assert not SuppressedAddress.objects.filter(lifted_at__isnull=True).exists()
    assert django_mail.outbox[-1].to == ["rosa@example.org"]
    reference.refresh_from_db()
    assert reference.status == ReferenceStatus.SENT


def test_a_bad_mailgun_signature_is_refused_and_changes_nothing() -> None:
    outgoing = sent_mail()
    with override_settings(**MAILGUN):
        forged = mailgun_event("failed", outgoing.provider_message_id, "rosa@example.org", key="not-the-key")
        response = post_mailgun(forged)
    assert response.status_code == 403
    assert b"incorrect signature" in response.content
    outgoing.refresh_from_db()
    assert outgoing.delivery == ""
    assert not MailEvent.objects.exists()
    assert not SuppressedAddress.objects.exists()


def test_a_malformed_event_is_a_400_with_the_reason_and_an_unknown_message_is_acknowledged() -> None:
    with override_settings(**MAILGUN):
        body = mailgun_event("failed", "<x@mg>", "a@example.org")
        del body["event-data"]["event"]
        response = post_mailgun(body)
        assert response.status_code == 400
        assert b"Malformed Mailgun event: KeyError" in response.content
        unknown = post_mailgun(mailgun_event("delivered", "<not-ours@mg>", "a@example.org", token="tok-2"))
        assert unknown.status_code == 200
        assert b"1 for messages that are not ours" in unknown.content
    [event] = MailEvent.objects.all()
    assert event.mail is None
    assert not SuppressedAddress.objects.exists()


def test_only_the_configured_provider_answers() -> None:
    with override_settings(**MAILGUN):
        assert Client().post("/mail/events/postmark/", "{}", content_type="application/json").status_code == 404
        assert Client().post("/mail/events/nobody/", "{}", content_type="application/json").status_code == 404
        assert Client().get("/mail/events/mailgun/").status_code == 405


def postmark(body: dict[str, Any], password: str = "s3cret") -> Any:  # noqa: S107 (the test's webhook secret)
    auth = base64.b64encode(f"attunement:{password}".encode()).decode()
    return Client().post(
        "/mail/events/postmark/", json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Basic {auth}"
    )


def test_postmark_events_with_basic_auth_delivered_soft_bounce_and_complaint(riverbend: Any, make_person: Any) -> None:
    person = make_person("keisha@example.org")
    reminder = Reminder.objects.create(person=person, association=riverbend, due="2027-01-31", offset_days=30)
    outgoing = sent_mail(to="keisha@example.org", about=f"endorsement.reminder:{reminder.pk}", provider_id="pm-0001")
    base = {"MessageID": "pm-0001", "Email": "keisha@example.org", "Recipient": "keisha@example.org"}
    with override_settings(**POSTMARK):
        assert (
            postmark({**base, "RecordType": "Delivery", "DeliveredAt": "2026-12-07T10:00:00Z"}, "wrong").status_code
            == 403
        )
        assert not MailEvent.objects.exists()
        assert postmark({**base, "RecordType": "Delivery", "DeliveredAt": "2026-12-07T10:00:00Z"}).status_code == 200
        outgoing.refresh_from_db()
        assert outgoing.delivery == Delivery.DELIVERED
        soft = {**base, "RecordType": "Bounce", "Type": "SoftBounce", "ID": 41, "BouncedAt": "2026-12-07T11:00:00Z"}
        assert postmark(soft).status_code == 200
        assert not SuppressedAddress.objects.exists()  # a soft bounce is a delay
        spam = {
            **base,
            "RecordType": "SpamComplaint",
            "Type": "SpamComplaint",
            "ID": 42,
            "BouncedAt": "2026-12-07T12:00:00Z",
        }
        assert postmark(spam).status_code == 200
    outgoing.refresh_from_db()
    assert outgoing.delivery == Delivery.COMPLAINED
    assert SuppressedAddress.objects.get().reason == Delivery.COMPLAINED
    reminder.refresh_from_db()
    assert reminder.bounced_at is not None
    # A complaint is not lifted by a resend, only by staff.
    assert actions.lift_suppression(actor=None, address="keisha@example.org", bounces_only=True) is False
    assert actions.lift_suppression(actor=None, address="keisha@example.org") is True


def test_a_sign_in_code_to_a_suppressed_address_tells_the_person_what_to_do(personas: dict[str, Any]) -> None:
    alex = personas["applicant"]
    actions.suppress(address=alex.email, reason=Delivery.BOUNCED)
    with override_settings(MAILERS=LOCMEM):
        response = Client(headers={"Accept-Language": "en"}).post(
            reverse("account_request_login_code"), {"email": alex.email}, follow=True
        )
        run_worker()
    assert response.status_code == 200
    assert "We could not send mail to" in response.content.decode()
    assert django_mail.outbox == []
    assert OutgoingMail.objects.get().status == MailStatus.SUPPRESSED


def test_a_sign_in_code_is_recorded_with_its_purpose(personas: dict[str, Any]) -> None:
    alex = personas["applicant"]
    with override_settings(MAILERS=LOCMEM):
        response = Client(headers={"Accept-Language": "en"}).post(
            reverse("account_request_login_code"), {"email": alex.email}
        )
        run_worker()
    assert response.status_code == 302
    [code] = OutgoingMail.objects.all()
    assert (code.purpose, code.to_address, code.status) == ("sign_in_code", alex.email.lower(), MailStatus.SENT)
    assert django_mail.outbox[0].to == [alex.email]


def test_every_provider_the_settings_accept_has_a_tracking_webhook() -> None:
    from attunement import settings as project_settings
    from attunement.mail.webhooks import TRACKING

    assert set(project_settings._MAIL_PROVIDERS) == set(TRACKING)
