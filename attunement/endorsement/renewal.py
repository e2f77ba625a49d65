"""Keeping Endorsement: yearly renewal judged by the engine, the daily job (reminders and
lapses, in fixed batches, safe to run twice), inactive status, archiving, emeritus.

Imported by ``endorsement.actions``; callers use that module."""

from __future__ import annotations

import calendar
import logging
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import mailers, send_mail
from django.core.mail.message import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Min, Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from attunement.associations.models import Association
from attunement.audit.actions import record
from attunement.audit.models import AuditEvent
from attunement.endorsement.models import (
    Credential,
    CredentialStatus,
    DailyRun,
    Reminder,
    Renewal,
    RenewalState,
)
from attunement.endorsement.signals import send_credentials_changed
from attunement.endorsement.workflow import ActionRefused
from attunement.mail.messages import tags
from attunement.payments import settlement
from attunement.payments.actions import Line, fee_for, issue_invoice, reconcile_card_attempts
from attunement.payments.models import FeeKind, InvoiceLine
from attunement.people.models import User

HELD = [CredentialStatus.ACTIVE, CredentialStatus.EMERITUS]
BATCH = 5_000
RENEWAL_TARGET = "endorsement.renewal"
REMINDER_MAIL = "endorsement.reminder"  # the ``about`` of a renewal reminder's mail: endorsement.reminder:<pk>


def due_in(association: Association, year: int) -> date:
    policy = association.policy
    month = policy.renewal_due_month
    return date(year, month, min(policy.renewal_due_day, calendar.monthrange(year, month)[1]))


def first_due(association: Association, since: date) -> date:
    """A new credential is first renewed at the due date of the following year."""
    return due_in(association, since.year + 1)


def held_credentials(person: User, association: Association) -> list[Credential]:
    return list(Credential.objects.filter(person=person, association=association, status__in=HELD).order_by("category"))


def renewal_reports(person: User, association: Association, as_of: date | None = None) -> dict[str, dict[str, Any]]:
    """The engine's renewal report for every category the person holds here, from one
    portfolio: the hours are entered once and count for every category."""
    from attunement.endorsement.rules import evaluate, parse_portfolio
    from attunement.endorsement.selectors import build, rule_set_version_in_force
    from attunement.portfolios.models import Portfolio
    from attunement.portfolios.selectors import portfolio_document

    day = as_of or timezone.localdate()
    portfolio = Portfolio.objects.select_related("person", "association").filter(person=person).first()
    if portfolio is None:
        return {}
    document = portfolio_document(portfolio, day)
    snapshot = parse_portfolio(document, day)
    rules = build(rule_set_version_in_force(association, day))
    reports = {}
    for credential in held_credentials(person, association):
        report = evaluate(snapshot, rules, credential.category, day, renewal=True)
        report["_document"] = {"training": document["training"], "rsc": document["rsc"]}
        reports[credential.category] = report
    return reports


def _all_counted_verified(reports: dict[str, dict[str, Any]]) -> bool:
    for report in reports.values():
        doc = report.get("_document", {})
        for req in report["requirements"]:
            for item in req.get("counted", []):
                if item.get("section") == "training" and not doc["training"][item["index"]].get("verified"):
                    return False
                if item.get("section") == "rsc" and not doc["rsc"][item["index"]].get("confirmed"):
                    return False
    return True


@transaction.atomic
def submit_renewal(*, actor: User, person: User, association: Association) -> Renewal:
    held = held_credentials(person, association)
    if not held:
        raise ValidationError({"renewal": _("You hold no Endorsement here to renew.")})
    due = min(c.valid_through or first_due(association, c.since) for c in held)
    opens = due - timedelta(days=max([int(d) for d in association.policy.reminder_days if int(d) > 0] or [90]))
    if timezone.localdate() < opens:
        raise ValidationError({"renewal": _("Your next renewal opens on %(date)s.") % {"date": opens.isoformat()}})
    reports = renewal_reports(person, association)
    unmet = [
        f"{category}: {r['summary']}"
        for category, report in reports.items()
        for r in report["requirements"]
        if r["status"] == "unmet"
    ]
    if unmet:
        raise ValidationError({"renewal": unmet})
    try:
        with transaction.atomic():
            # A random share is audited: staff see the documentation before approving.
            audited = secrets.randbelow(100) < association.policy.renewal_audit_percent
            renewal = Renewal.objects.create(
                person=person, association=association, due=due, reports=reports, audited=audited
            )
    except IntegrityError:
        raise ValidationError({"renewal": _("This year's renewal is already submitted.")}) from None
    record(actor=actor, verb="endorsement.renewal.submitted", association=association, target=renewal,
           data={"categories": sorted(reports), "due": due.isoformat()})  # fmt: skip
    lines = [Line(FeeKind.RENEWAL, _("Renewal fee, all categories"), fee_for(association, FeeKind.RENEWAL),
                  f"{RENEWAL_TARGET}:{renewal.public_id}", person)]  # fmt: skip
    if timezone.localdate() > due:
        lines.append(Line(FeeKind.LATE, _("Late fee"), fee_for(association, FeeKind.LATE), "", person))
    issue_invoice(actor=actor, association=association, billed_to=person, lines=lines)
    renewal.refresh_from_db()
    return renewal


