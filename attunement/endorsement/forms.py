"""One form per action on an application, the applicant's and staff's: each reads its inputs
from the POST and finds the objects they name (a missing one is a 404, as a link to it would
be); the rules of who may do what, and when, are the actions'."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from attunement.associations.models import Association
from attunement.endorsement.models import Application, Clarification, ExamSitting, ExamWindow
from attunement.lib.errors import ActionRefused
from attunement.lib.forms import apply_error
from attunement.payments.models import Invoice
from attunement.people.models import User


def perform(request: HttpRequest, form: forms.BaseForm, action: Callable[[], Any]) -> bool:
    """Run ``action`` when ``form`` is valid. A refusal or a ValidationError goes onto the form
    (``apply_error``), and the form's errors become one error message; True when it was done."""
    if form.is_valid():
        try:
            action()
        except ActionRefused as refusal:
            apply_error(form, ValidationError(str(refusal)))
        except ValidationError as error:
            apply_error(form, error)
    if form.errors:
        messages.error(request, " ".join(str(m) for errors in form.errors.values() for m in errors))
        return False
    return True


def text(**kwargs: Any) -> forms.CharField:
    """A free-text input passed to the action as typed (the action checks it)."""
    return forms.CharField(required=False, strip=False, **kwargs)


def object_id() -> forms.CharField:
    """The public id of an object the form looks up; none given finds nothing (a 404)."""
    return forms.CharField(required=False, empty_value=None)


class IdList(forms.Field):
    """Every value the POST holds under the field's name (ticked checkboxes)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[str]:
        return [str(v) for v in value or []]


class ApplicationForm(forms.Form):
    """A form about one application (its questions, sittings, windows are looked up in it)."""

    def __init__(self, data: Any, *, application: Application) -> None:
        super().__init__(data)
        self.application = application

    def _sitting(self, public_id: str | None) -> ExamSitting:
        return get_object_or_404(ExamSitting, application=self.application, public_id=public_id)


class ConfirmForm(ApplicationForm):
    """An action without inputs (submit, withdraw, complete, resume, retake)."""


# --- The applicant's --------------------------------------------------------------------------


class RenewForm(forms.Form):
    """Submitting the year's renewal (no inputs)."""


class RegisterForm(forms.Form):
    category = text()
    residency = forms.BooleanField(required=False)


class AnswerForm(ApplicationForm):
    question = object_id()
    answer = text()

    def clean_question(self) -> Clarification:
        return get_object_or_404(Clarification, application=self.application, public_id=self.cleaned_data["question"])


class WindowForm(ApplicationForm):
    sitting = object_id()
    window = text()

    def clean_sitting(self) -> ExamSitting:
        return self._sitting(self.cleaned_data["sitting"])

    def clean_window(self) -> ExamWindow:
        raw = self.cleaned_data["window"]
        return get_object_or_404(
            ExamWindow, association=self.application.association, pk=int(raw) if raw.isdigit() else 0
        )


class Part2Form(ApplicationForm):
    sitting = object_id()

    def __init__(self, data: Any, *, application: Application) -> None:
        super().__init__(data, application=application)
        for i in (1, 2):
            self.fields[f"answer-{i}"] = text()

    def clean_sitting(self) -> ExamSitting:
        return self._sitting(self.cleaned_data["sitting"])

    def answers(self) -> list[str]:
        return [self.cleaned_data[f"answer-{i}"] for i in (1, 2)]


# --- Staff's ----------------------------------------------------------------------------------


class IncompleteForm(ApplicationForm):
    note = text()


class AssignForm(ApplicationForm):
    reviewer = IdList(required=False)

    def clean_reviewer(self) -> list[User] | None:
        """The reviewers ticked, or None: the action then chooses them."""
        return list(User.objects.filter(public_id__in=self.cleaned_data["reviewer"])) or None


class DecideForm(ApplicationForm):
    outcome = text()
    feedback = text()


class RelayForm(ApplicationForm):
    clarification = object_id()

    def clean_clarification(self) -> Clarification:
        return get_object_or_404(
            Clarification, application=self.application, public_id=self.cleaned_data["clarification"]
        )


class PaymentForm(ApplicationForm):
    invoice = object_id()
    amount = text()
    method = text()
    reference = text()
    reason = text()

    def __init__(self, data: Any, *, application: Application, association: Association) -> None:
        super().__init__(data, application=application)
        self.association = association

    def clean_invoice(self) -> Invoice:
        return get_object_or_404(Invoice, association=self.association, number=self.cleaned_data["invoice"])

    def clean_amount(self) -> Decimal:
        try:
            return Decimal(self.cleaned_data["amount"])
        except InvalidOperation:
            raise ValidationError(_("Enter an amount such as 25.00.")) from None


class Part1Form(ApplicationForm):
    sitting = object_id()
    percent = text()
    taken_on = text()

    def clean_sitting(self) -> ExamSitting:
        return self._sitting(self.cleaned_data["sitting"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["percent"] = Decimal(data.get("percent", ""))
            data["taken_on"] = date.fromisoformat(data.get("taken_on", ""))
        except (InvalidOperation, ValueError):
            raise ValidationError(_("Give the score (0–100) and the date (YYYY-MM-DD).")) from None
        return data


class ReadersForm(ApplicationForm):
    sitting = object_id()
    reader = IdList(required=False)
    third = forms.BooleanField(required=False)

    def clean_sitting(self) -> ExamSitting:
        return self._sitting(self.cleaned_data["sitting"])

    def clean_reader(self) -> list[User]:
        """The people ticked as Part 2 readers; an id that is nobody is refused, naming the
        field (who may read is the action's rule: ``actions.exam.assign_readers``)."""
        ids = self.cleaned_data["reader"]
        try:
            keys = {uuid.UUID(i) for i in ids}
        except ValueError:
            keys = set()
        readers = list(User.objects.filter(public_id__in=keys)) if keys else []
        if ids and len(readers) != len(set(ids)):
            raise ValidationError(_("Part 2 readers: choose readers from the list."))
        return readers
