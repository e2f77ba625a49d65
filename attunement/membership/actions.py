from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attunement.associations.models import Association
from attunement.audit.actions import record
from attunement.membership.models import MembershipType, Term
from attunement.payments import settlement
from attunement.payments.actions import Line, fee_for, issue_invoice
from attunement.payments.models import FeeKind, Invoice, InvoiceLine
from attunement.people.models import User


def term_for(association: Association, bought_on: date) -> tuple[date, date]:
    """A calendar-year term; bought on or after the cutoff, it runs to the end of next year."""
    policy = association.policy
    month, day = policy.membership_cutoff_month, policy.membership_cutoff_day
    cutoff = date(bought_on.year, month, min(day, calendar.monthrange(bought_on.year, month)[1]))
    year = bought_on.year + 1 if bought_on >= cutoff else bought_on.year
    return bought_on, date(year, 12, 31)


@transaction.atomic
def add_term(*, actor: User | None, person: User, association: Association, on: date, source: str,
             membership_type: MembershipType | None = None) -> Term:  # fmt: skip
    start, end = term_for(association, on)
    latest = Term.objects.filter(person=person, association=association).order_by("-valid_through").first()
    if latest is not None and latest.valid_through >= start:
        # A renewal while a term runs continues it with the next calendar year.
        start, end = latest.valid_through + timedelta(days=1), date(latest.valid_through.year + 1, 12, 31)
    term = Term.objects.create(
        person=person,
        association=association,
        valid_from=start,
        valid_through=end,
        source=source,
        membership_type=membership_type,
    )
    record(
        actor=actor,
        verb="membership.term.added",
        association=association,
        target=person,
        data={"from": start.isoformat(), "through": end.isoformat(), "source": source},
    )
    return term


@transaction.atomic
def join(
    *, actor: User, person: User, association: Association, membership_type: MembershipType | None = None
) -> Invoice:
    """Join (or renew): an invoice for the membership type's price (or the association's
    membership fee); the term starts when it is settled."""
    if membership_type is not None and (membership_type.association_id != association.pk or not membership_type.active):
        raise ValidationError({"membership_type": _("Choose one of the association's memberships.")})
    amount = membership_type.price if membership_type is not None else fee_for(association, FeeKind.MEMBERSHIP)
    name = (
        membership_type.name
        if membership_type is not None
        else _("Membership of %(association)s") % {"association": association.name}
    )
    purpose = f"membership.join:{person.public_id}:{membership_type.pk if membership_type is not None else ''}"
    return issue_invoice(
        actor=actor,
        association=association,
        billed_to=person,
        lines=[Line(FeeKind.MEMBERSHIP, str(name), amount, purpose, person)],
    )


@settlement.register("membership.join")
def _joined(line: InvoiceLine, actor: User | None) -> None:
    person = line.person or line.invoice.billed_to
    parts = line.purpose.split(":")
    membership_type = (
        MembershipType.objects.filter(pk=int(parts[2])).first() if len(parts) > 2 and parts[2].isdigit() else None
    )
    if membership_type is not None and not membership_type.counts_for_endorsement:
        record(actor=actor, verb="membership.organisation.joined", association=line.invoice.association, target=person,
               data={"type": membership_type.name})  # fmt: skip
        return
    add_term(actor=actor, person=person, association=line.invoice.association, on=timezone.localdate(),
             source=line.invoice.number, membership_type=membership_type)  # fmt: skip
