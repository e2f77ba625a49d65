from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
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


TYPE_FIELDS = ["kind", "name", "price", "counts_for_endorsement", "active"]
CENT = Decimal("0.01")


def _audit_value(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _clean_type_values(values: dict[str, Any]) -> dict[str, Any]:
    """The given fields of a membership type, normalised; a bad value raises naming its field."""
    cleaned = {field: values[field] for field in TYPE_FIELDS if field in values}
    errors: dict[str, str] = {}
    if "name" in cleaned:
        cleaned["name"] = str(cleaned["name"] or "").strip()
        if not cleaned["name"]:
            errors["name"] = _("Give the membership type a name.")
    if "price" in cleaned:
        try:
            price = Decimal(str(cleaned["price"]))
        except InvalidOperation:
            price = None
        if price is None or not price.is_finite():
            errors["price"] = _("Enter the price as a number, such as 45.00.")
        elif price < 0:
            errors["price"] = _("The price cannot be negative; a waiver or scholarship brings it to zero.")
        elif price != price.quantize(CENT):
            errors["price"] = _("The price has at most two decimal places.")
        else:
            cleaned["price"] = price.quantize(CENT)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_type(membership_type: MembershipType) -> None:
    """Field rules, and one offered type per name (case-insensitive) in the association."""
    membership_type.full_clean(exclude=["association"], validate_constraints=False)
    if membership_type.active:
        taken = (
            MembershipType.objects.filter(association_id=membership_type.association_id, active=True,
                                          name__iexact=membership_type.name)
            .exclude(pk=membership_type.pk)
            .exists()
        )  # fmt: skip
        if taken:
            raise ValidationError(
                {"name": _("The association already offers a membership type named “%(name)s”.")
                 % {"name": membership_type.name}}
            )  # fmt: skip


def _save_type(membership_type: MembershipType, **kwargs: Any) -> None:
    try:
        with transaction.atomic():
            membership_type.save(**kwargs)
    except IntegrityError:
        # The partial unique index stands behind the check above (the association row is locked).
        raise ValidationError(
            {"name": _("The association already offers a membership type named “%(name)s”.")
             % {"name": membership_type.name}}
        ) from None  # fmt: skip


@transaction.atomic
def create_membership_type(*, actor: User, association: Association, values: dict[str, Any]) -> MembershipType:
    """A new type the association offers (staff Membership page). Audited once."""
    cleaned = _clean_type_values(values)
    # Locked: two admins creating the same name at once make one type; the other is told.
    association = Association.objects.select_for_update().get(pk=association.pk)
    membership_type = MembershipType(association=association, **cleaned)
    _check_type(membership_type)
    _save_type(membership_type)
    record(
        actor=actor,
        verb="membership.type.created",
        association=association,
        target=membership_type,
        data={field: _audit_value(getattr(membership_type, field)) for field in TYPE_FIELDS},
    )
    return membership_type


@transaction.atomic
def update_membership_type(*, actor: User, membership_type: MembershipType, values: dict[str, Any]) -> list[str]:
    """Change a type; returns the names of the fields that changed (nothing recorded when
    none did). A type is never deleted here: ``active=False`` stops offering it, and the
    terms people hold of it stay as they are."""
    cleaned = _clean_type_values(values)
    association = Association.objects.select_for_update().get(pk=membership_type.association_id)
    membership_type = MembershipType.objects.select_for_update().get(pk=membership_type.pk)
    changed = {field: value for field, value in cleaned.items() if getattr(membership_type, field) != value}
    if not changed:
        return []
    before = {field: _audit_value(getattr(membership_type, field)) for field in changed}
    for field, value in changed.items():
        setattr(membership_type, field, value)
    _check_type(membership_type)
    _save_type(membership_type, update_fields=list(changed))
    record(
        actor=actor,
        verb="membership.type.changed",
        association=association,
        target=membership_type,
        data={"changed": sorted(changed), "before": before,
              "after": {field: _audit_value(value) for field, value in changed.items()}},
    )  # fmt: skip
    return sorted(changed)


@transaction.atomic
def add_term(*, actor: User | None, person: User, association: Association, on: date, source: str,
             membership_type: MembershipType | None = None) -> Term:  # fmt: skip
    start, end = term_for(association, on)
    # The person is locked before their latest term is read: two payments settling at once
    # (two membership invoices) give two consecutive terms, never two of the same year.
    User.objects.select_for_update().filter(pk=person.pk).first()
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
