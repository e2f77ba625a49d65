"""An association admin sets and removes fees on the fees page; bad input names its field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse

from attunement.audit.models import AuditEvent
from attunement.payments.actions import fee_for

URL = reverse("fees:save", kwargs={"association_slug": "riverbend"})


def test_an_admin_sets_and_removes_fees_exactly(personas: dict[str, Any], client_for: Any, riverbend: Any) -> None:
    client = client_for(personas["admin"])
    assert (
        client.post(URL, {"fee-kind": "processing", "fee-category": "IMHS", "fee-amount": "200.10"}).status_code == 302
    )
    assert client.post(URL, {"fee-kind": "processing", "fee-category": "", "fee-amount": "100"}).status_code == 302
    assert fee_for(riverbend, "processing", "IMHS") == Decimal("200.10")
    assert fee_for(riverbend, "processing", "IFS") == Decimal("100.00")
    bad = client.post(URL, {"fee-kind": "processing", "fee-category": "", "fee-amount": "-5"})
    assert bad.status_code == 400
    assert "amount" in bad.context["form"].errors
    client.post(URL, {"fee-kind": "processing", "fee-category": "IMHS", "fee-amount": ""})
    assert fee_for(riverbend, "processing", "IMHS") == Decimal("100.00")
    assert AuditEvent.objects.filter(verb="payments.fee.set").count() == 3


def test_the_fees_page_lists_the_fees(personas: dict[str, Any], client_for: Any) -> None:
    client = client_for(personas["admin"])
    client.post(URL, {"fee-kind": "processing", "fee-category": "", "fee-amount": "75"})
    page = client.get(reverse("fees:list", kwargs={"association_slug": "riverbend"}))
    assert page.status_code == 200
    assert "75.00" in page.content.decode()


def test_the_fees_page_has_a_pinned_query_count(personas: dict[str, Any], client_for: Any) -> None:
    from attunement.lib.testing import count_queries, pin_queries

    client = client_for(personas["admin"])
    page = reverse("fees:list", kwargs={"association_slug": "riverbend"})
    client.get(page)  # warm the session and the association's cache
    assert count_queries(lambda: client.get(page)) == 6  # session, user, second-factor check, association, roles, fees
    for kind, amount in (("processing", "10"), ("renewal", "20"), ("exam", "30")):
        client.post(URL, {"fee-kind": kind, "fee-category": "", "fee-amount": amount})
    with pin_queries(6):  # more fees, the same queries
        client.get(page)
