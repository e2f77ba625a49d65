"""The audit log and an object's history, for coordinators."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from attunement.associations import actions
from attunement.associations.audit_views import PAGE_SIZE
from attunement.associations.models import Association, Role, StaffRole
from attunement.audit.actions import record
from attunement.lib.testing import assert_constant_queries
from attunement.people.models import User


def test_a_roles_history_shows_its_grant_and_revocation(
    personas: dict[str, Any], staff_role: StaffRole, client_for: Any
) -> None:
    actions.revoke_staff_role(actor=personas["admin"], staff_role=staff_role)
    url = reverse(
        "audit:history",
        kwargs={
            "association_slug": "riverbend",
            "target_type": "associations.staffrole",
            "target_id": staff_role.public_id,
        },
    )
    response = client_for(personas["coordinator"]).get(url)
    assert response.status_code == 200
    assert [e.verb for e in response.context["events"]] == ["association.role.revoked", "association.role.granted"]
    assert personas["admin"].email in response.content.decode()


def test_the_audit_log_pages_by_keyset_and_filters_by_kind(
    personas: dict[str, Any], riverbend: Association, client_for: Any
) -> None:
    for i in range(PAGE_SIZE + 5):
        record(actor=None, verb="test.bulk", association=riverbend, data={"i": i})
    client = client_for(personas["coordinator"])
    url = reverse("audit:log", kwargs={"association_slug": "riverbend"})
    first = client.get(url, {"verb": "test."})
    assert len(first.context["events"]) == PAGE_SIZE
    second = client.get(url, {"verb": "test.", "before": first.context["next_before"]})
    assert [e.data["i"] for e in second.context["events"]] == [4, 3, 2, 1, 0]
    assert second.context["next_before"] is None
    assert client.get(url, {"before": "drop table"}).status_code == 400


def test_the_audit_log_only_shows_its_own_association(
    personas: dict[str, Any], cascade: Association, client_for: Any
) -> None:
    record(actor=None, verb="test.elsewhere", association=cascade)
    response = client_for(personas["coordinator"]).get(reverse("audit:log", kwargs={"association_slug": "riverbend"}))
    assert "test.elsewhere" not in response.content.decode()


def test_the_audit_log_costs_the_same_with_5_and_50_events(
    personas: dict[str, Any], riverbend: Association, client_for: Any
) -> None:
    client = client_for(personas["coordinator"])
    url = reverse("audit:log", kwargs={"association_slug": "riverbend"})

    def grow(n: int) -> None:
        for i in range(n):
            user = User.objects.create_user(f"p{n}-{i}@example.org")
            actions.grant_staff_role(actor=personas["admin"], association=riverbend, user=user, role=Role.REVIEWER)

    # session, user, staff status, association+policy, viewer's roles, the page of events.
    assert assert_constant_queries(grow, lambda: client.get(url)) == 6
