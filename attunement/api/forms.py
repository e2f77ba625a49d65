from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from attunement.api.models import WEBHOOK_EVENTS


class ClientForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=200)
    contact_name = forms.CharField(label=_("Contact person"), max_length=200, required=False)
    contact_email = forms.EmailField(label=_("Contact email"))


class KeyForm(forms.Form):
    label = forms.CharField(
        label=_("Label"), max_length=100, required=False, help_text=_("For example the system that will use it.")
    )


class QuotaForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, required=False)
    quota = forms.IntegerField(
        label=_("Requests per minute"),
        min_value=1,
        max_value=1_000_000,
        required=False,
        help_text=_("Leave empty for the default."),
    )


class WebhookForm(forms.Form):
    url = forms.URLField(label=_("Address (https://)"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WEBHOOK_EVENTS,
        widget=forms.CheckboxSelectMultiple,
        initial=["lapsed", "suspended", "revoked", "renewed", "reinstated"],
    )
