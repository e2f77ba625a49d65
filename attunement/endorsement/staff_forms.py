"""The forms of the staff and reviewer pages (the reviewer pool, renewals, credentials, a
review, a Part 2 reading), one per action: each reads just its inputs (the object acted on is
the URL's, or one the form finds: a missing one is a 404); the rules are the actions'."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from attunement.endorsement.forms import text
from attunement.people.models import User

CHECKLIST_VALUES = {"met": _("Met"), "not_met": _("Not met"), "unclear": _("Unclear")}
RUBRIC = ("understanding", "reflection", "relationships", "culture")


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


class NoInputsForm(forms.Form):
    """An action without inputs (reactivate, archive, emeritus, approve, a bounce): the object
    is the URL's."""


class ReasonForm(forms.Form):
    """Suspend, restore or revoke a credential: the reason (the action requires it)."""

    reason = text()


class InactiveForm(forms.Form):
    """Make a credential inactive until a date."""

    until = text()

    def clean_until(self) -> date:
        try:
            return date.fromisoformat(self.cleaned_data["until"])
        except ValueError:
            raise ValidationError(_("Give the end date as YYYY-MM-DD.")) from None


class ReturnRenewalForm(forms.Form):
    """Return a renewal to the member: the note (the action requires it)."""

    note = text()


class QuestionForm(forms.Form):
    """A reviewer's question for the applicant (the coordinator sends it on)."""

    question = text()

    def clean_question(self) -> str:
        if not self.cleaned_data["question"].strip():
            raise ValidationError(_("Write your question."))
        return str(self.cleaned_data["question"])


class ReviewForm(forms.Form):
    """A reviewer's checklist (one field per domain of the category), comments and
    recommendation."""

    comments = text()
    recommendation = text()
    submit = text()

    def __init__(self, data: Any, *, domains: list[tuple[str, Any]]) -> None:
        super().__init__(data)
        self.domains = [slug for slug, _label in domains]
        for slug in self.domains:
            self.fields[f"domain-{slug}"] = text()

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
