from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse

from attunement.payments.actions import Line, issue_invoice
from attunement.payments.models import Invoice, InvoiceStatus


def test_staff_combine_invoices_into_one_for_an_agency_and_record_its_cheque(
    personas: dict[str, Any], client_for: Any, riverbend: Any, make_person: Any
) -> None:
    people = [make_person(f"hv{i}@example.org") for i in range(2)]
    for person in people:
        issue_invoice(
            actor=None,
            association=riverbend,
            billed_to=person,
            lines=[Line("membership", "Membership", Decimal("60.00"), person=person)],
        )
    client = client_for(personas["coordinator"])
    base = reverse("payments:invoices", kwargs={"association_slug": "riverbend"})
    numbers = list(Invoice.objects.values_list("number", flat=True))
    response = client.post(
        base + "combine", {"invoice": numbers, "agency": "Family Center", "contact": personas["admin"].email}
    )
    assert response.status_code == 302
    combined = Invoice.objects.get(billed_name="Family Center")
    assert combined.total == Decimal("120.00")
    client.post(base + f"{combined.number}/payment", {"method": "cheque", "amount": "120.00", "reference": "889"})
    combined.refresh_from_db()
    assert combined.status == InvoiceStatus.PAID
    assert client.get(base, {"status": "void"}).status_code == 200


def test_a_payment_recorded_twice_is_one_payment(riverbend: Any, personas: dict[str, Any], make_person: Any) -> None:
    import pytest
    from django.core.exceptions import ValidationError

    from attunement.payments.actions import record_payment
    from attunement.payments.models import Payment

    person = make_person("twice@example.org")
    invoice = issue_invoice(
        actor=None, association=riverbend, billed_to=person, lines=[Line("membership", "Membership", Decimal("60.00"))]
    )
    record_payment(
        actor=personas["coordinator"], invoice=invoice, method="cheque", amount=Decimal("30.00"), reference="1207"
    )
    with pytest.raises(ValidationError, match="already recorded"):
        record_payment(
            actor=personas["coordinator"], invoice=invoice, method="cheque", amount=Decimal("30.00"), reference="1207"
        )
    assert Payment.objects.filter(invoice=invoice).count() == 1
