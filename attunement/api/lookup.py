"""The API's hot path, prepared by hand: the lookup of one credential by its public code.

This is the one place the project steps around the ORM for speed, so it is kept alone here
with its reason and its reference: ``api.selectors.credential_by_code_orm`` is the same
question asked through the ORM, and a test holds the two to the same answers (every status,
another association's code, an unknown one, missing dates) on both databases. The SQL is
still the ORM's (compiled once per database); what is hand-made is running it as a prepared
statement on PostgreSQL (planning took 1.0 ms of a 1.1 ms request; `make bench --postgres api`)."""

from __future__ import annotations

from datetime import date
from typing import Any

import psycopg
from django.conf import settings
from django.db import DatabaseError, connections, router

from attunement.api.selectors import FIELDS, credential_answer
from attunement.endorsement.models import Credential

_CODE, _ASSOCIATION = "\x00code", -7_000_001
_by_code_sql: dict[str, tuple[str, list[int]]] = {}


def _compiled_by_code(alias: str) -> tuple[str, list[int]]:
    """The lookup's SQL, compiled by the ORM once per database: building the query costs
    more than running it (see `make bench`). Placeholders are found by sentinel values."""
    if alias not in _by_code_sql:
        query = (
            Credential.objects.using(alias)
            .filter(public_code=_CODE, association_id=_ASSOCIATION)
            .order_by()
            .values_list(*FIELDS)[:1]
        )
        sql, params = query.query.sql_with_params()
        _by_code_sql[alias] = (sql, [0 if p == _CODE else 1 for p in params])
    return _by_code_sql[alias]


def _fetch_one(alias: str, sql: str, params: list[Any]) -> tuple[Any, ...] | None:
    """Run the lookup. On PostgreSQL (unless ``API_PREPARED_STATEMENTS`` is off) it is a
    prepared statement on a server-binding cursor, planned once per connection instead of on
    every request, and the per-request health check (a ``SELECT 1`` round trip) is replaced by
    one retry on a fresh connection if the kept one turns out dead. Both through Django's
    cursor wrapper, so the query is logged, counted in tests and its errors translated."""
    connection = connections[alias]
    if connection.vendor != "postgresql" or not getattr(settings, "API_PREPARED_STATEMENTS", True):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    for attempt in (1, 2):
        if connection.connection is None:
            connection.ensure_connection()
        connection.health_check_done = True  # type: ignore[attr-defined]  # the retry below stands for it
        raw = connection.connection
        if raw.prepare_threshold is None:  # Django turns preparing off; only our cursor prepares
            raw.prepare_threshold = 0
        connection.validate_thread_sharing()
        server_cursor: Any = psycopg.Cursor(raw)
        wrapped = (
            connection.make_debug_cursor(server_cursor)
            if connection.queries_logged
            else connection.make_cursor(server_cursor)
        )
        try:
            with wrapped:
                wrapped.execute(sql, params)
                return wrapped.fetchone()
        except DatabaseError:
            if attempt == 2 or connection.in_atomic_block or connection.is_usable():
                raise
            connection.close()  # the kept connection had died (server restart, idle timeout)
    return None  # pragma: no cover — the loop returns or raises


def credential_by_code(association_id: int, code: str) -> dict[str, Any] | None:
    """One query: the credential with this public code in the client's association."""
    alias = router.db_for_read(Credential)
    sql, order = _compiled_by_code(alias)
    values = (code, association_id)
    found = _fetch_one(alias, sql, [values[i] for i in order])
    if found is None:
        return None
    row = dict(zip(FIELDS, found, strict=True))
    if isinstance(row["since"], str):  # SQLite through a raw cursor: dates come back as text
        row["since"] = date.fromisoformat(row["since"])
        row["valid_through"] = date.fromisoformat(row["valid_through"]) if row["valid_through"] else None
    row["emerging"] = bool(row["emerging"])
    return credential_answer(row)
