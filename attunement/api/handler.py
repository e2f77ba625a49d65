"""The verification API's own WSGI handler: ``attunement.wsgi`` sends ``/api/`` here.

An API request authenticates with a key in a header, never with a session, so the site's
session, authentication, login-required, allauth, messages, MFA and CSRF middleware have
nothing to do for it; each still costs time on the hot path that
payers call thousands of times a minute (``make bench``, the ``api`` benchmark). The API keeps
the request id, the security headers, the language of its messages (``Accept-Language``) and
the common middleware (``Content-Length``).
Pages under ``/api/`` that the API does not answer (an unknown path) get the site's HTML 404,
so the clickjacking and CSP middleware stay too: they cost little on JSON answers.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler

API_PREFIX = "/api/"

API_MIDDLEWARE = [
    "attunement.lib.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

_loading = threading.Lock()


class ApiHandler(WSGIHandler):
    """A WSGI handler whose middleware chain is ``API_MIDDLEWARE``, not ``settings.MIDDLEWARE``."""

    def load_middleware(self, is_async: bool = False) -> None:
        # Django builds the chain from settings.MIDDLEWARE; lend it the API's list while the
        # chain is built (once, when the worker starts).
        with _loading:
            site = settings.MIDDLEWARE
            settings.MIDDLEWARE = API_MIDDLEWARE
            try:
                super().load_middleware(is_async)
            finally:
                settings.MIDDLEWARE = site


class Dispatch:
    """The deployment's WSGI application: ``/api/...`` to the API handler, the rest to the site."""

    def __init__(self, site: WSGIHandler, api: WSGIHandler) -> None:
        self.site = site
        self.api = api

    def __call__(self, environ, start_response):  # type: ignore[no-untyped-def]
        if environ.get("PATH_INFO", "").startswith(API_PREFIX):
            return self.api(environ, start_response)
        return self.site(environ, start_response)
