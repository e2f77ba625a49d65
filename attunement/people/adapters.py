from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        # A new person's messages go out in the language they signed up in.
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language in {code for code, _name in settings.LANGUAGES}:
            user.preferred_language = language
        user.email = (user.email or "").lower()
        return super().save_user(request, user, form, commit=commit)
