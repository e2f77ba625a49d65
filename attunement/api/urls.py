"""The API's URLs: every route is public at the Django level (the API checks its own keys)
and exempt from CSRF (no cookies are used)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver


def _public(patterns: list[Any]) -> list[Any]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _public(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            login_not_required(pattern.callback)
    return patterns


def api_urls() -> tuple[list[Any], str, str]:
    from attunement.api.api import api

    patterns, app_name, namespace = api.urls
    return _public(list(patterns)), app_name, namespace
