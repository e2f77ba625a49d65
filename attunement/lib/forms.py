"""Form helpers every app uses."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def apply_error(form: forms.BaseForm, exc: ValidationError) -> None:
    """Put an action's validation error on the field it names (or on the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        form.add_error(None, exc)
