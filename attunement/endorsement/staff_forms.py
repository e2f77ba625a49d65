"""The forms of the staff and reviewer pages that act on their own page (the reviewer pool,
renewals, credentials, a review, a Part 2 reading): each reads its inputs and finds the
objects they name (a missing one is a 404); the rules are the actions'."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from attunement.associations.models import Association
from attunement.endorsement.forms import object_id, text
from attunement.endorsement.models import Credential, CredentialStatus, Reminder, Renewal
from attunement.people.models import User

CHECKLIST_VALUES = {"met": _("Met"), "not_met": _("Not met"), "unclear": _("Unclear")}
RUBRIC = ("understanding", "reflection", "relationships", "culture")
# What the credentials page does, by the ``what`` it posts.
CREDENTIAL_CHANGES = frozenset(
    {"inactive", "reactivate", CredentialStatus.ARCHIVED, CredentialStatus.EMERITUS, "suspend", "revoke", "restore"}
)


class AssociationForm(forms.Form):
    def __init__(self, data: Any, *, association: Association) -> None:
        super().__init__(data)
        self.association = association


class ReviewerForm(forms.Form):
    reviewer = text()
    trained = forms.BooleanField(required=False)
    active = forms.BooleanField(required=False)
    employer = text()

    def __init__(self, data: Any, *, people: list[User]) -> None:
        super().__init__(data)
        self.people = people

    def clean_reviewer(self) -> User:
        """One of the association's reviewers (anyone else is a 404)."""
        person = next((p for p in self.people if str(p.public_id) == self.cleaned_data["reviewer"]), None)
        if person is None:
            raise Http404
        return person

    def clean_employer(self) -> str:
        return str(self.cleaned_data["employer"])[:200]


class BounceForm(AssociationForm):
    reminder = text()

    @staticmethod
    def posted(data: Any) -> bool:
        """Whether the renewals page posted a bounce (a reminder's number), not a decision."""
        return str(data.get("reminder", "")).isdigit()

    def clean_reminder(self) -> Reminder:
        return get_object_or_404(Reminder, association=self.association, pk=int(self.cleaned_data["reminder"]))


class RenewalDecisionForm(AssociationForm):
    renewal = object_id()
    what = text()
    note = text()

    def clean_renewal(self) -> Renewal:
        return get_object_or_404(Renewal, association=self.association, public_id=self.cleaned_data["renewal"])


class CredentialForm(AssociationForm):
    code = text()
    what = text()
    until = text()
    reason = text()

    def clean_code(self) -> Credential:
        return get_object_or_404(Credential, association=self.association, public_code=self.cleaned_data["code"])

    def clean_what(self) -> str:
        if self.cleaned_data["what"] not in CREDENTIAL_CHANGES:
            raise Http404
        return str(self.cleaned_data["what"])

    def clean_until(self) -> date | None:
        if self.cleaned_data.get("what") != "inactive":
            return None
        try:
            return date.fromisoformat(self.cleaned_data["until"])
        except ValueError:
            raise ValidationError(_("Give the end date as YYYY-MM-DD.")) from None


class ReviewForm(forms.Form):
    """A reviewer's checklist (one field per domain of the category), comments and
    recommendation; or, when ``question`` is written, a question for the applicant."""

    question = text()
    comments = text()
    recommendation = text()
    submit = text()

    def __init__(self, data: Any, *, domains: list[tuple[str, Any]]) -> None:
        super().__init__(data)
        self.domains = [slug for slug, _label in domains]
        for slug in self.domains:
            self.fields[f"domain-{slug}"] = text()

    def asks(self) -> bool:
        return bool(self.cleaned_data["question"].strip())

    def checklist(self) -> dict[str, str]:
        """The domains given a known value (anything else is left out)."""
        values = {slug: self.cleaned_data[f"domain-{slug}"] for slug in self.domains}
        return {slug: value for slug, value in values.items() if value in CHECKLIST_VALUES}


class ReadingForm(forms.Form):
    """A Part 2 reader's score sheet: every criterion from 1 to 4, and whether the answers pass."""

    passed = text()
    comments = text()

    def __init__(self, data: Any) -> None:
        super().__init__(data)
        for criterion in RUBRIC:
            self.fields[criterion] = text()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        rubric = {c: int(data[c]) for c in RUBRIC if data.get(c) in {"1", "2", "3", "4"}}
        if len(rubric) < len(RUBRIC) or data.get("passed") not in {"yes", "no"}:
            raise ValidationError(_("Score every criterion and say whether the answers pass."))
        data["rubric"] = rubric
        return data


class Part1ImportForm(forms.Form):
    MAX_BYTES = 2_000_000  # about 40,000 rows

    scores = forms.FileField()

    def clean_scores(self) -> Any:
        upload = self.cleaned_data["scores"]
        if upload.size > self.MAX_BYTES:
            raise ValidationError(_("The file is larger than 2 MB."))
        return upload
