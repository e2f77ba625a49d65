"""The person's workforce profile and the yearly check-in (spec: workforce-checkin.md)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from attunement.people.languages import WORK_LANGUAGES
from attunement.workforce.labels import BARRIER_LABELS, EBT_LABELS, RACE_LABELS, TOPIC_LABELS
from attunement.workforce.models import ROLE_CHOICES, SERVICE_LEVEL_CHOICES, Programme, WorkforceProfile

YES_NO = [("", _("Prefer not to answer")), ("yes", _("Yes")), ("no", _("No"))]
RACE_CHOICES = list(RACE_LABELS.items())


class ProfileForm(forms.ModelForm[WorkforceProfile]):
    race_ethnicity = forms.MultipleChoiceField(
        label=_("Race and ethnicity (choose all that apply)"),
        choices=RACE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Kept only while you consent above, and only ever counted in groups of 10 or more."),
    )

    class Meta:
        model = WorkforceProfile
        fields = [
            "role",
            "sector",
            "service_level",
            "region",
            "programme",
            "caseload",
            "paid_hours_week",
            "worked_hours_week",
            "annual_salary",
            "demographics_consent",
            "race_ethnicity",
        ]
        help_texts = {
            "region": _("The county, city or area where you mostly work."),
            "programme": _("If your association lists your programme, choose it: it counts toward coverage."),
            "annual_salary": _("Before tax, from this job. Optional; only medians of 10 or more people are shown."),
            "demographics_consent": _("You can withdraw at any time; your answers are then deleted."),
        }

    def __init__(self, *args: Any, programmes: QuerySet[Programme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        self.fields["service_level"].choices = [("", _("Not given")), *SERVICE_LEVEL_CHOICES]  # type: ignore[attr-defined]
        if self.instance.race_ethnicity:
            self.initial["race_ethnicity"] = self.instance.race_ethnicity

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        races = data.get("race_ethnicity") or []
        if races and not data.get("demographics_consent"):
            self.add_error("race_ethnicity", _("Tick the consent box first, or leave race and ethnicity empty."))
        if "prefer_not_to_say" in races and len(races) > 1:
            self.add_error("race_ethnicity", _("“Prefer not to say” cannot be combined with other answers."))
        return data


def _multi(label: Any, labels: dict[str, Any], help_text: Any = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=list(labels.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=help_text,
    )


class CheckinForm(forms.Form):
    """The spec's items; the profile's answers come prefilled, the rest take a minute."""

    role = forms.ChoiceField(label=_("Your main role"), choices=ROLE_CHOICES)
    service_level = forms.ChoiceField(
        label=_("Your main service level"), choices=[("", _("Not given")), *SERVICE_LEVEL_CHOICES], required=False
    )
    region = forms.CharField(label=_("Region where you mostly work"), max_length=120, required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages you work in"), choices=WORK_LANGUAGES, widget=forms.CheckboxSelectMultiple, required=False
    )
    specialized_training_foundations = forms.ChoiceField(
        label=_("Do you have specialised training in at least one IECMH foundation area?"),
        choices=YES_NO,
        required=False,
        widget=forms.RadioSelect,
    )
    ebt_trained = _multi(
        _("Evidence-based treatment models you are trained in"),
        EBT_LABELS,
        _("Choose “None” if you are trained in none; leave all empty to skip."),
    )
    endorsed = forms.ChoiceField(
        label=_("Do you hold IMH-E® or ECMH-E® Endorsement?"), choices=YES_NO, required=False, widget=forms.RadioSelect
    )
    received_rs = forms.ChoiceField(
        label=_("Have you received reflective supervision or consultation?"),
        choices=YES_NO,
        required=False,
        widget=forms.RadioSelect,
    )
    barriers = _multi(_("What keeps you from professional development?"), BARRIER_LABELS)
    desired_topics = _multi(_("Which training would you like?"), TOPIC_LABELS)
    paid_hours_week = forms.IntegerField(label=_("Paid hours a week"), min_value=0, max_value=168, required=False)
    worked_hours_week = forms.IntegerField(
        label=_("Hours you actually work a week"), min_value=0, max_value=168, required=False
    )
    annual_salary = forms.IntegerField(
        label=_("Annual salary (US dollars, before tax)"), min_value=0, max_value=2_000_000, required=False
    )
    caseload = forms.IntegerField(label=_("Caseload"), min_value=0, max_value=10_000, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        ebt = data.get("ebt_trained") or []
        if "none" in ebt and len(ebt) > 1:
            self.add_error("ebt_trained", _("“None” cannot be combined with a model."))
        return data
