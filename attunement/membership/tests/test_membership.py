from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from attunement.membership import actions
from attunement.membership.models import MembershipType, Term
from attunement.payments.actions import record_payment
from attunement.payments.models import InvoiceStatus


def test_a_term_bought_after_the_cutoff_runs_to_the_end_of_next_year(riverbend: Any) -> None:
    assert actions.term_for(riverbend, date(2026, 9, 30)) == (date(2026, 9, 30), date(2026, 12, 31))
    assert actions.term_for(riverbend, date(2026, 10, 1)) == (date(2026, 10, 1), date(2027, 12, 31))


def test_joining_by_type_at_its_price_and_a_student_scholarship(
    riverbend: Any, personas: dict[str, Any], make_person: Any
) -> None:
    student = MembershipType.objects.create(
        association=riverbend, kind="student", name="Student", price=Decimal("20.00")
    )
    member = make_person("student@example.org")
    invoice = actions.join(actor=member, person=member, association=riverbend, membership_type=student)
    assert invoice.total == Decimal("20.00")
    record_payment(
        actor=personas["coordinator"],
        invoice=invoice,
        method="scholarship",
        amount=Decimal("20.00"),
        reason="Student scholarship",
    )
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.WAIVED
    term = Term.objects.get(person=member)
    assert term.membership_type == student


def test_an_organisational_membership_does_not_make_a_person_a_member(riverbend: Any, make_person: Any) -> None:
    organisation = MembershipType.objects.create(association=riverbend, kind="organisation", name="Agency", price=Decimal("0"),
                                                 counts_for_endorsement=False)  # fmt: skip
    contact = make_person("agency@example.org")
    actions.join(actor=contact, person=contact, association=riverbend, membership_type=organisation)
    assert not Term.objects.filter(person=contact).exists()


def test_another_associations_type_is_refused(riverbend: Any, cascade: Any, make_person: Any) -> None:
    theirs = MembershipType.objects.create(association=cascade, kind="individual", name="Cascade", price=Decimal("50"))
    person = make_person("p@example.org")
    with pytest.raises(ValidationError):
        actions.join(actor=person, person=person, association=riverbend, membership_type=theirs)


def test_renewing_while_a_term_runs_continues_it(riverbend: Any, make_person: Any) -> None:
    person = make_person("renew@example.org")
    actions.add_term(actor=None, person=person, association=riverbend, on=date(2026, 3, 1), source="x")
    second = actions.add_term(actor=None, person=person, association=riverbend, on=date(2026, 11, 20), source="y")
    assert (second.valid_from, second.valid_through) == (date(2027, 1, 1), date(2027, 12, 31))


@pytest.mark.django_db(transaction=True)
def test_two_membership_payments_settling_at_once_give_consecutive_terms(riverbend: Any, make_person: Any) -> None:
    """Issue 16.1: each settlement reads the latest term with the person locked."""
    from attunement.lib.testing import race

    person = make_person("twice@example.org")
    on = date(2026, 3, 1)

    def settle() -> Term:
        return actions.add_term(actor=None, person=person, association=riverbend, on=on, source="payment")

    outcome = race(settle, settle)
    assert outcome.errors == []
    first, second = Term.objects.filter(person=person).order_by("valid_from")
    assert (first.valid_from, first.valid_through) == (date(2026, 3, 1), date(2026, 12, 31))
    assert (second.valid_from, second.valid_through) == (date(2027, 1, 1), date(2027, 12, 31))
