"""The staff form for a membership type (the Membership staff page)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from attunement.membership.models import MembershipType


class MembershipTypeForm(forms.ModelForm[MembershipType]):
    """Field checks only; the action decides a name's uniqueness with the association locked."""

    class Meta:
        model = MembershipType
        fields = ["kind", "name", "price", "counts_for_endorsement", "active"]
        labels = {
            "kind": _("Kind"),
            "name": _("Name"),
            "price": _("Price"),
            "counts_for_endorsement": _("Counts for Endorsement"),
            "active": _("Offered"),
        }
        help_texts = {
            "kind": _("Individual, student, organisation or agency staff group."),
            "name": _("What members see when they join, such as “Individual” or “Student”."),
            "price": _("A year's price; 0 for a free membership. Waivers and scholarships are recorded on invoices."),
            "counts_for_endorsement": _(
                "Holding it makes a person a member for Endorsement. An organisational membership does not."
            ),
            "active": _(
                "Untick to stop offering it: nobody can join it any more, and the terms people hold stay as they are."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        price = self.fields["price"]
        price.validators.append(
            MinValueValidator(
                Decimal("0"), _("The price cannot be negative; a waiver or scholarship brings it to zero.")
            )
        )
        price.widget.attrs["min"] = "0"
