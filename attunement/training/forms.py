from __future__ import annotations

import re
import zoneinfo
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from attunement.people.languages import WORK_LANGUAGES
from attunement.people.models import User
from attunement.portfolios.models import Ages
from attunement.training.actions import PartSpec
from attunement.training.attendance_file import MAX_BYTES
from attunement.training.models import Course, Delivery, Provider
from attunement.workforce.labels import ROLE_LABELS, SERVICE_LEVEL_LABELS, TOPIC_LABELS


class RegisterForm(forms.Form):
    scholarship = forms.BooleanField(label=_("I ask for a scholarship seat (no fee)"), required=False)


class AttendanceUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Attendance file (CSV)"),
        help_text=_("Columns: email, part, present (yes/no); or email, hours; or email, part, hours."),
    )

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        raw = upload.read()
        try:
            return str(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise forms.ValidationError(_("Save the file as CSV in UTF-8.")) from None


class ProviderForm(forms.Form):
    name = forms.CharField(label=_("Organisation name"), max_length=200)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    trainers = forms.CharField(
        label=_("Approved trainers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Their sign-in email addresses, one a line or separated by commas."),
    )

    def clean_trainers(self) -> list[Any]:
        emails = [e.strip().lower() for e in re.split(r"[,\s]+", self.cleaned_data["trainers"]) if e.strip()]
        found = {user.email.lower(): user for user in User.objects.filter(email__in=emails)}
        unknown = [email for email in emails if email not in found]
        if unknown:
            raise ValidationError(
                _("Nobody signs in with %(emails)s: ask them to create an account first.")
                % {"emails": ", ".join(unknown)}
            )
        return [found[email] for email in dict.fromkeys(emails)]


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class CourseForm(forms.Form):
    provider = forms.ModelChoiceField(Provider.objects.none(), label=_("Provider"), to_field_name="public_id")
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    topics = forms.MultipleChoiceField(
        label=_("Topics"), choices=list(TOPIC_LABELS.items()), widget=forms.CheckboxSelectMultiple, required=False
    )
    domains = forms.MultipleChoiceField(
        label=_("Competency domains"), choices=[], widget=forms.CheckboxSelectMultiple, required=False
    )
    dei = forms.BooleanField(label=_("About diversity, equity and inclusion"), required=False)
    about_rsc = forms.BooleanField(label=_("About providing RS/C"), required=False)
    clock_hours = forms.DecimalField(label=_("Clock hours"), min_value=Decimal("0.25"), max_digits=6, decimal_places=2)
    audience_roles = forms.MultipleChoiceField(
        label=_("For roles"), choices=list(ROLE_LABELS.items()), widget=forms.CheckboxSelectMultiple, required=False
    )
    audience_service_levels = forms.MultipleChoiceField(
        label=_("For service levels"),
        choices=list(SERVICE_LEVEL_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    age_band = forms.ChoiceField(label=_("Ages"), choices=[("", "—"), *Ages.choices], required=False)
    language = forms.ChoiceField(label=_("Language"), choices=WORK_LANGUAGES, initial="en")
    cost = forms.DecimalField(label=_("Cost (0 for free)"), min_value=Decimal(0), max_digits=8, decimal_places=2,
                              initial=Decimal(0))  # fmt: skip
    scholarship_seats = forms.IntegerField(label=_("Scholarship seats per session"), min_value=0, max_value=500,
                                           initial=0)  # fmt: skip

    def __init__(self, *args: Any, providers: Any, domains: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = providers  # type: ignore[attr-defined]
        self.fields["domains"].choices = domains  # type: ignore[attr-defined]

    def course_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("provider")
        data["cost_cents"] = int(data.pop("cost") * 100)
        return data


class SessionForm(forms.Form):
    course = forms.ModelChoiceField(Course.objects.none(), label=_("Course"), to_field_name="public_id")
    parts = forms.CharField(
        label=_("Dates"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One part a line: date, start time and clock hours, for example 2026-03-14 09:00 3.5"),
    )
    delivery = forms.ChoiceField(label=_("Delivery"), choices=Delivery.choices)
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    place = forms.CharField(label=_("Place or link"), max_length=300, required=False)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=10000)

    def __init__(self, *args: Any, courses: Any, time_zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses  # type: ignore[attr-defined]
        self.time_zone = zoneinfo.ZoneInfo(time_zone)

    def clean_parts(self) -> list[PartSpec]:
        specs = []
        for number, line in enumerate(self.cleaned_data["parts"].splitlines(), start=1):
            if not line.strip():
                continue
            try:
                day, start, hours = line.split()
                starts_at = datetime.combine(date.fromisoformat(day), time.fromisoformat(start), tzinfo=self.time_zone)
                length = Decimal(hours.replace(",", "."))
            except (ValueError, InvalidOperation):
                raise ValidationError(
                    _("Line %(n)s: write a date, a start time and hours, for example 2026-03-14 09:00 3.5"),
                    params={"n": number},
                ) from None
            if not Decimal("0.25") <= length <= 24:
                raise ValidationError(_("Line %(n)s: hours must be from 0.25 to 24."), params={"n": number})
            specs.append(PartSpec(starts_at, starts_at + timedelta(minutes=int(length * 60)), length))
        if not specs:
            raise ValidationError(_("Give at least one date."))
        return specs
