"""Keeping Endorsement: one renewal for every category held, the daily job, status changes."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from attunement.audit.models import AuditEvent
from attunement.endorsement.actions.application import check_completeness, register_application, submit_application
from attunement.endorsement.actions.credential import change_status, reactivate, set_inactive
from attunement.endorsement.actions.renewal import approve_renewal, submit_renewal
from attunement.endorsement.actions.review import decide
from attunement.endorsement.daily import run_daily
from attunement.endorsement.models import Credential, CredentialStatus, Reminder, Renewal, RenewalState
from attunement.endorsement.renewal_dates import due_in
from attunement.lib.errors import ActionRefused
from attunement.payments.actions import record_payment
from attunement.payments.models import Fee, Invoice, InvoiceStatus
from attunement.portfolios.models import RSC, Training, Verification


@pytest.fixture
def holder(ready: Any, personas: dict[str, Any], riverbend: Any) -> Any:
    """Alex holds IFS and IFRS at Riverbend; this year's hours are in the portfolio."""
    alex = personas["applicant"]
    today = timezone.localdate()
    due = today + timedelta(days=30)
    for category in ("IFS", "IFRS"):
        Credential.objects.create(
            person=alex, association=riverbend, category=category, since=date(2022, 5, 1), valid_through=due
        )
    Training.objects.create(
        portfolio=ready,
        title="Yearly update",
        date=today - timedelta(days=40),
        hours=Decimal(14),
        verification=Verification.VERIFIED,
    )
    Training.objects.create(
        portfolio=ready,
        title="Equity",
        date=today - timedelta(days=30),
        hours=Decimal(1),
        dei=True,
        verification=Verification.VERIFIED,
    )
    RSC.objects.create(portfolio=ready, provider_name="Lena", provider_category="IMHS", provider_since=date(2015, 1, 1), format="group",
                       start=today - timedelta(days=300), end=today - timedelta(days=20), hours=Decimal(12), verification=Verification.VERIFIED)  # fmt: skip
    riverbend.policy.renewal_audit_percent = 0  # chosen per test where the audit matters
    riverbend.policy.save(update_fields=["renewal_audit_percent"])
    Fee.objects.create(association=riverbend, kind="renewal", amount=Decimal("30.00"))
    Fee.objects.create(association=riverbend, kind="late", amount=Decimal("25.00"))
    return alex


