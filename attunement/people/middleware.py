from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from attunement.people.selectors import staff_status

# Paths a person who must set up two-factor authentication can still reach.
_ALWAYS_OPEN = ("/accounts/", "/static/", "/i18n/", "/healthz")


class StaffMFARequiredMiddleware:
    """Association staff and deployment operators must turn on TOTP before anything else.

    Allauth asks for the code at every sign-in once TOTP is on; this makes turning it on
    compulsory for the roles that see other people's records."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(_ALWAYS_OPEN):
            needs, has = staff_status(user)
            if needs and not has:
                messages.warning(
                    request,
                    _(
                        "Your role lets you see other people's records, so it needs two-factor authentication. "
                        "Set it up to continue."
                    ),
                )
                return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class PreferredLanguageMiddleware:
    """A signed-in person sees their language for messages unless they picked another with the
    language switcher (which sets the language cookie)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            preferred = getattr(user, "preferred_language", "")
            known = {code for code, _name in settings.LANGUAGES}
            if preferred in known and preferred != translation.get_language():
                translation.activate(preferred)
                request.LANGUAGE_CODE = preferred
        return self.get_response(request)
