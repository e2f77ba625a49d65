"""Health endpoint, request ids and structured logs."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from attunement.lib.logs import JsonFormatter, RequestIdFilter


@pytest.mark.django_db
def test_health_says_ok_when_the_database_answers(client: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_answers_503_when_the_database_does_not(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import DatabaseError
    from django.db.backends.utils import CursorWrapper

    def broken(self: Any, sql: str, params: Any = None) -> Any:
        raise DatabaseError("down")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


@pytest.mark.django_db
def test_every_response_carries_a_request_id_and_keeps_a_sane_incoming_one(client: Any) -> None:
    assert len(client.get("/healthz")["X-Request-ID"]) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd"})["X-Request-ID"] == "lb-1234abcd"
    injected = client.get("/healthz", headers={"X-Request-ID": "x\nforged log line"})["X-Request-ID"]
    assert "\n" not in injected
    assert injected != "x\nforged log line"


def test_log_lines_are_json_with_the_request_id() -> None:
    from attunement.lib import context

    token = context.request_id.set("req-12345678")
    try:
        record = logging.makeLogRecord(
            {"name": "attunement.test", "levelname": "INFO", "msg": "hello %s", "args": ("there",)}
        )
        record.__dict__["status"] = 200
        RequestIdFilter().filter(record)
        line = json.loads(JsonFormatter().format(record))
    finally:
        context.request_id.reset(token)
    assert line["message"] == "hello there"
    assert line["request_id"] == "req-12345678"
    assert line["status"] == 200
    assert line["level"] == "info"