def test_one_renewal_with_one_fee_renews_every_category(
    holder: Any, riverbend: Any, personas: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    RSC.objects.filter(portfolio__person=holder).exclude(hours=12).delete()  # only this year's RS/C
    Training.objects.filter(portfolio__person=holder).exclude(title__in=["Yearly update", "Equity"]).update(
        verification=Verification.VERIFIED
    )
    renewal = submit_renewal(actor=holder, person=holder, association=riverbend)
    assert sorted(renewal.reports) == ["IFRS", "IFS"]
    invoice = Invoice.objects.get(billed_to=holder, status=InvoiceStatus.OPEN)
    assert invoice.total == Decimal("30.00")  # one fee for both, not late
    with django_capture_on_commit_callbacks(execute=True):
        record_payment(
            actor=personas["coordinator"], invoice=invoice, method="cheque", amount=Decimal("30.00"), reference="77"
        )
    renewal.refresh_from_db()
    assert renewal.state == RenewalState.RENEWED  # every counted entry verified: approved at once
    next_due = due_in(riverbend, renewal.due.year + 1)
    renewed = mail.outbox[-1]
    assert renewed.to == [holder.email]
    assert next_due.isoformat() in renewed.body
    assert "http://127.0.0.1:8000/me/credentials/" in renewed.body  # old downloads show the old end date
    next_due = due_in(riverbend, renewal.due.year + 1)
    assert set(Credential.objects.filter(person=holder).values_list("valid_through", flat=True)) == {next_due}
    with pytest.raises(ValidationError, match="next renewal opens on"):
        submit_renewal(actor=holder, person=holder, association=riverbend)


def test_an_unverified_entry_sends_the_renewal_to_staff(holder: Any, riverbend: Any, personas: dict[str, Any]) -> None:
    Training.objects.filter(title="Equity").update(verification=Verification.UNVERIFIED)
    renewal = submit_renewal(actor=holder, person=holder, association=riverbend)
    invoice = Invoice.objects.get(billed_to=holder, status=InvoiceStatus.OPEN)
    record_payment(
        actor=personas["coordinator"], invoice=invoice, method="waiver", amount=invoice.total, reason="Hardship"
    )
    renewal.refresh_from_db()
    assert renewal.state == RenewalState.UNDER_REVIEW
    approve_renewal(actor=personas["coordinator"], renewal=renewal)
    with pytest.raises(ActionRefused):
        approve_renewal(actor=personas["coordinator"], renewal=renewal)


def test_a_renewal_is_submitted_once_per_period(holder: Any, riverbend: Any) -> None:
    submit_renewal(actor=holder, person=holder, association=riverbend)
    with pytest.raises(ValidationError, match="already submitted"):
        submit_renewal(actor=holder, person=holder, association=riverbend)


def test_missing_hours_are_named_and_nothing_is_submitted(holder: Any, riverbend: Any) -> None:
    Training.objects.filter(title="Equity").delete()
    with pytest.raises(ValidationError) as caught:
        submit_renewal(actor=holder, person=holder, association=riverbend)
    assert any("diversity, equity and inclusion" in m for m in caught.value.messages)
    assert not Renewal.objects.exists()


def test_a_late_renewal_adds_the_late_fee(holder: Any, riverbend: Any) -> None:
    Credential.objects.filter(person=holder).update(valid_through=timezone.localdate() - timedelta(days=3))
    submit_renewal(actor=holder, person=holder, association=riverbend)
    assert Invoice.objects.get(billed_to=holder, status=InvoiceStatus.OPEN).total == Decimal("55.00")


def test_the_daily_job_reminds_once_and_lapses_once(
    holder: Any, riverbend: Any, django_capture_on_commit_callbacks: Any
) -> None:
    today = timezone.localdate()
    riverbend.policy.reminder_days = [30, 7]
    riverbend.policy.renewal_grace_days = 31
    riverbend.policy.save(update_fields=["reminder_days", "renewal_grace_days"])
    holder.secondary_email = "alex.home@example.org"
    holder.save(update_fields=["secondary_email"])
    first = run_daily(today)
    assert first.reminders == 1  # one person, two categories, one reminder
    assert mail.outbox[-1].to == [holder.email, "alex.home@example.org"]
    assert "/me/applications/renewal/" in mail.outbox[-1].body
    assert run_daily(today).reminders == 0
    # Past the removal date (due + grace): both categories lapse, once.
    after_removal = today + timedelta(days=30 + 31 + 1)
    assert run_daily(after_removal).lapsed == 2
    assert run_daily(after_removal).lapsed == 0
    assert set(Credential.objects.filter(person=holder).values_list("status", flat=True)) == {CredentialStatus.LAPSED}
    assert AuditEvent.objects.filter(verb="endorsement.credential.lapsed").count() == 2


def test_an_interrupted_reminder_run_sends_the_rest_next_time(holder: Any, riverbend: Any) -> None:
    today = timezone.localdate()
    riverbend.policy.reminder_days = [30]
    riverbend.policy.save(update_fields=["reminder_days"])
    Reminder.objects.create(
        person=holder, association=riverbend, due=today + timedelta(days=30), offset_days=30
    )  # created, not sent
    assert run_daily(today).reminders == 1
    assert Reminder.objects.get().sent_at is not None


def test_inactive_for_up_to_two_years_then_back(holder: Any, riverbend: Any, personas: dict[str, Any]) -> None:
    credential = Credential.objects.get(person=holder, category="IFS")
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        set_inactive(actor=personas["coordinator"], credential=credential, until=today + timedelta(days=800))
    set_inactive(actor=personas["coordinator"], credential=credential, until=today + timedelta(days=365))
    # An inactive credential does not lapse at the removal date while its inactive time runs.
    assert run_daily(today + timedelta(days=100)).lapsed == 1  # only IFRS
    reactivate(actor=personas["coordinator"], credential=credential)
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.ACTIVE
    change_status(actor=personas["coordinator"], credential=credential, status=CredentialStatus.EMERITUS)
    with pytest.raises(ActionRefused):
        reactivate(actor=personas["coordinator"], credential=credential)


def test_an_audited_renewal_waits_for_staff_with_documentation(
    holder: Any, riverbend: Any, personas: dict[str, Any]
) -> None:
    riverbend.policy.renewal_audit_percent = 100
    riverbend.policy.save(update_fields=["renewal_audit_percent"])
    renewal = submit_renewal(actor=holder, person=holder, association=riverbend)
    assert renewal.audited is True
    invoice = Invoice.objects.get(billed_to=holder, status=InvoiceStatus.OPEN)
    record_payment(actor=personas["coordinator"], invoice=invoice, method="cheque", amount=invoice.total, reference="9")
    renewal.refresh_from_db()
    assert renewal.state == RenewalState.UNDER_REVIEW  # even with every entry verified
    assert AuditEvent.objects.filter(verb="endorsement.renewal.audit_requested").count() == 1


def test_reminder_days_must_be_whole_days(personas: dict[str, Any], client_for: Any) -> None:
    from django.urls import reverse

    from attunement.associations.tests.test_settings_page import policy_data

    url = reverse("associations:save_policy", kwargs={"association_slug": "riverbend"})
    response = client_for(personas["admin"]).post(url, policy_data(**{"policy-reminder_days": '["soon"]'}))
    assert response.status_code == 400
    assert "reminder_days" in response.context["policy"].errors


def test_a_lapsed_member_is_reinstated_with_three_new_ratings(
    ready: Any, personas: dict[str, Any], riverbend: Any
) -> None:
    from attunement.endorsement.models import Application, Outcome, State
    from attunement.endorsement.tests.test_workflow import pay_all
    from attunement.portfolios.models import Reference

    alex = personas["applicant"]
    lapsed_on = timezone.localdate() - timedelta(days=40)
    credential = Credential.objects.create(person=alex, association=riverbend, category="IFS", since=date(2019, 1, 1),
                                           valid_through=lapsed_on, status=CredentialStatus.LAPSED)  # fmt: skip
    application = register_application(actor=alex, portfolio=ready, category="IFS", residency_attested=True)
    assert (application.state, application.reinstates) == (State.IN_PROGRESS, credential)  # no registration fee
    Reference.objects.filter(portfolio=ready).update(
        completed_at=timezone.now() - timedelta(days=60)
    )  # before the lapse
    with pytest.raises(ValidationError, match="three reference ratings completed since"):
        submit_application(actor=alex, application=application)
    Reference.objects.filter(portfolio=ready).update(completed_at=timezone.now() - timedelta(days=2))
    application = submit_application(actor=alex, application=Application.objects.get(pk=application.pk))
    pay_all(application, personas["coordinator"])
    application = check_completeness(actor=personas["coordinator"], application=application, complete=True)
    decide(actor=personas["coordinator"], application=application, outcome=Outcome.ENDORSE, basis="coordinator")
    credential.refresh_from_db()
    assert credential.status == CredentialStatus.ACTIVE
    assert Credential.objects.filter(person=alex, category="IFS").count() == 1  # the same code comes back


@pytest.mark.django_db(transaction=True)
def test_a_renewal_submitted_twice_at_once_is_submitted_and_billed_once(holder: Any, riverbend: Any) -> None:
    """Issue 16.1: the unique constraint on a renewal period decides; the other is told."""
    from attunement.lib.testing import race

    outcome = race(
        lambda: submit_renewal(actor=holder, person=holder, association=riverbend),
        lambda: submit_renewal(actor=holder, person=holder, association=riverbend),
    )
    assert len(outcome.results) == 1
    [refusal] = outcome.errors
    assert isinstance(refusal, ValidationError)
    assert "already submitted" in str(refusal)
    [renewal] = Renewal.objects.filter(person=holder)
    assert Invoice.objects.filter(lines__purpose=f"endorsement.renewal:{renewal.public_id}").count() == 1
    assert AuditEvent.objects.filter(verb="endorsement.renewal.submitted").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_renewal_approved_twice_at_once_renews_once(holder: Any, riverbend: Any, personas: dict[str, Any]) -> None:
    from attunement.lib.testing import race

    riverbend.policy.renewal_auto_approve = False
    riverbend.policy.save(update_fields=["renewal_auto_approve"])
    renewal = submit_renewal(actor=holder, person=holder, association=riverbend)
    coordinator, admin = personas["coordinator"], personas["admin"]
    outcome = race(
        lambda: approve_renewal(actor=coordinator, renewal=renewal),
        lambda: approve_renewal(actor=admin, renewal=renewal),
    )
    assert len(outcome.results) == 1
    assert [type(e) for e in outcome.errors] == [ActionRefused]
    renewal.refresh_from_db()
    assert renewal.state == RenewalState.RENEWED
    assert AuditEvent.objects.filter(verb="endorsement.renewal.renewed").count() == 1


def test_staff_return_a_renewal_and_mark_a_bounce_on_the_renewals_page(
    holder: Any, riverbend: Any, personas: dict[str, Any], client_for: Any
) -> None:
    from django.urls import reverse

    Training.objects.filter(title="Equity").update(verification=Verification.UNVERIFIED)
    renewal = submit_renewal(actor=holder, person=holder, association=riverbend)
    invoice = Invoice.objects.get(billed_to=holder, status=InvoiceStatus.OPEN)
    record_payment(actor=personas["coordinator"], invoice=invoice, method="waiver", amount=invoice.total, reason="x")

    def url(name: str, **kw: Any) -> str:
        return reverse(f"endorsement_staff:{name}", kwargs={"association_slug": "riverbend", **kw})

    back = url("return_renewal", renewal_id=renewal.public_id)
    client = client_for(personas["coordinator"])
    page = client.post(back, {"note": " "}, follow=True)
    assert "Say what the member should change." in page.content.decode()
    client.post(back, {"note": "Add the certificate."})
    renewal.refresh_from_db()
    assert (renewal.state, renewal.note) == (RenewalState.RETURNED, "Add the certificate.")
    reminder = Reminder.objects.create(person=holder, association=riverbend, due=renewal.due, offset_days=30)
    assert url("reminder_bounced", reminder_id=reminder.pk) in client.get(url("renewals")).content.decode()
    client.post(url("reminder_bounced", reminder_id=reminder.pk))
    reminder.refresh_from_db()
    assert reminder.bounced_at is not None
    again = client.post(url("reminder_bounced", reminder_id=reminder.pk), follow=True)
    assert "Already recorded as bounced." in again.content.decode()
    nobody = url("approve_renewal", renewal_id="00000000-0000-0000-0000-000000000000")
    assert client.post(nobody).status_code == 404
