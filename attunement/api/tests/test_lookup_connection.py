"""The lookup's database path on PostgreSQL: a prepared statement, and no health-check round
trip per request, replaced by one retry when the kept connection has died."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import override_settings

from attunement.lib.testing import pin_queries

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")


def _prepared_lookups() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%%endorsement_credential%%'")
        return int(cursor.fetchone()[0])


def test_the_lookup_is_prepared_once_per_connection(api: Client, holder: Any, riverbend: Any) -> None:
    codes = [holder(f"Ana Prepared {i}", association=riverbend).public_code for i in range(3)]
    api.get("/api/v1/ping")
    assert _prepared_lookups() == 0
    for code in codes:
        with pin_queries(2 if code == codes[0] else 1):  # the key once, then the credential
            response = api.get(f"/api/v1/credentials/{code}")
        assert response.status_code == 200
        assert response.json()["code"] == code
    assert _prepared_lookups() == 1


@override_settings(API_PREPARED_STATEMENTS=False)
def test_prepared_statements_can_be_turned_off(api: Client, holder: Any, riverbend: Any) -> None:
    code = holder("Ana Unprepared", association=riverbend).public_code
    assert api.get(f"/api/v1/credentials/{code}").json()["valid"] is True
    assert _prepared_lookups() == 0


@pytest.mark.django_db(transaction=True)
def test_a_dead_kept_connection_is_replaced_not_a_500(api: Client, holder: Any, riverbend: Any) -> None:
    code = holder("Ana Reconnected", association=riverbend).public_code
    assert api.get(f"/api/v1/credentials/{code}").status_code == 200
    dead = connection.connection.info.backend_pid
    settings = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in settings.items() if k not in ("cursor_factory", "context")}) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [dead])
    # The next request would have run a health check (SELECT 1) first; the lookup skips it
    # and retries once on a fresh connection instead.
    response = api.get(f"/api/v1/credentials/{code}")
    assert response.status_code == 200
    assert response.json()["valid"] is True
    assert connection.connection.info.backend_pid != dead
