from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from attunement.people.languages import WORK_LANGUAGES
from attunement.people.models import User


class ProfileForm(forms.ModelForm[User]):
    languages = forms.MultipleChoiceField(
        label=_("Languages you work in"),
        choices=WORK_LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = User
        fields = [
            "legal_name",
            "preferred_name",
            "pronouns",
            "languages",
            "region",
            "preferred_language",
            "secondary_email",
        ]
        help_texts = {
            "legal_name": _("As it appears on your licence and transcripts."),
            "pronouns": _("Optional, for example she/her, he/him, they/them."),
        }
