"""Granting and revoking staff roles: audited once, races decided, the last admin kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from attunement.associations import actions
from attunement.associations.models import Association, Role, StaffRole
from attunement.audit.models import AuditEvent
from attunement.lib.testing import assert_constant_queries, pin_queries, race
from attunement.people.models import User


def roles_url() -> str:
    return reverse("associations:staff_roles", kwargs={"association_slug": "riverbend"})


def test_an_admin_grants_a_role_by_email(personas: dict[str, Any], client_for: Any) -> None:
    response = client_for(personas["admin"]).post(
        reverse("associations:grant_role", kwargs={"association_slug": "riverbend"}),
        {"email": "APPLICANT@example.org", "role": "reviewer"},
    )
    assert response.status_code == 302
    role = StaffRole.objects.get(user=personas["applicant"], role=Role.REVIEWER)
    events = AuditEvent.objects.filter(verb="association.role.granted", target_id=str(role.public_id))
    assert [(e.actor, e.association and e.association.slug, e.data["role"]) for e in events] == [
        (personas["admin"], "riverbend", "reviewer")
    ]


def test_granting_names_the_field_when_nobody_has_that_address(personas: dict[str, Any], client_for: Any) -> None:
    response = client_for(personas["admin"]).post(
        reverse("associations:grant_role", kwargs={"association_slug": "riverbend"}),
        {"email": "nobody@example.org", "role": "reviewer"},
    )
    assert response.status_code == 400
    assert "email" in response.context["form"].errors
    assert not StaffRole.objects.filter(user__email="nobody@example.org").exists()


def test_granting_a_role_twice_is_refused_clearly(personas: dict[str, Any], client_for: Any) -> None:
    response = client_for(personas["admin"]).post(
        reverse("associations:grant_role", kwargs={"association_slug": "riverbend"}),
        {"email": "reviewer@riverbend.example", "role": "reviewer"},
    )
    assert response.status_code == 409
    assert "already" in str(response.context["form"].non_field_errors())
    assert StaffRole.objects.current().filter(user=personas["reviewer"], role=Role.REVIEWER).count() == 1


def test_revoking_keeps_the_row_and_writes_one_event(
    personas: dict[str, Any], staff_role: StaffRole, client_for: Any
) -> None:
    url = reverse("associations:revoke_role", kwargs={"association_slug": "riverbend", "role_id": staff_role.public_id})
    assert client_for(personas["admin"]).post(url).status_code == 302
    staff_role.refresh_from_db()
    assert staff_role.revoked_at is not None
    assert staff_role.revoked_by == personas["admin"]
    assert AuditEvent.objects.filter(verb="association.role.revoked", target_id=str(staff_role.public_id)).count() == 1


def test_the_last_admin_cannot_be_revoked(personas: dict[str, Any]) -> None:
    role = StaffRole.objects.get(user=personas["admin"], role=Role.ADMIN)
    with pytest.raises(actions.ActionRefused, match="at least one admin"):
        actions.revoke_staff_role(actor=personas["admin"], staff_role=role)
    role.refresh_from_db()
    assert role.revoked_at is None


def test_the_roles_page_costs_the_same_with_5_and_50_roles(
    personas: dict[str, Any], riverbend: Association, client_for: Any
) -> None:
    client = client_for(personas["coordinator"])

    def grow(n: int) -> None:
        while StaffRole.objects.current().filter(association=riverbend).count() < n:
            i = StaffRole.objects.count()
            user = User.objects.create_user(f"volunteer{i}@example.org")
            StaffRole.objects.create(association=riverbend, user=user, role=Role.REVIEWER)

    count = assert_constant_queries(grow, lambda: client.get(roles_url()))
    # session, user, staff-status check (middleware), association+policy, roles of the
    # viewer, the roles list, the counts per role.
    assert count == 7


def test_the_roles_page_query_count_is_pinned(personas: dict[str, Any], client_for: Any) -> None:
    client = client_for(personas["admin"])
    with pin_queries(7):
        assert client.get(roles_url()).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_admins_revoking_the_same_role_at_once_one_wins(personas: dict[str, Any], riverbend: Association) -> None:
    second_admin = User.objects.create_user("second-admin@example.org")
    actions.grant_staff_role(actor=None, association=riverbend, user=second_admin, role=Role.ADMIN)
    target = StaffRole.objects.get(user=personas["reviewer"], role=Role.REVIEWER)

    def revoke_as(actor: User) -> Any:
        role = StaffRole.objects.select_related("association", "user").get(pk=target.pk)
        return actions.revoke_staff_role(actor=actor, staff_role=role)

    outcome = race(lambda: revoke_as(personas["admin"]), lambda: revoke_as(second_admin))
    assert len(outcome.results) == 1
    assert [type(e) for e in outcome.errors] == [actions.ActionRefused]
    assert "already revoked" in str(outcome.errors[0])
    assert AuditEvent.objects.filter(verb="association.role.revoked", target_id=str(target.public_id)).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_admins_removing_each_other_at_once_leave_one_admin(
    personas: dict[str, Any], riverbend: Association
) -> None:
    second_admin = User.objects.create_user("second-admin@example.org")
    actions.grant_staff_role(actor=None, association=riverbend, user=second_admin, role=Role.ADMIN)
    first = StaffRole.objects.get(user=personas["admin"], role=Role.ADMIN)
    second = StaffRole.objects.get(user=second_admin, role=Role.ADMIN)

    def revoke(actor: User, role: StaffRole) -> Any:
        return actions.revoke_staff_role(
            actor=actor, staff_role=StaffRole.objects.select_related("association", "user").get(pk=role.pk)
        )

    outcome = race(lambda: revoke(personas["admin"], second), lambda: revoke(second_admin, first))
    assert len(outcome.results) == 1
    assert [type(e) for e in outcome.errors] == [actions.ActionRefused]
    assert StaffRole.objects.current().filter(association=riverbend, role=Role.ADMIN).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_role_granted_twice_at_once_stands_once(personas: dict[str, Any], riverbend: Association) -> None:
    applicant = personas["applicant"]
    outcome = race(
        lambda: actions.grant_staff_role(
            actor=personas["admin"], association=riverbend, user=applicant, role=Role.TRAINER
        ),
        lambda: actions.grant_staff_role(
            actor=personas["admin"], association=riverbend, user=applicant, role=Role.TRAINER
        ),
    )
    assert len(outcome.results) == 1
    assert [type(e) for e in outcome.errors] == [actions.ActionRefused]
    assert StaffRole.objects.current().filter(user=applicant, role=Role.TRAINER).count() == 1
    assert (
        AuditEvent.objects.filter(verb="association.role.granted", data__person=str(applicant.public_id)).count() == 1
    )
