"""R6: audit events cannot be changed or deleted through the ORM, the admin or the database."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from attunement.audit.actions import record
from attunement.audit.models import AppendOnlyError, AuditEvent


@pytest.fixture
def event(db: Any) -> AuditEvent:
    return record(actor=None, verb="test.happened", data={"n": 1})


def test_an_event_cannot_be_saved_again(event: AuditEvent) -> None:
    event.verb = "test.rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()


def test_an_event_cannot_be_deleted(event: AuditEvent) -> None:
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()


def test_events_cannot_be_updated_in_bulk(event: AuditEvent) -> None:
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(verb="test.rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update([event], ["verb"])


def test_the_database_refuses_an_update_behind_the_orms_back(event: AuditEvent) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET verb = 'test.rewritten' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).verb == "test.happened"


def test_postgresql_refuses_a_delete_behind_the_orms_back(event: AuditEvent) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the DELETE trigger is PostgreSQL's (SQLite's test flush empties tables with DELETE)")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_admin_shows_events_but_cannot_change_them(
    event: AuditEvent, personas: dict[str, Any], client_for: Any
) -> None:
    client = client_for(personas["operator"])
    change = reverse("admin:audit_auditevent_change", args=[event.pk])
    assert client.get(change).status_code == 200  # a read-only view
    assert client.post(change, {"verb": "test.rewritten"}).status_code == 403
    assert client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).verb == "test.happened"


def test_an_event_carries_the_request_id_of_the_request_that_wrote_it(
    personas: dict[str, Any], client_for: Any
) -> None:
    response = client_for(personas["applicant"]).post(
        reverse("people:profile"),
        {"legal_name": "Alejandro Rivera", "preferred_name": "Alex", "preferred_language": "es", "languages": ["es"]},
        headers={"X-Request-ID": "req-abcdef123456"},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(verb="people.profile.updated")
    assert event.request_id == "req-abcdef123456"
    assert event.actor == personas["applicant"]
