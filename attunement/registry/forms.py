from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from attunement.people.languages import WORK_LANGUAGES
from attunement.registry.models import Accepting, Listing


class ListingForm(forms.ModelForm[Listing]):
    languages = forms.MultipleChoiceField(
        label=_("Languages you work in"), choices=WORK_LANGUAGES, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Listing
        fields = ["listed", "region", "languages", "accepting", "contact_email", "contact_url", "focus"]
        widgets = {"focus": forms.Textarea(attrs={"rows": 3, "maxlength": 500})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accepting"].choices = Accepting.choices  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial["languages"] = self.instance.language_codes

    def clean_languages(self) -> str:
        codes = self.cleaned_data.get("languages") or []
        return f" {' '.join(codes)} " if codes else ""

    def clean_region(self) -> str:
        return " ".join(str(self.cleaned_data.get("region", "")).split())
