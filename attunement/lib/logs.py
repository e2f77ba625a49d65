"""Structured logs: one JSON object per line, with the request id of the request in flight."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from django.http import HttpRequest
from django.urls import Resolver404, ResolverMatch, resolve

from attunement.lib import context

# URL parts that are secrets: a signed link is the whole of its holder's authority (the rater's
# reference form, the RS/C provider's confirmation, the private calendar feed, allauth's e-mail
# confirmation and password-reset keys). They never reach a log line.
SECRET_URL_KWARGS = frozenset({"token", "key"})
REDACTED = "[redacted]"


def secret_parts(path: str, match: ResolverMatch | None = None) -> list[str]:
    """The secret parts of ``path`` (longest first; also as they look percent-encoded)."""
    if match is None:
        try:
            match = resolve(path)
        except Resolver404:
            return []
    found = {str(v) for k, v in match.kwargs.items() if k in SECRET_URL_KWARGS and v}
    found |= {quote(secret) for secret in found}
    return sorted(found, key=len, reverse=True)


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


def redact_path(path: str, match: ResolverMatch | None = None) -> str:
    """``path`` with every secret URL part replaced by ``[redacted]``; the route stays readable."""
    return redact(path, secret_parts(path, match))


def request_path(request: HttpRequest) -> str:
    """The path of a request as logs may show it."""
    match = getattr(request, "resolver_match", None)
    if match is None:  # answered before URL resolution (a middleware), or not found
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return request.path
    return redact_path(request.path, match)


# Attributes every LogRecord has; anything else passed through ``extra=`` is a field.
_STANDARD = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "request_id"}


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = context.request_id.get() or "-"
        return True


class RedactSecretsFilter(logging.Filter):
    """Records about a request (Django's ``django.request`` errors pass it as ``request``) show
    its path redacted, in the message and in the fields."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest):
            safe = request_path(request)
            if safe != request.path and isinstance(record.args, tuple):
                record.args = tuple(safe if arg == request.path else arg for arg in record.args)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "-")
        if request_id != "-":
            entry["request_id"] = request_id
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_"):
                # A request object would print its whole path; log the redacted path instead.
                entry[key] = request_path(value) if isinstance(value, HttpRequest) else value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


from gunicorn.glogging import Logger as _GunicornLogger  # noqa: E402 - a locked dependency


class GunicornLogger(_GunicornLogger):
    """gunicorn's access log with secret URL parts redacted (request line, path, Referer and the
    environment atoms): ``gunicorn --access-logfile - --logger-class attunement.lib.logs.GunicornLogger``."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        secrets = secret_parts(environ.get("PATH_INFO") or "")
        referer = environ.get("HTTP_REFERER") or ""
        if referer:
            secrets = sorted({*secrets, *secret_parts(urlsplit(referer).path)}, key=len, reverse=True)
        if secrets:
            for key, value in atoms.items():
                if isinstance(value, str):
                    atoms[key] = redact(value, secrets)
        return atoms
