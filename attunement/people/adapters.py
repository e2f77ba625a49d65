from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib import messages
from django.core.mail import EmailMessage
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _

from attunement.mail.actions import suppressed
from attunement.mail.messages import tags


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        # A new person's messages go out in the language they signed up in.
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language in {code for code, _name in settings.LANGUAGES}:
            user.preferred_language = language
        user.email = (user.email or "").lower()
        return super().save_user(request, user, form, commit=commit)

    def render_mail(
        self,
        template_prefix: str,
        email: str | list[str],
        context: dict[str, Any],
        headers: dict[str, str] | None = None,
    ) -> EmailMessage:
        """allauth's messages, with their purpose recorded by the mail queue (``sign_in_code``
        for the code that signs a person in, ``account_<name>`` for the others)."""
        name = template_prefix.rsplit("/", 1)[-1]
        purpose = "sign_in_code" if name == "login_code" else f"account_{name}"[:40]
        return super().render_mail(template_prefix, email, context, headers={**(headers or {}), **tags(purpose)})

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Sign-in codes, confirmations and resets. To an address that bounced or reported our
        mail as spam nothing is sent (the queue records it as not sent): the person is told on
        the page what to do instead of waiting for a code that never comes."""
        request = getattr(self, "request", None)
        if suppressed([email]) and request is not None:
            messages.warning(
                request,
                _(
                    "We could not send mail to %(email)s: earlier mail to it bounced or was reported as "
                    "spam. Sign in with your password, or ask the association to check your address."
                )
                % {"email": email},
            )
        super().send_mail(template_prefix, email, context)
