"""Another association's objects are a 404, whatever the person's role elsewhere."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from attunement.associations.models import Role, StaffRole


@pytest.fixture
def cascade_role(personas: dict[str, Any]) -> StaffRole:
    return StaffRole.objects.get(user=personas["outsider"], role=Role.COORDINATOR)


def test_it_hides_another_associations_role_from_an_admin(
    personas: dict[str, Any], client_for: Any, cascade_role: StaffRole
) -> None:
    url = reverse(
        "associations:revoke_role", kwargs={"association_slug": "riverbend", "role_id": cascade_role.public_id}
    )
    response = client_for(personas["admin"]).post(url)
    assert response.status_code == 404
    cascade_role.refresh_from_db()
    assert cascade_role.revoked_at is None


def test_it_hides_another_associations_history(
    personas: dict[str, Any], client_for: Any, cascade_role: StaffRole
) -> None:
    url = reverse(
        "audit:history",
        kwargs={
            "association_slug": "riverbend",
            "target_type": "associations.staffrole",
            "target_id": cascade_role.public_id,
        },
    )
    assert client_for(personas["coordinator"]).get(url).status_code == 404


def test_it_hides_another_association_itself_from_its_history_page(personas: dict[str, Any], client_for: Any) -> None:
    url = reverse(
        "audit:history",
        kwargs={"association_slug": "riverbend", "target_type": "associations.association", "target_id": "cascade"},
    )
    assert client_for(personas["coordinator"]).get(url).status_code == 404


def test_an_admin_elsewhere_is_a_stranger_here(personas: dict[str, Any], client_for: Any) -> None:
    client = client_for(personas["outsider"])
    for name in ["associations:staff_home", "associations:staff_roles", "associations:settings", "audit:log"]:
        assert client.get(reverse(name, kwargs={"association_slug": "riverbend"})).status_code == 404, name


def test_a_revoked_role_opens_nothing(personas: dict[str, Any], client_for: Any) -> None:
    StaffRole.objects.filter(user=personas["coordinator"]).update(revoked_at="2026-01-01T00:00:00Z")
    url = reverse("associations:staff_roles", kwargs={"association_slug": "riverbend"})
    assert client_for(personas["coordinator"]).get(url).status_code == 404


def test_an_unknown_or_inactive_association_is_a_404(personas: dict[str, Any], client_for: Any, cascade: Any) -> None:
    client = client_for(personas["outsider"])
    assert client.get("/no-such-place/").status_code == 404
    cascade.is_active = False
    cascade.save(update_fields=["is_active"])
    assert client.get("/cascade/").status_code == 404
    assert client.get("/cascade/staff/").status_code == 404


def test_a_malformed_role_id_is_a_404_not_an_error(personas: dict[str, Any], client_for: Any) -> None:
    url = reverse("associations:revoke_role", kwargs={"association_slug": "riverbend", "role_id": "not-a-uuid"})
    assert client_for(personas["admin"]).post(url).status_code == 404
