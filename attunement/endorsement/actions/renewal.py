"""Keeping Endorsement: the yearly renewal judged by the engine (one renewal, one fee, every
category held), its fee hook, staff approving or returning it, and a bounced reminder."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from attunement.associations.models import Association
from attunement.audit.actions import record
from attunement.endorsement.eligibility import renewal_reports
from attunement.endorsement.models import Credential, Reminder, Renewal, RenewalState
from attunement.endorsement.renewal_dates import HELD, due_in, first_due, held_credentials
from attunement.endorsement.signals import send_credentials_changed
from attunement.lib.errors import ActionRefused
from attunement.payments import settlement
from attunement.payments.actions import Line, fee_for, issue_invoice
from attunement.payments.models import FeeKind, InvoiceLine
from attunement.people.models import User

RENEWAL_TARGET = "endorsement.renewal"


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
    judgement = renewal_reports(person, association)
    unmet = [
        f"{category}: {r['summary']}"
        for category, report in judgement.reports.items()
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
                person=person, association=association, due=due, reports=judgement.stored(), audited=audited
            )
    except IntegrityError:
        raise ValidationError({"renewal": _("This year's renewal is already submitted.")}) from None
    record(actor=actor, verb="endorsement.renewal.submitted", association=association, target=renewal,
           data={"categories": sorted(judgement.reports), "due": due.isoformat()})  # fmt: skip
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
