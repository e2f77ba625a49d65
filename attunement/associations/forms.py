from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from attunement.associations.models import Association, AssociationPolicy, Role
from attunement.lib.categories import category_choices
from attunement.lib.uploads import sniff_image


class AssociationForm(forms.ModelForm[Association]):
    class Meta:
        model = Association
        fields = ["name", "short_name", "state", "country", "contact_email", "contact_phone", "website", "time_zone"]

    def clean_country(self) -> str:
        return str(self.cleaned_data["country"]).upper()


class LogoForm(forms.Form):
    logo = forms.FileField(label=_("Logo"), help_text=_("PNG, JPEG, GIF or WebP, at most 1 MB."))

    def clean_logo(self) -> Any:
        logo = self.cleaned_data["logo"]
        if logo.size > settings.ASSOCIATION_LOGO_MAX_BYTES:
            raise forms.ValidationError(_("The logo is larger than 1 MB."))
        extension = sniff_image(logo)
        if extension is None:
            raise forms.ValidationError(_("The logo must be a PNG, JPEG, GIF or WebP image."))
        logo.name = f"logo.{extension}"
        return logo


def _month_field(label: StrOrPromise, help_text: StrOrPromise = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, choices=list(MONTHS.items()), coerce=int, help_text=help_text)


class PolicyForm(forms.ModelForm[AssociationPolicy]):
    languages_offered = forms.MultipleChoiceField(
        label=_("Languages offered"),
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
    )
    categories_offered = forms.MultipleChoiceField(
        label=_("Categories offered"),
        choices=category_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("None ticked: every category of the rule set."),
    )
    review_dates = forms.CharField(
        label=_("Fixed review dates"),
        required=False,
        help_text=_("For fixed dates: YYYY-MM-DD, separated by commas."),
    )
    membership_cutoff_month = _month_field(
        _("Membership cutoff month"), _("A membership bought on or after this date runs to the end of the next year.")
    )
    renewal_due_month = _month_field(_("Renewal due month"))

    class Meta:
        model = AssociationPolicy
        fields = [
            "languages_offered", "residency_rule", "membership_cutoff_month", "membership_cutoff_day",
            "renewal_due_month", "renewal_due_day", "renewal_grace_days", "reviewers_per_application",
            "public_directory", "categories_offered", "review_schedule", "review_dates", "application_window_days",
            "exam_approval_days", "exam_retake_wait_days", "renewal_auto_approve", "renewal_audit_percent", "reminder_days",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance and not self.is_bound:
            self.initial["review_dates"] = ", ".join(self.instance.review_dates or [])

    def clean_reminder_days(self) -> list[int]:
        days = self.cleaned_data.get("reminder_days") or []
        if not isinstance(days, list) or not all(
            isinstance(d, int) and not isinstance(d, bool) and -365 <= d <= 365 for d in days
        ):
            raise forms.ValidationError(_("A list of whole numbers of days, for example [90, 30, 7, 0, -7]."))
        return sorted(set(days), reverse=True)

    def clean_review_dates(self) -> list[str]:
        raw = self.cleaned_data.get("review_dates") or ""
        dates = []
        for part in (p.strip() for p in str(raw).split(",")):
            if not part:
                continue
            try:
                dates.append(date.fromisoformat(part).isoformat())
            except ValueError:
                raise forms.ValidationError(_("“%(value)s” is not a date YYYY-MM-DD.") % {"value": part}) from None
        return sorted(set(dates))


class GrantRoleForm(forms.Form):
    email = forms.EmailField(label=_("Email address of the person"))
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("Choose a role")), *Role.choices])

    def clean_email(self) -> str:
        # Not looked up: whether the address has an account is none of this form's business
        # (the invitation goes out either way).
        return str(self.cleaned_data["email"]).strip().lower()