@settlement.register(RENEWAL_TARGET)
def _renewal_paid(line: InvoiceLine, actor: User | None) -> None:
    renewal = Renewal.objects.select_related("association__policy", "person").get(public_id=line.purpose.split(":")[1])
    if renewal.audited:
        Renewal.objects.filter(pk=renewal.pk, state=RenewalState.SUBMITTED).update(state=RenewalState.UNDER_REVIEW)
        record(actor=actor, verb="endorsement.renewal.audit_requested", association=renewal.association, target=renewal)
        person = renewal.person

        def ask() -> None:
            with translation.override(person.preferred_language):
                send_mail(str(_("Your renewal was chosen for the documentation audit")),
                          str(_("Please add the certificates of this year's training and the confirmation of your RS/C hours to your portfolio; staff will check them.")),
                          None, [person.email])  # fmt: skip

        transaction.on_commit(ask)
    elif renewal.association.policy.renewal_auto_approve and _all_counted_verified(renewal.reports):
        approve_renewal(actor=actor, renewal=renewal, automatic=True)
    else:
        Renewal.objects.filter(pk=renewal.pk, state=RenewalState.SUBMITTED).update(state=RenewalState.UNDER_REVIEW)
        record(actor=actor, verb="endorsement.renewal.to_staff", association=renewal.association, target=renewal)


@transaction.atomic
def approve_renewal(*, actor: User | None, renewal: Renewal, automatic: bool = False) -> Renewal:
    updated = Renewal.objects.filter(
        pk=renewal.pk, state__in=[RenewalState.SUBMITTED, RenewalState.UNDER_REVIEW]
    ).update(state=RenewalState.RENEWED, decided_at=timezone.now(), decided_by=actor)
    if updated != 1:
        raise ActionRefused(_("This renewal was already decided."))
    next_due = due_in(renewal.association, renewal.due.year + 1)
    # Every category held, renewed together by the one renewal.
    held = Credential.objects.filter(person=renewal.person, association=renewal.association, status__in=HELD)
    renewed_ids = list(held.values_list("pk", flat=True))
    held.update(valid_through=next_due)
    send_credentials_changed(renewal.association, "renewed", renewed_ids)
    record(actor=actor, verb="endorsement.renewal.renewed", association=renewal.association, target=renewal,
           data={"automatic": automatic, "valid_through": next_due.isoformat()})  # fmt: skip
    person = renewal.person

    def mail() -> None:
        with translation.override(person.preferred_language):
            body = _(
                "Your Endorsement is renewed through %(date)s. Thank you.\n\n"
                "Download your renewed credential and certificate at %(url)s: files you downloaded "
                "before still show the old end date."
            ) % {"date": next_due.isoformat(), "url": f"{settings.SITE_URL}{reverse('credentials_me:mine')}"}
            send_mail(str(_("Your Endorsement is renewed")), str(body), None, [person.email])

    transaction.on_commit(mail)
    renewal.refresh_from_db()
    return renewal


@transaction.atomic
def return_renewal(*, actor: User, renewal: Renewal, note: str) -> None:
    if not note.strip():
        raise ValidationError({"note": _("Say what the member should change.")})
    if not Renewal.objects.filter(pk=renewal.pk, state=RenewalState.UNDER_REVIEW).update(
        state=RenewalState.RETURNED, note=note, decided_by=actor, decided_at=timezone.now()
    ):
        raise ActionRefused(_("This renewal was already decided."))
    record(
        actor=actor,
        verb="endorsement.renewal.returned",
        association=renewal.association,
        target=renewal,
        data={"note": note},
    )


@transaction.atomic
def mark_reminder_bounced(*, actor: User | None, reminder: Reminder, delivery: str = "") -> None:
    """A bounce recorded by staff, or by the mail provider's report (``delivery`` says what it
    reported), so the member can be reached another way."""
    if not Reminder.objects.filter(pk=reminder.pk, bounced_at__isnull=True).update(bounced_at=timezone.now()):
        raise ActionRefused(_("Already recorded as bounced."))
    reported = {"reported_by": "provider", "delivery": delivery} if delivery else {}
    record(actor=actor, verb="endorsement.reminder.bounced", association=reminder.association, target=reminder.person,
           data={"due": reminder.due.isoformat(), **reported})  # fmt: skip


