"""The ways into invoices: staff of the invoice's association (the page's decorator checks the
role), and the person billed. Another association's invoice, or anyone else's, is a 404."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404

from attunement.associations.models import Association
from attunement.payments.models import Invoice


def get_invoice_for_user(user: Any, association: Association, number: str) -> Invoice:
    """An invoice of ``association`` by its number; another association's is a 404."""
    return get_object_or_404(Invoice, association=association, number=number)


def get_own_invoice(user: Any, number: str) -> Invoice:
    """An invoice billed to the person; anyone else's is a 404."""
    return get_object_or_404(Invoice, number=number, billed_to=user)
