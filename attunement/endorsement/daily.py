"""The daily job: renewal reminders and lapses (and card payments left pending), in fixed
batches, safe to run twice; one association at a time under a lease, or one task per
association on the queue."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from attunement.associations.models import Association
from attunement.audit.models import AuditEvent
from attunement.endorsement.models import Credential, CredentialStatus, DailyRun, Reminder
from attunement.endorsement.signals import send_credentials_changed
from attunement.mail.messages import tags
from attunement.payments.actions import reconcile_card_attempts

BATCH = 5_000


REMINDER_MAIL = "endorsement.reminder"  # the ``about`` of a renewal reminder's mail: endorsement.reminder:<pk>


# How long a run may go without renewing its lease (it renews at every batch) before another
# run may take the association over: the crash-recovery delay.
LEASE = timedelta(minutes=15)


logger = logging.getLogger(__name__)


@dataclass
class DailyResult:
    lapsed: int = 0
    reminders: int = 0
    batches: int = 0
    by_association: dict[str, dict[str, int]] = field(default_factory=dict)
    # Associations another run was working on at the same moment (left to that run).
    skipped: list[str] = field(default_factory=list)
    # What failed, per association slug: one sentence per failed step.
    failures: dict[str, list[str]] = field(default_factory=dict)


class LeaseLost(Exception):
    """Another run took the association over (this one went longer than LEASE without a batch)."""


class _Lease:
    """This run's hold on one association's DailyRun row."""

    def __init__(self, run_id: int, owner: str) -> None:
        self.run_id, self.owner = run_id, owner

    def renew(self) -> None:
        if not DailyRun.objects.filter(pk=self.run_id, owner=self.owner).update(lease_until=timezone.now() + LEASE):
            raise LeaseLost(_("Another run of the daily job took this association over."))

    def release(self, *, reminders: int, lapsed: int, failures: list[str]) -> None:
        DailyRun.objects.filter(pk=self.run_id, owner=self.owner).update(
            lease_until=None, finished_at=timezone.now(), reminders=reminders, lapsed=lapsed, failures=failures
        )


def _claim(association: Association, day: date) -> _Lease | None:
    """Take the association's run for ``day`` unless another run holds it now: one conditional
    UPDATE whose row count decides, so of two runs started at once exactly one works on it.
    A finished run (or a crashed one whose lease expired) can be taken again; the steps are
    idempotent, so a second run the same day changes nothing."""
    run, _created = DailyRun.objects.get_or_create(association=association, day=day)
    owner = secrets.token_hex(16)
    now = timezone.now()
    taken = (
        DailyRun.objects.filter(pk=run.pk)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(owner=owner, lease_until=now + LEASE, started_at=now, finished_at=None)
    )
    return _Lease(run.pk, owner) if taken else None


def _lapse(association: Association, today: date, result: DailyResult, lease: _Lease) -> None:
    """Lapse what passed its removal date: set-based, in batches; each batch one UPDATE that
    only touches rows still active (so a second run, or a crash half way, lapses nobody twice
    and misses nobody) and one INSERT of its audit events."""
    cutoff = today - timedelta(days=association.policy.renewal_grace_days)
    due = Credential.objects.filter(association=association, status=CredentialStatus.ACTIVE, valid_through__lt=cutoff)
    ended_inactive = Credential.objects.filter(
        association=association, status=CredentialStatus.INACTIVE, inactive_until__lt=today
    )
    for queryset in (due, ended_inactive):
        while True:
            ids = list(queryset.order_by("pk").values_list("pk", "public_code")[:BATCH])
            if not ids:
                break
            lease.renew()
            with transaction.atomic():
                # Locked first, so the receivers of the signal hear exactly the rows this batch lapsed.
                pks = list(
                    Credential.objects.select_for_update()
                    .filter(
                        pk__in=[pk for pk, _code in ids],
                        status__in=[CredentialStatus.ACTIVE, CredentialStatus.INACTIVE],
                    )
                    .values_list("pk", flat=True)
                )
                lapsed = set(pks)
                changed = Credential.objects.filter(pk__in=pks).update(status=CredentialStatus.LAPSED)
                send_credentials_changed(association, "lapsed", pks)
                AuditEvent.objects.bulk_create(
                    AuditEvent(association=association, verb="endorsement.credential.lapsed", target_type="endorsement.credential",
                               target_id=code, target_label=code, data={"removal_date": cutoff.isoformat()})
                    for pk, code in ids if pk in lapsed
                )  # fmt: skip
            result.lapsed += changed
            result.batches += 1


def _reminders(association: Association, today: date, result: DailyResult, lease: _Lease) -> None:
    """Create the reminders owed today (one per person, due date and offset), then send the
    unsent ones; an interrupted run sends the rest next time, nobody gets one twice. The mail
    goes out with no transaction open (R13); only the lease holder sends, so two runs at once
    do not both send one reminder."""
    for offset in association.policy.reminder_days:
        due_date = today + timedelta(days=int(offset))
        people = (
            Credential.objects.filter(association=association, status=CredentialStatus.ACTIVE, valid_through=due_date)
            .values_list("person_id", flat=True)
            .distinct()
            .order_by("person_id")
        )
        start = 0
        while True:
            batch = list(people[start : start + BATCH])
            if not batch:
                break
            Reminder.objects.bulk_create(
                [Reminder(person_id=pk, association=association, due=due_date, offset_days=offset) for pk in batch],
                ignore_conflicts=True,
            )
            start += BATCH
            result.batches += 1
    link = settings.SITE_URL + reverse("application:renewal")
    while True:
        unsent = list(
            Reminder.objects.filter(association=association, sent_at__isnull=True)
            .select_related("person")
            .order_by("pk")[:BATCH]
        )
        if not unsent:
            break
        lease.renew()
        messages = []
        for reminder in unsent:
            person = reminder.person
            with translation.override(person.preferred_language):
                subject = _("Renew your Endorsement by %(date)s") % {"date": reminder.due.isoformat()}
                body = _("Your Endorsement with %(association)s is due for renewal on %(date)s. Renew here: %(link)s") % {
                    "association": association.name, "date": reminder.due.isoformat(), "link": link}  # fmt: skip
            recipients = [person.email] + ([person.secondary_email] if person.secondary_email else [])
            headers = tags("renewal_reminder", f"{REMINDER_MAIL}:{reminder.pk}", association)
            messages.append(EmailMessage(str(subject), str(body), None, recipients, headers=headers))
        mailers.default.send_messages(messages)
        Reminder.objects.filter(pk__in=[r.pk for r in unsent]).update(sent_at=timezone.now())
        result.reminders += len(unsent)
        result.batches += 1


def _card_payments(association: Association, today: date, result: DailyResult, lease: _Lease) -> None:
    """Card payments left pending by a crash or a timeout are looked up at the gateway."""
    reconcile_card_attempts(association=association)


def _failure(step: str, exc: BaseException) -> str:
    return f"{step}: {exc.__class__.__name__}: {exc}"


def run_daily(today: date | None = None) -> DailyResult:
    """Reminders and lapses for every active association. Each association, and each step in
    it, is on its own: a failure (mail down, say) is logged and noted in ``result.failures``
    and the rest goes on; the command exits non-zero at the end naming what failed."""
    day = today or timezone.localdate()
    result = DailyResult()
    for association in Association.objects.filter(is_active=True).select_related("policy").order_by("slug"):
        _run_association(association, day, result)
    return result


def run_daily_for(association: Association, today: date | None = None) -> DailyResult:
    """The daily job for one association (what one task does)."""
    result = DailyResult()
    _run_association(association, today or timezone.localdate(), result)
    return result


@task(queue_name="default")
def daily_association(association_id: int, day: str) -> dict[str, Any]:
    """The daily job's piece for one association, run by a worker (``attunement daily
    --enqueue`` puts one on the queue per association). Two at once for one association: the
    lease lets one work and the other skip."""
    association = Association.objects.select_related("policy").get(pk=association_id)
    result = run_daily_for(association, date.fromisoformat(day))
    if result.failures:
        # A failed task, with the steps named, in the task results (admin): the next run retries.
        raise DailyStepsFailed("; ".join(f"{slug}: {', '.join(steps)}" for slug, steps in result.failures.items()))
    return {"skipped": bool(result.skipped), **result.by_association.get(association.slug, {})}


class DailyStepsFailed(Exception):
    """Steps of the daily job failed for an association (they were logged one by one)."""


def enqueue_daily(today: date | None = None) -> int:
    """One task per active association; returns how many were enqueued."""
    day = (today or timezone.localdate()).isoformat()
    ids = list(Association.objects.filter(is_active=True).order_by("slug").values_list("pk", flat=True))
    for pk in ids:
        daily_association.enqueue(pk, day)
    return len(ids)


def _run_association(association: Association, day: date, result: DailyResult) -> None:
    try:
        lease = _claim(association, day)
    except Exception as exc:
        logger.exception("daily job: could not start %s", association.slug)
        result.failures[association.slug] = [_failure("start", exc)]
        return
    if lease is None:
        result.skipped.append(association.slug)
        return
    before = (result.lapsed, result.reminders)
    failures = []
    for step, work in (("reminders", _reminders), ("lapses", _lapse), ("card payments", _card_payments)):
        try:
            work(association, day, result, lease)
        except Exception as exc:
            logger.exception("daily job: %s failed for %s", step, association.slug)
            failures.append(_failure(step, exc))
    counts = {"reminders": result.reminders - before[1], "lapsed": result.lapsed - before[0]}
    result.by_association[association.slug] = counts
    if failures:
        result.failures[association.slug] = failures
    try:
        lease.release(failures=failures, **counts)
    except Exception as exc:  # the lease then expires by itself
        logger.exception("daily job: could not finish %s", association.slug)
        result.failures.setdefault(association.slug, []).append(_failure("finish", exc))