# --- Status changes ---------------------------------------------------------------------------


@transaction.atomic
def set_inactive(*, actor: User, credential: Credential, until: date) -> None:
    """Inactive for illness, a move, leave: up to two years, membership kept."""
    today = timezone.localdate()
    if not today < until <= today + timedelta(days=731):
        raise ValidationError({"until": _("Inactive status lasts up to two years.")})
    if not Credential.objects.filter(pk=credential.pk, status=CredentialStatus.ACTIVE).update(
        status=CredentialStatus.INACTIVE, inactive_until=until
    ):
        raise ActionRefused(_("Only an active credential can become inactive."))
    send_credentials_changed(credential.association, "inactive", [credential.pk])
    record(actor=actor, verb="endorsement.credential.inactive", association=credential.association, target=credential,
           data={"until": until.isoformat()})  # fmt: skip


@transaction.atomic
def reactivate(*, actor: User, credential: Credential) -> None:
    today = timezone.localdate()
    if not Credential.objects.filter(pk=credential.pk, status=CredentialStatus.INACTIVE).update(
        status=CredentialStatus.ACTIVE, inactive_until=None, valid_through=first_due(credential.association, today)
    ):
        raise ActionRefused(_("Only an inactive credential can be reactivated."))
    send_credentials_changed(credential.association, "reactivated", [credential.pk])
    record(
        actor=actor, verb="endorsement.credential.reactivated", association=credential.association, target=credential
    )


@transaction.atomic
def change_status(*, actor: User, credential: Credential, status: str) -> None:
    """Archive a category (off the registry, on request) or grant emeritus status."""
    allowed = {CredentialStatus.ARCHIVED: [CredentialStatus.ACTIVE, CredentialStatus.INACTIVE],
               CredentialStatus.EMERITUS: [CredentialStatus.ACTIVE]}  # fmt: skip
    status = CredentialStatus(status)
    if status not in allowed or not Credential.objects.filter(pk=credential.pk, status__in=allowed[status]).update(
        status=status
    ):
        raise ActionRefused(_("That change is not possible from the credential's current status."))
    send_credentials_changed(credential.association, status.value, [credential.pk])
    record(
        actor=actor,
        verb=f"endorsement.credential.{status.value}",
        association=credential.association,
        target=credential,
    )


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason: it is kept in the audit log.")})
    return reason[:1000]


@transaction.atomic
def suspend_credential(*, actor: User, credential: Credential, reason: str) -> None:
    """Suspend an active credential (an investigation, an unpaid debt): off the directory,
    "not current" on verification, the suspension bit set in the status list."""
    reason = _reason(reason)
    if not Credential.objects.filter(pk=credential.pk, status=CredentialStatus.ACTIVE).update(
        status=CredentialStatus.SUSPENDED
    ):
        raise ActionRefused(_("Only an active credential can be suspended."))
    send_credentials_changed(credential.association, "suspended", [credential.pk])
    record(actor=actor, verb="endorsement.credential.suspended", association=credential.association,
           target=credential, data={"reason": reason})  # fmt: skip


@transaction.atomic
def restore_credential(*, actor: User, credential: Credential, reason: str) -> None:
    """Lift a suspension: the credential is active again with its dates unchanged."""
    reason = _reason(reason)
    if not Credential.objects.filter(pk=credential.pk, status=CredentialStatus.SUSPENDED).update(
        status=CredentialStatus.ACTIVE
    ):
        raise ActionRefused(_("Only a suspended credential can be restored."))
    send_credentials_changed(credential.association, "restored", [credential.pk])
    record(actor=actor, verb="endorsement.credential.restored", association=credential.association,
           target=credential, data={"reason": reason})  # fmt: skip


@transaction.atomic
def revoke_credential(*, actor: User, credential: Credential, reason: str) -> None:
    """Revoke a credential for good (an ethics finding, fraud): it cannot be restored."""
    reason = _reason(reason)
    if not (
        Credential.objects.filter(pk=credential.pk)
        .exclude(status=CredentialStatus.REVOKED)
        .update(status=CredentialStatus.REVOKED, inactive_until=None)
    ):
        raise ActionRefused(_("This credential is already revoked."))
    send_credentials_changed(credential.association, "revoked", [credential.pk])
    record(actor=actor, verb="endorsement.credential.revoked", association=credential.association,
           target=credential, data={"reason": reason})  # fmt: skip


# --- The daily job ------------------------------------------------------------------------------

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


def next_renewal_due(person: User, association: Association) -> date | None:
    value = Credential.objects.filter(person=person, association=association, status__in=HELD).aggregate(
        due=Min("valid_through")
    )["due"]
    return value
