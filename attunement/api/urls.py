"""The API's URLs: every route is public at the Django level (the API checks its own keys)
and exempt from CSRF (no cookies are used).

Every answer to a request that carries a key (``Authorization`` or ``X-API-Key``, valid or
not) is ``Cache-Control: private``, never ``public``: a shared cache must not keep what one
payer's key was told. Operations set their own max-age; an answer without a Cache-Control
(a refusal: 401, 422, 429) gets ``private, no-store``. Applied here, to every route of the
API, so a new operation cannot forget it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponseBase
from django.urls import URLPattern, URLResolver
from django.utils.cache import patch_cache_control, patch_vary_headers

KEY_HEADERS = ("Authorization", "X-API-Key")


def carries_key(request: HttpRequest) -> bool:
    return any(name in request.headers for name in KEY_HEADERS)


def private_for_keys(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @functools.wraps(view)  # keeps the csrf_exempt and login_not_required marks
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if carries_key(request):
            if response.has_header("Cache-Control"):
                patch_cache_control(response, private=True)  # drops "public"
            else:
                response["Cache-Control"] = "private, no-store"
            patch_vary_headers(response, KEY_HEADERS)
        return response

    return wrapped


def _public(patterns: list[Any]) -> list[Any]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _public(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            login_not_required(pattern.callback)
            pattern.callback = private_for_keys(pattern.callback)
    return patterns


def api_urls() -> tuple[list[Any], str, str]:
    from attunement.api.api import api

    patterns, app_name, namespace = api.urls
    return _public(list(patterns)), app_name, namespace
