"""Granting and revoking staff roles: audited once, races decided, the last admin kept."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from attunement.associations import actions
from attunement.associations.models import Association, Role, StaffInvitation, StaffRole
from attunement.audit.models import AuditEvent
from attunement.lib.testing import assert_constant_queries, pin_queries, race
from attunement.people.models import User


def roles_url() -> str:
    return reverse("associations:staff_roles", kwargs={"association_slug": "riverbend"})


def grant_url() -> str:
    return reverse("associations:grant_role", kwargs={"association_slug": "riverbend"})


def test_an_admin_invites_by_email_and_the_person_accepts_to_hold_the_role(
    personas: dict[str, Any], client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    alex = personas["applicant"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(personas["admin"]).post(
            grant_url(), {"email": "APPLICANT@example.org", "role": "reviewer"}
        )
    assert response.status_code == 302
    # Nothing is granted until the person accepts.
    assert not StaffRole.objects.filter(user=alex, role=Role.REVIEWER).exists()
    invitation = StaffInvitation.objects.get(email="applicant@example.org", role=Role.REVIEWER)
    assert [m.to for m in mail.outbox] == [["applicant@example.org"]]
    assert reverse("associations_me:invitations") in str(mail.outbox[0].body)
    assert AuditEvent.objects.filter(verb="association.role.invited", target_id=str(invitation.public_id)).count() == 1

    client = client_for(alex)
    assert "Riverbend" in client.get(reverse("associations_me:invitations")).content.decode()
    home = client.get(reverse("people:home")).content.decode()
    assert "You have 1 open staff invitation." in home
    assert f'href="{reverse("associations_me:invitations")}"' in home
    accepted = client.post(reverse("associations_me:accept", kwargs={"invitation_id": invitation.public_id}))
    assert accepted.status_code == 302
    role = StaffRole.objects.get(user=alex, role=Role.REVIEWER)
    assert role.granted_by == personas["admin"]
    events = AuditEvent.objects.filter(verb="association.role.granted", target_id=str(role.public_id))
    assert [(e.actor, e.association and e.association.slug, e.data["role"]) for e in events] == [
        (alex, "riverbend", "reviewer")
    ]
    # Now staff, Alex must set up a second factor before any other page.
    assert client.get(reverse("associations_me:invitations")).url == reverse("mfa_activate_totp")
    # Accepting twice grants nothing more.
    with pytest.raises(actions.ActionRefused, match="already accepted"):
        actions.accept_staff_invitation(actor=alex, invitation=invitation)
    assert AuditEvent.objects.filter(verb="association.role.granted", target_id=str(role.public_id)).count() == 1


def invite(client: Any, email: str, capture: Any) -> tuple[Any, list[Any]]:
    with capture(execute=True):
        response = client.post(grant_url(), {"email": email, "role": "reviewer"}, follow=True)
    return response, list(mail.outbox)


def test_the_form_answers_the_same_for_an_unknown_address_and_an_account_elsewhere(
    personas: dict[str, Any], client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """No enumeration: an admin cannot tell whether an address has an account in another
    association (the outsider administers Cascade) or none at all."""
    client = client_for(personas["admin"])
    answers = []
    for email in ("nobody@example.org", "outsider@cascade.example"):
        mail.outbox.clear()
        response, sent = invite(client, email, django_capture_on_commit_callbacks)
        assert response.status_code == 200
        page = response.content.decode().replace(email, "EMAIL")
        notice = [str(m) for m in response.context["messages"]]
        answers.append(([n.replace(email, "EMAIL") for n in notice], len(sent), sent[0].subject, page.count("EMAIL")))
        # An invitation is recorded either way, with one audit event each.
        invitation = StaffInvitation.objects.get(email=email)
        assert invitation.accepted_at is None
        events = AuditEvent.objects.filter(verb="association.role.invited", target_id=str(invitation.public_id))
        assert events.count() == 1
    assert answers[0] == answers[1]
    assert "Invitation sent" in answers[0][0][0]
    assert not StaffRole.objects.filter(association__slug="riverbend", user=personas["outsider"]).exists()


def test_the_mail_is_the_same_for_an_unknown_address_and_an_account_elsewhere(
    personas: dict[str, Any], riverbend: Association, django_capture_on_commit_callbacks: Any
) -> None:
    bodies = []
    for email in ("nobody@example.org", "outsider@cascade.example"):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            actions.invite_staff(actor=personas["admin"], association=riverbend, email=email, role=Role.TRAINER)
        [message] = mail.outbox
        bodies.append((message.subject, message.body.replace(email, "EMAIL")))
    assert bodies[0] == bodies[1]


def test_a_deactivated_account_gets_the_same_answer(
    personas: dict[str, Any], client_for: Any, make_person: Any, django_capture_on_commit_callbacks: Any
) -> None:
    gone = make_person("gone@example.org")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    response, sent = invite(client_for(personas["admin"]), "gone@example.org", django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "Invitation sent" in " ".join(str(m) for m in response.context["messages"])
    assert len(sent) == 1


def test_only_the_invited_address_can_accept(personas: dict[str, Any], riverbend: Association, client_for: Any) -> None:
    invitation = actions.invite_staff(actor=personas["admin"], association=riverbend, email="bea@example.org",
                                      role=Role.TRAINER)  # fmt: skip
    url = reverse("associations_me:accept", kwargs={"invitation_id": invitation.public_id})
    assert client_for(personas["applicant"]).post(url).status_code == 404
    assert client_for(personas["outsider"]).post(url).status_code == 404
    with pytest.raises(actions.ActionRefused, match="confirmed email"):
        actions.accept_staff_invitation(actor=personas["applicant"], invitation=invitation)
    assert (
        not StaffRole.objects.filter(association=riverbend, role=Role.TRAINER)
        .exclude(user__in=[personas["trainer"]])
        .exists()
    )


def test_an_admin_withdraws_an_open_invitation_and_it_can_no_longer_be_accepted(
    personas: dict[str, Any], riverbend: Association, client_for: Any, django_capture_on_commit_callbacks: Any
) -> None:
    alex = personas["applicant"]
    invitation = actions.invite_staff(actor=personas["admin"], association=riverbend, email=alex.email,
                                      role=Role.TRAINER)  # fmt: skip
    admin = client_for(personas["admin"])
    page = admin.get(roles_url()).content.decode()
    withdraw = reverse(
        "associations:withdraw_invitation",
        kwargs={"association_slug": "riverbend", "invitation_id": invitation.public_id},
    )
    assert f'action="{withdraw}"' in page
    assert f'Withdraw<span class="visually-hidden"> — {alex.email}' in page
    # A coordinator sees the invitations but cannot withdraw them.
    assert withdraw not in client_for(personas["coordinator"]).get(roles_url()).content.decode()
    assert client_for(personas["coordinator"]).post(withdraw).status_code == 403
    response = admin.post(withdraw, follow=True)
    assert "withdrawn" in " ".join(str(m) for m in response.context["messages"])
    assert f"<tr><td>{alex.email}</td>" not in response.content.decode()
    events = AuditEvent.objects.filter(
        verb="association.role.invitation_withdrawn", target_id=str(invitation.public_id)
    )
    assert events.count() == 1
    with pytest.raises(actions.ActionRefused, match="withdrawn"):
        actions.accept_staff_invitation(actor=alex, invitation=invitation)
    assert not StaffRole.objects.filter(association=riverbend, user=alex).exists()
    # Twice: refused, nothing more recorded.
    with pytest.raises(actions.ActionRefused, match="no longer open"):
        actions.withdraw_staff_invitation(actor=personas["admin"], invitation=invitation)
    assert events.count() == 1
    # Inviting again opens it anew, and then it can be accepted.
    again = actions.invite_staff(actor=personas["admin"], association=riverbend, email=alex.email, role=Role.TRAINER)
    assert again.pk == invitation.pk
    assert actions.accept_staff_invitation(actor=alex, invitation=again).role == Role.TRAINER


def test_an_accepted_invitation_cannot_be_withdrawn(personas: dict[str, Any], riverbend: Association) -> None:
    alex = personas["applicant"]
    invitation = actions.invite_staff(actor=personas["admin"], association=riverbend, email=alex.email,
                                      role=Role.TRAINER)  # fmt: skip
    actions.accept_staff_invitation(actor=alex, invitation=invitation)
    with pytest.raises(actions.ActionRefused, match="revoke the role instead"):
        actions.withdraw_staff_invitation(actor=personas["admin"], invitation=invitation)


@pytest.mark.django_db(transaction=True)
def test_withdrawing_while_the_person_accepts_leaves_one_outcome(
    personas: dict[str, Any], riverbend: Association
) -> None:
    alex = personas["applicant"]
    for _trial in range(3):
        StaffRole.objects.filter(association=riverbend, user=alex).delete()
        StaffInvitation.objects.filter(email=alex.email).delete()
        invitation = actions.invite_staff(actor=personas["admin"], association=riverbend, email=alex.email,
                                          role=Role.TRAINER)  # fmt: skip
        outcome = race(
            partial(actions.withdraw_staff_invitation, actor=personas["admin"], invitation=invitation),
            partial(actions.accept_staff_invitation, actor=alex, invitation=invitation),
        )
        assert len(outcome.results) == 1
        assert [type(e) for e in outcome.errors] == [actions.ActionRefused]
        held = StaffRole.objects.filter(association=riverbend, user=alex, role=Role.TRAINER).exists()
        withdrawn = AuditEvent.objects.filter(
            verb="association.role.invitation_withdrawn", target_id=str(invitation.public_id)
        ).exists()
        assert held != withdrawn


def test_an_unconfirmed_address_cannot_accept(
    personas: dict[str, Any], riverbend: Association, client_for: Any
) -> None:
    from allauth.account.models import EmailAddress

    alex = personas["applicant"]
    EmailAddress.objects.filter(user=alex).update(verified=False)
    invitation = actions.invite_staff(actor=personas["admin"], association=riverbend, email=alex.email,
                                      role=Role.TRAINER)  # fmt: skip
    url = reverse("associations_me:accept", kwargs={"invitation_id": invitation.public_id})
    assert client_for(alex).post(url).status_code == 404


def test_an_expired_invitation_cannot_be_accepted(personas: dict[str, Any], riverbend: Association) -> None:
    alex = personas["applicant"]
    invitation = actions.invite_staff(actor=personas["admin"], association=riverbend, email=alex.email,
                                      role=Role.TRAINER)  # fmt: skip
    StaffInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(actions.ActionRefused, match="expired"):
        actions.accept_staff_invitation(actor=alex, invitation=invitation)
    assert not StaffRole.objects.filter(user=alex).exists()


def test_inviting_again_renews_the_open_invitation(personas: dict[str, Any], riverbend: Association) -> None:
    first = actions.invite_staff(actor=personas["admin"], association=riverbend, email="x@example.org", role="trainer")
    second = actions.invite_staff(actor=personas["admin"], association=riverbend, email="X@example.org", role="trainer")
    assert first.pk == second.pk
    assert StaffInvitation.objects.count() == 1
    assert [e.data["renewed"] for e in AuditEvent.objects.filter(verb="association.role.invited").order_by("id")] == [
        False,
        True,
    ]


def test_granting_a_role_twice_is_refused_clearly(personas: dict[str, Any], client_for: Any) -> None:
    response = client_for(personas["admin"]).post(
        grant_url(), {"email": "reviewer@riverbend.example", "role": "reviewer"}
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
    # viewer, the roles list, the counts per role, the open invitations.
    assert count == 8


def test_the_roles_page_query_count_is_pinned(personas: dict[str, Any], client_for: Any) -> None:
    client = client_for(personas["admin"])
    with pin_queries(8):
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


@pytest.mark.django_db(transaction=True)
def test_one_invitation_accepted_twice_at_once_grants_once(personas: dict[str, Any], riverbend: Association) -> None:
    alex = personas["applicant"]
    invitation = actions.invite_staff(actor=personas["admin"], association=riverbend, email=alex.email, role="trainer")
    outcome = race(
        lambda: actions.accept_staff_invitation(actor=alex, invitation=invitation),
        lambda: actions.accept_staff_invitation(actor=alex, invitation=invitation),
    )
    assert len(outcome.results) == 1
    assert [type(e) for e in outcome.errors] == [actions.ActionRefused]
    assert StaffRole.objects.current().filter(user=alex, role=Role.TRAINER).count() == 1
    assert AuditEvent.objects.filter(verb="association.role.granted", data__person=str(alex.public_id)).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_admins_inviting_the_same_address_at_once_leave_one_open_invitation(
    personas: dict[str, Any], riverbend: Association
) -> None:
    def invite_as_admin() -> Any:
        return actions.invite_staff(
            actor=personas["admin"], association=riverbend, email="new@example.org", role="trainer"
        )

    outcome = race(invite_as_admin, invite_as_admin)
    assert not outcome.errors
    assert StaffInvitation.objects.filter(email="new@example.org").count() == 1
    assert AuditEvent.objects.filter(verb="association.role.invited").count() == 2
