from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attunement.associations.models import Association
from attunement.endorsement.rules.portfolio import DOMAINS
from attunement.lib.categories import blank_or_category
from attunement.lib.uploads import sniff_document
from attunement.portfolios.models import RSC, Comment, Education, License, Reference, Training, Verification, Work

DOMAIN_CHOICES = [
    ("theoretical-foundations", _("Theoretical Foundations")),
    ("law-regulation-policy", _("Law, Regulation & Agency Policy")),
    ("systems-expertise", _("Systems Expertise")),
    ("direct-service-skills", _("Direct Service Skills")),
    ("working-with-others", _("Working with Others")),
    ("communicating", _("Communicating")),
    ("thinking", _("Thinking")),
    ("reflection", _("Reflection")),
    ("administration", _("Administration")),
    ("research-evaluation", _("Research & Evaluation")),
]
assert [slug for slug, _label in DOMAIN_CHOICES] == list(DOMAINS)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def not_in_future(value: date | None, field: str) -> None:
    if value and value > timezone.localdate():
        raise forms.ValidationError({field: _("This date is in the future.")})


class EntryForm(forms.ModelForm[Any]):
    """Shared checks: dates the rules read cannot lie in the future; ends follow starts."""

    no_future: tuple[str, ...] = ()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for field in self.no_future:
            if data.get(field) and data[field] > timezone.localdate():
                self.add_error(field, _("This date is in the future."))
        start, end = data.get("start") or data.get("issued"), data.get("end") or data.get("expires")
        if start and end and end < start:
            self.add_error("end" if "end" in self.fields else "expires", _("This is before the start."))
        return data


class UploadMixin:
    upload_field = ""

    def clean_upload(self, upload: Any) -> Any:
        if not upload or not hasattr(upload, "size"):
            return upload
        if upload.size > settings.PORTFOLIO_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        extension = sniff_document(upload)
        if extension is None:
            raise forms.ValidationError(_("Upload a PDF or an image (PNG, JPEG, GIF, WebP)."))
        upload.name = f"document.{extension}"
        return upload


class EducationForm(UploadMixin, EntryForm):
    no_future = ("conferred",)

    class Meta:
        model = Education
        fields = ["level", "field", "institution", "conferred", "transcript"]
        widgets = {"conferred": DateInput()}
        help_texts = {"transcript": _("PDF or image, at most 10 MB. Staff verify it.")}

    def clean_transcript(self) -> Any:
        return self.clean_upload(self.cleaned_data.get("transcript"))


class LicenseForm(EntryForm):
    class Meta:
        model = License
        fields = ["kind", "mental_health", "jurisdiction", "issued", "expires"]
        widgets = {"issued": DateInput(), "expires": DateInput()}


class WorkForm(EntryForm):
    no_future = ("start",)

    class Meta:
        model = Work
        fields = [
            "employer",
            "title",
            "responsibilities",
            "start",
            "end",
            "paid",
            "fte",
            "service_level",
            "ages",
            "families_served",
            "social_emotional_focus",
            "relationship_focus",
            "dyadic_therapy",
            "supervised",
            "internship",
            "provides_rsc",
            "leadership",
            "supervisor_name",
            "supervisor_email",
        ]
        widgets = {"start": DateInput(), "end": DateInput(), "responsibilities": forms.Textarea(attrs={"rows": 4})}


class TrainingForm(UploadMixin, EntryForm):
    no_future = ("date",)
    domains = forms.MultipleChoiceField(
        label=_("Competency domains it covers"),
        choices=DOMAIN_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Training
        fields = ["title", "provider", "date", "hours", "domains", "dei", "about_rsc", "certificate"]
        widgets = {"date": DateInput()}

    def clean_certificate(self) -> Any:
        return self.clean_upload(self.cleaned_data.get("certificate"))


class RSCForm(EntryForm):
    no_future = ("start", "end")
    # Categories are data: the field stores a code, the form offers the registry's names.
    provider_category = forms.ChoiceField(
        label=_("provider's Endorsement"),
        choices=lambda: blank_or_category("---------"),
        required=False,
        help_text=_("The Endorsement your provider holds; staff check it."),
    )

    class Meta:
        model = RSC
        fields = [
            "provider_name",
            "provider_email",
            "provider_category",
            "provider_since",
            "provider_vetted",
            "format",
            "start",
            "end",
            "hours",
            "about_providing_rsc",
            "peer",
        ]
        widgets = {"start": DateInput(), "end": DateInput(), "provider_since": DateInput()}


class ReferenceForm(forms.ModelForm[Reference]):
    category = forms.ChoiceField(label=_("category rated for"), choices=lambda: blank_or_category("---------"))

    class Meta:
        model = Reference
        fields = ["category", "rater_name", "rater_email", "relationship", "known_months", "waived"]


class ChangeRaterForm(forms.Form):
    """Who rates instead: the action checks the address (not one's own, a valid one)."""

    rater_name = forms.CharField()
    rater_email = forms.CharField()


class CommentForm(forms.ModelForm[Comment]):
    class Meta:
        model = Comment
        fields = ["body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 3})}


class AimForm(forms.Form):
    aim = forms.ChoiceField(
        label=_("Category I am working towards"), choices=lambda: blank_or_category("—"), required=False
    )


class StartForm(AimForm):
    association: forms.ModelChoiceField[Association] = forms.ModelChoiceField(
        label=_("Association"), queryset=Association.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["association"].queryset = Association.objects.filter(is_active=True).order_by("name")  # type: ignore[attr-defined]


class SignForm(forms.Form):
    typed_name = forms.CharField(label=_("Type your full name to sign"), max_length=200)


class VerifyForm(forms.Form):
    verification = forms.ChoiceField(label=_("Verification"), choices=Verification.choices)
    reason = forms.CharField(label=_("Reason (shown to the applicant)"), max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("verification") in {Verification.NEEDS_CHANGES, Verification.REJECTED} and not data.get("reason"):
            self.add_error("reason", _("Say why, so the applicant knows what to do."))
        return data


class ImportForm(forms.Form):
    document = forms.FileField(label=_("Portfolio file (attunement.portfolio/1 JSON)"))


class StandingForm(forms.Form):
    """Staff settle the standing of a provider or rater who answered a signed link."""

    decision = forms.ChoiceField(
        label=_("Standing"),
        choices=[("verified", _("Verified against the registry")), ("rejected", _("Not confirmed"))],
    )
    category = forms.ChoiceField(
        label=_("Endorsement held"), choices=lambda: blank_or_category(str(_("None"))), required=False
    )
    since = forms.DateField(label=_("endorsed since"), required=False, widget=DateInput())
    reason = forms.CharField(label=_("Reason (shown to the applicant)"), max_length=500, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "verified" and data.get("category") and not data.get("since"):
            self.add_error("since", _("Give the date of that Endorsement."))
        if data.get("decision") == "rejected" and not data.get("reason"):
            self.add_error("reason", _("Say why, so the applicant knows what to do."))
        return data
