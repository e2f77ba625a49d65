from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from attunement.lib.categories import blank_or_category
from attunement.payments.models import FeeKind


class FeeForm(forms.Form):
    kind = forms.ChoiceField(label=_("Fee"), choices=FeeKind.choices)
    category = forms.ChoiceField(
        label=_("Category"), choices=lambda: blank_or_category(str(_("Every category"))), required=False
    )
    amount = forms.DecimalField(
        label=_("Amount"), min_value=Decimal(0), max_digits=9, decimal_places=2, required=False,
        help_text=_("Leave empty to remove the fee."),
    )  # fmt: skip
