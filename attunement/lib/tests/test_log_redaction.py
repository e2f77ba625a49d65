"""Signed-link tokens never reach a log line: the request log, Django's error log and
gunicorn's access log show their paths with the token redacted."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import pytest
from django.test import Client, RequestFactory

from attunement.lib.logs import GunicornLogger, JsonFormatter, RedactSecretsFilter, RequestIdFilter

SECRET = "Zm9vYmFy:s3cr3t-T0ken_that-must-not-leak"

SECRET_PATHS = [
    f"/reference/{SECRET}/",  # a rater's reference form
    f"/rsc-confirm/{SECRET}/",  # an RS/C provider's confirmation
    f"/me/training/calendar/{SECRET}.ics",  # the private calendar feed
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", SECRET_PATHS)
def test_the_request_log_shows_a_signed_link_redacted(path: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="attunement.request"):
        Client().get(path)
    [line] = [r for r in caplog.records if r.name == "attunement.request"]
    assert SECRET not in line.getMessage()
    assert SECRET not in line.path  # type: ignore[attr-defined]
    assert "[redacted]" in line.path  # type: ignore[attr-defined]
    assert line.path == path.replace(SECRET, "[redacted]")  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_other_paths_are_logged_as_they_are(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="attunement.request"):
        Client().get("/riverbend/training/")
        Client().get("/no/such/page/")
    paths = [r.path for r in caplog.records if r.name == "attunement.request"]  # type: ignore[attr-defined]
    assert paths == ["/riverbend/training/", "/no/such/page/"]


@pytest.mark.django_db
def test_a_server_error_on_a_signed_link_is_logged_without_its_token() -> None:
    """Django's ``django.request`` logger names the path of a 500 and passes the request along."""
    request = RequestFactory().get(f"/reference/{SECRET}/")
    record = logging.LogRecord(
        "django.request", logging.ERROR, __file__, 1, "%s: %s", ("Internal Server Error", request.path), None
    )
    record.request = request
    record.status_code = 500
    for log_filter in (RequestIdFilter(), RedactSecretsFilter()):
        log_filter.filter(record)
    line = JsonFormatter().format(record)
    assert SECRET not in line
    entry = json.loads(line)
    assert entry["message"] == "Internal Server Error: /reference/[redacted]/"
    assert entry["request"] == "/reference/[redacted]/"


def test_the_logging_configuration_redacts_on_the_handler() -> None:
    from django.conf import settings

    logging_config: dict[str, Any] = settings.LOGGING
    assert "redact" in logging_config["handlers"]["console"]["filters"]


class _Response:
    status = "200 OK"
    sent = 123
    headers: list[tuple[str, str]] = []


@pytest.mark.django_db
def test_gunicorns_access_log_redacts_the_request_line_path_and_referer() -> None:
    from gunicorn.config import Config

    log = GunicornLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/reference/{SECRET}/?lang=es",
        "PATH_INFO": f"/reference/{SECRET}/",
        "QUERY_STRING": "lang=es",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://attunement.example.org/rsc-confirm/{SECRET}/",
    }
    headers = [("REFERER", environ["HTTP_REFERER"]), ("USER-AGENT", "test")]
    atoms: dict[str, Any] = log.atoms(_Response(), headers, environ, dt.timedelta(milliseconds=5))
    assert SECRET not in json.dumps(atoms, default=str)
    assert atoms["r"] == "GET /reference/[redacted]/?lang=es HTTP/1.1"
    assert atoms["U"] == "/reference/[redacted]/"
    assert atoms["f"] == "https://attunement.example.org/rsc-confirm/[redacted]/"
    # The access log's default format line, as gunicorn writes it.
    assert SECRET not in log.cfg.access_log_format % atoms
