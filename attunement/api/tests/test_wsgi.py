"""``attunement.wsgi`` serves ``/api/`` through the API's shorter middleware chain and the rest
through the site's; both driven here as gunicorn drives them, by WSGI calls."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from attunement.api.handler import API_MIDDLEWARE, ApiHandler, Dispatch
from attunement.lib.testing import pin_queries


@pytest.fixture
def wsgi() -> Iterator[Any]:
    # As Django's test client does: the test's transaction must outlive each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        from attunement.wsgi import application

        def call(path: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
            environ = {
                "REQUEST_METHOD": "GET",
                "PATH_INFO": path,
                "QUERY_STRING": "",
                "SERVER_NAME": "testserver",
                "SERVER_PORT": "80",
                "SERVER_PROTOCOL": "HTTP/1.1",
                "REMOTE_ADDR": "127.0.0.1",
                "wsgi.input": io.BytesIO(b""),
                "wsgi.errors": sys.stderr,
                "wsgi.url_scheme": "http",
                "HTTP_HOST": "testserver",
                **{"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()},
            }
            seen: dict[str, Any] = {}

            def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> None:
                seen["status"] = int(status.split()[0])
                seen["headers"] = dict(response_headers)

            result = application(environ, start_response)
            try:
                body = b"".join(result)
            finally:
                result.close()
            return seen["status"], seen["headers"], body

        yield call
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_the_deployment_dispatches_api_paths_to_the_api_handler() -> None:
    from attunement.wsgi import application

    assert isinstance(application, Dispatch)
    assert isinstance(application.api, ApiHandler)
    assert not isinstance(application.site, ApiHandler)


def test_the_api_chain_is_the_sites_chain_without_the_session_parts() -> None:
    # Nothing runs for the API that the site does not run, in the same order; what is left
    # out is what an API key request has no use for.
    positions = [settings.MIDDLEWARE.index(name) for name in API_MIDDLEWARE]
    assert positions == sorted(positions)
    left_out = set(settings.MIDDLEWARE) - set(API_MIDDLEWARE)
    assert "django.contrib.sessions.middleware.SessionMiddleware" in left_out
    assert "django.middleware.csrf.CsrfViewMiddleware" in left_out
    assert "django.middleware.security.SecurityMiddleware" not in left_out


def test_a_lookup_through_the_api_handler(wsgi: Any, token: str, holder: Any, riverbend: Any) -> None:
    code = holder("Ana Gateway", association=riverbend).public_code
    with pin_queries(2):  # the key, the credential: no session or user read
        status, headers, body = wsgi(f"/api/v1/credentials/{code}", authorization=f"Bearer {token}")
    assert status == 200
    assert b'"valid":true' in body
    assert headers["Content-Length"] == str(len(body))
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "private, max-age=60"
    assert len(headers["X-Request-ID"]) == 32
    assert "Set-Cookie" not in headers
    assert "Cookie" not in headers["Vary"]  # no session: the answer varies by key only
    status, headers, body = wsgi(
        f"/api/v1/credentials/{code}", authorization=f"Bearer {token}", if_none_match=headers["ETag"]
    )
    assert status == 304


def test_api_messages_follow_accept_language(wsgi: Any, token: str) -> None:
    status, headers, body = wsgi(
        "/api/v1/credentials/NOPE234567", authorization=f"Bearer {token}", accept_language="es"
    )
    assert status == 404
    assert headers["Content-Language"] == "es"
    assert "válido".encode() in body


def test_an_unknown_api_path_is_the_sites_404_page_not_an_error(wsgi: Any, db: Any) -> None:
    status, headers, body = wsgi("/api/v1/no-such-thing")
    assert status == 404
    assert "object-src 'none'" in headers["Content-Security-Policy"]
    assert body.startswith(b"<!DOCTYPE html>")


def test_the_site_still_has_sessions_and_its_full_chain(wsgi: Any, db: Any) -> None:
    status, headers, _body = wsgi("/accounts/login/")
    assert status == 200
    assert "Content-Security-Policy" in headers
    assert "csrftoken=" in headers.get("Set-Cookie", "")
