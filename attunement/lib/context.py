"""Per-request context that code far from the view needs (the request id for logs and audit)."""

from __future__ import annotations

from contextvars import ContextVar

request_id: ContextVar[str] = ContextVar("request_id", default="")
