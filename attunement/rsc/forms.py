from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from attunement.associations.models import Association
from attunement.lib.categories import blank_or_category
from attunement.people.languages import WORK_LANGUAGES
from attunement.rsc.models import Group, ProviderProfile

DATE = forms.DateInput(attrs={"type": "date"})


class ProfileForm(forms.ModelForm[ProviderProfile]):
    association = forms.ModelChoiceField(
        Association.objects.filter(is_active=True).order_by("name"), label=_("association"), to_field_name="slug"
    )
    languages = forms.MultipleChoiceField(
        label=_("languages"), choices=WORK_LANGUAGES, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ProviderProfile
        fields = ["accepting_new", "offers_individual", "offers_group", "languages", "virtual", "regions",
                  "fee_range", "focus"]  # fmt: skip
        widgets = {"focus": forms.Textarea(attrs={"rows": 4})}


class GroupForm(forms.ModelForm[Group]):
    class Meta:
        model = Group
        fields = ["name", "schedule", "starts", "ends", "meeting_hours", "capacity", "language", "virtual", "region"]
        widgets = {"starts": DATE, "ends": DATE}

    def __init__(self, *args: Any, providers: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if providers is not None:
            self.fields["provider"] = forms.ModelChoiceField(providers, label=_("provider"), to_field_name="public_id")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts") and data.get("ends") and data["ends"] < data["starts"]:
            self.add_error("ends", _("The last meeting cannot be before the first."))
        return data


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("programme name"), max_length=150)
    sector = forms.CharField(label=_("sector"), max_length=200, required=False,
                             help_text=_("For example: home visiting, Early Head Start."))  # fmt: skip
    count = forms.IntegerField(label=_("number of groups"), min_value=1, max_value=200, initial=1)
    providers = forms.ModelMultipleChoiceField(
        ProviderProfile.objects.none(),
        label=_("providers"),
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The groups are shared among the providers chosen, in turn."),
    )
    schedule = forms.CharField(
        label=_("schedule"), max_length=200, help_text=_("For example: twice monthly for six months.")
    )
    starts = forms.DateField(label=_("first meeting"), widget=DATE)
    ends = forms.DateField(label=_("last meeting"), widget=DATE)
    meeting_hours = forms.DecimalField(
        label=_("hours per meeting"), min_value=0.25, max_value=12, decimal_places=2, initial=1.5
    )
    capacity = forms.IntegerField(label=_("places per group"), min_value=1, max_value=100, initial=8)
    language = forms.ChoiceField(label=_("language"), choices=WORK_LANGUAGES, initial="en")
    virtual = forms.BooleanField(label=_("meets by video"), required=False)
    region = forms.CharField(label=_("region"), max_length=100, required=False)

    def __init__(self, *args: Any, providers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["providers"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = providers

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("starts") and data.get("ends") and data["ends"] < data["starts"]:
            self.add_error("ends", _("The last meeting cannot be before the first."))
        return data


class AttendanceForm(forms.Form):
    date = forms.DateField(label=_("meeting date"), widget=DATE)
    hours = forms.DecimalField(label=_("hours"), min_value=0.25, max_value=12, decimal_places=2)
    present = forms.MultipleChoiceField(label=_("members present"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["present"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = members


class SessionForm(forms.Form):
    date = forms.DateField(label=_("date of the session"), widget=DATE)
    hours = forms.DecimalField(label=_("hours"), min_value=0.25, max_value=12, decimal_places=2)
    provider = forms.ModelChoiceField(
        ProviderProfile.objects.none(),
        label=_("provider listed here"),
        required=False,
        to_field_name="public_id",
        help_text=_("Choose your provider if they are listed; they confirm the session in Attunement."),
    )
    provider_name = forms.CharField(label=_("or the provider's name"), max_length=200, required=False)
    provider_email = forms.EmailField(
        label=_("and their email"), required=False, help_text=_("We email them a link to confirm the session.")
    )

    def __init__(self, *args: Any, providers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["provider"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = providers

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("provider") and not (data.get("provider_name") and data.get("provider_email")):
            self.add_error("provider_name", _("Choose a provider, or give the provider's name and email."))
        return data


class LinkConfirmForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("your answer"),
        choices=[("confirm", _("I provided this session")), ("decline", _("I did not provide this session"))],
        widget=forms.RadioSelect,
    )
    category = forms.ChoiceField(
        label=_("your Endorsement"), choices=lambda: blank_or_category(str(_("None"))), required=False
    )
    since = forms.DateField(label=_("endorsed since"), required=False, widget=DATE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("category") and not data.get("since"):
            self.add_error("since", _("Give the date you were endorsed in that category."))
        return data


class RequestForm(forms.Form):
    message = forms.CharField(
        label=_("message to the provider"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example your work, the times that suit you, and whether you meet by video."),
    )
