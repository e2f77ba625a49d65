"""The daily job: two runs at once do everything once; one association's failure stops nothing else."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.mail import mailers
from django.core.management import CommandError, call_command
from django.utils import timezone

from attunement.audit.models import AuditEvent
from attunement.endorsement.daily import LEASE, run_daily
from attunement.endorsement.models import Credential, CredentialStatus, DailyRun, Reminder
from attunement.lib.testing import race


def members(association: Any, make_person: Any, today: date, *, reminded: int, lapsing: int) -> None:
    """``reminded`` people due in 30 days, ``lapsing`` people past due and grace."""
    association.policy.reminder_days = [30]
    association.policy.renewal_grace_days = 10
    association.policy.save(update_fields=["reminder_days", "renewal_grace_days"])
    for i in range(reminded + lapsing):
        person = make_person(f"m{i}@{association.slug}.example")
        due = today + timedelta(days=30) if i < reminded else today - timedelta(days=20)
        Credential.objects.create(person=person, association=association, category="IFS",
                                  since=date(2020, 1, 1), valid_through=due)  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_two_daily_runs_at_once_remind_once_and_lapse_once(make_association: Any, make_person: Any) -> None:
    today = timezone.localdate()
    for slug in ("alder", "birch"):
        members(make_association(slug), make_person, today, reminded=3, lapsing=2)
    outcome = race(lambda: run_daily(today), lambda: run_daily(today))
    assert outcome.errors == []
    assert sum(r.reminders for r in outcome.results) == 6
    assert sum(r.lapsed for r in outcome.results) == 4
    assert len(mail.outbox) == 6  # nobody reminded twice
    assert sorted(m.to[0] for m in mail.outbox) == sorted({m.to[0] for m in mail.outbox})
    assert Reminder.objects.count() == 6
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
    assert Credential.objects.filter(status=CredentialStatus.LAPSED).count() == 4
    assert AuditEvent.objects.filter(verb="endorsement.credential.lapsed").count() == 4
    assert all(not r.failures for r in outcome.results)
    runs = DailyRun.objects.all()
    assert len(runs) == 2  # one per association and day
    assert all(run.lease_until is None and run.finished_at is not None for run in runs)


def test_a_run_holding_an_association_makes_the_other_skip_it(riverbend: Any, make_person: Any) -> None:
    today = timezone.localdate()
    members(riverbend, make_person, today, reminded=1, lapsing=1)
    DailyRun.objects.create(association=riverbend, day=today, owner="other", lease_until=timezone.now() + LEASE)
    result = run_daily(today)
    assert result.skipped == ["riverbend"]
    assert (result.reminders, result.lapsed, len(mail.outbox)) == (0, 0, 0)
    # A crashed run's lease runs out: the next run resumes the work.
    DailyRun.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    result = run_daily(today)
    assert (result.skipped, result.reminders, result.lapsed, len(mail.outbox)) == ([], 1, 1, 1)


def test_mail_down_for_one_association_skips_neither_its_lapses_nor_the_others(
    make_association: Any, make_person: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = timezone.localdate()
    alder, birch = make_association("alder"), make_association("birch")  # alder is run first
    members(alder, make_person, today, reminded=2, lapsing=2)
    members(birch, make_person, today, reminded=2, lapsing=2)
    backend = type(mailers.default)  # a new one each time: patch its class
    send = backend.send_messages

    def flaky(self: Any, messages: list[Any]) -> int:
        if any(alder.name in m.body for m in messages):
            raise ConnectionRefusedError("mail server down")
        return send(self, messages)

    monkeypatch.setattr(backend, "send_messages", flaky)
    with pytest.raises(CommandError) as failed:
        call_command("daily", today=today)
    assert "alder (reminders: ConnectionRefusedError: mail server down)" in str(failed.value)
    assert "birch" not in str(failed.value)
    # alder's lapses ran all the same; birch was done in full.
    assert Credential.objects.filter(association=alder, status=CredentialStatus.LAPSED).count() == 2
    assert Credential.objects.filter(association=birch, status=CredentialStatus.LAPSED).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == ["m0@birch.example", "m1@birch.example"]
    assert Reminder.objects.filter(association=alder, sent_at__isnull=True).count() == 2  # sent next time
    assert DailyRun.objects.get(association=alder).failures == ["reminders: ConnectionRefusedError: mail server down"]
    # The mail is back: the next run sends alder's reminders and nothing twice.
    monkeypatch.setattr(backend, "send_messages", send)
    call_command("daily", today=today)
    assert len(mail.outbox) == 4
    assert AuditEvent.objects.filter(verb="endorsement.credential.lapsed").count() == 4


@pytest.mark.django_db(transaction=True)
def test_the_daily_job_as_tasks_two_workers_and_enqueued_twice_remind_once(
    make_association: Any, make_person: Any
) -> None:
    """Issue 17.1: ``attunement daily --enqueue`` puts one task per association on the queue;
    two workers share them; enqueued twice (two timers), each association is still done once."""

    from django_tasks_db.models import DBTaskResult

    from attunement.lib.testing import run_workers

    today = timezone.localdate()
    slugs = ("cedar", "dogwood", "elm")
    for slug in slugs:
        members(make_association(slug), make_person, today, reminded=2, lapsing=1)
    active = Credential.objects.values("association").distinct().count()
    call_command("daily", "--enqueue", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("daily", "--enqueue", stdout=open("/dev/null", "w"))  # noqa: SIM115
    queued = DBTaskResult.objects.filter(task_path="attunement.endorsement.daily.daily_association").count()
    assert queued >= 2 * active

    assert run_workers("w1", "w2", timeout=120) == []
    assert (
        not DBTaskResult.objects.exclude(status="SUCCESSFUL")
        .filter(task_path="attunement.endorsement.daily.daily_association")
        .exists()
    )
    assert Reminder.objects.filter(association__slug__in=slugs, sent_at__isnull=False).count() == 6
    assert len([m for m in mail.outbox if any(s in m.to[0] for s in slugs)]) == 6  # nobody reminded twice
    assert Credential.objects.filter(association__slug__in=slugs, status=CredentialStatus.LAPSED).count() == 3
    assert DailyRun.objects.filter(association__slug__in=slugs, finished_at__isnull=False).count() == 3
