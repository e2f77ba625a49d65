"""Password length by second factor: 15 characters without two-factor authentication,
8 with it. No composition rules (NIST SP 800-63B); common passwords are refused by
Django's CommonPasswordValidator alongside this one."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

WITHOUT_SECOND_FACTOR = 15
WITH_SECOND_FACTOR = 8


def has_second_factor(user: Any) -> bool:
    if user is None or getattr(user, "pk", None) is None:
        return False
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class LengthForSecondFactorValidator:
    def validate(self, password: str, user: Any = None) -> None:
        minimum = WITH_SECOND_FACTOR if has_second_factor(user) else WITHOUT_SECOND_FACTOR
        if len(password) < minimum:
            raise ValidationError(
                ngettext(
                    "This password is too short. It must contain at least %(min_length)d character.",
                    "This password is too short. It must contain at least %(min_length)d characters.",
                    minimum,
                )
                + " "
                + _("A long phrase of ordinary words is a good password."),
                code="password_too_short",
                params={"min_length": minimum},
            )

    def get_help_text(self) -> str:
        return _(
            "Use at least %(without)d characters, or %(with)d once two-factor authentication is on. "
            "A long phrase of ordinary words is a good password."
        ) % {"without": WITHOUT_SECOND_FACTOR, "with": WITH_SECOND_FACTOR}
