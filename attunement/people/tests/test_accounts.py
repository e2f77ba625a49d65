"""Signing up, signing in, codes instead of emailed passwords, lock-out, second factors."""

from __future__ import annotations

import re
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from attunement.associations import actions as association_actions
from attunement.associations.models import Role
from attunement.audit.models import AuditEvent
from attunement.people.models import User
from conftest import PASSWORD, has_totp


def test_signing_up_sends_a_verification_code_and_no_password(client: Client, db: Any) -> None:
    response = client.post(
        reverse("account_signup"),
        {
            "email": "New.Person@Example.org",
            "password1": "a long phrase of plain words",
            "password2": "a long phrase of plain words",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="new.person@example.org")
    assert len(mail.outbox) == 1
    body = str(mail.outbox[0].body)
    assert re.search(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b", body)
    assert "a long phrase of plain words" not in body
    # The address is not verified yet, so the person is not signed in anywhere but the code page.
    assert not user.emailaddress_set.get().verified  # type: ignore[attr-defined]


def test_a_short_password_is_refused_and_named(client: Client, db: Any) -> None:
    response = client.post(
        reverse("account_signup"), {"email": "x@example.org", "password1": "Tr0ub4dor&3", "password2": "Tr0ub4dor&3"}
    )
    assert response.status_code == 200
    assert "password1" in response.context["form"].errors
    assert not User.objects.filter(email="x@example.org").exists()


def test_fifteen_characters_without_a_second_factor_eight_with_one(personas: dict[str, Any]) -> None:
    applicant, reviewer = personas["applicant"], personas["reviewer"]
    with pytest.raises(ValidationError):
        validate_password("eleven char", applicant)
    validate_password("fifteen chars!!", applicant)
    assert has_totp(reviewer)
    validate_password("8 chars!", reviewer)
    with pytest.raises(ValidationError):
        validate_password("7 chars", reviewer)


def test_a_common_password_is_refused_whatever_its_length(db: Any) -> None:
    with pytest.raises(ValidationError, match="too common"):
        validate_password("yfdbufnjh10305070")  # on the common-passwords list, 17 characters


def test_no_composition_rules(db: Any) -> None:
    validate_password("all lower case words here")


def test_repeated_failed_sign_ins_lock_the_address(personas: dict[str, Any], client: Client) -> None:
    url = reverse("account_login")
    for _ in range(5):
        response = client.post(url, {"login": "applicant@example.org", "password": "wrong password, sorry"})
        assert response.status_code == 200
    # Now even the right password is refused until the lock-out window passes.
    locked = client.post(url, {"login": "applicant@example.org", "password": PASSWORD})
    assert "Too many failed login attempts" in str(locked.context["form"].errors)
    assert "_auth_user_id" not in client.session


def test_sign_in_with_the_right_password_works_and_is_audited(personas: dict[str, Any], client: Client) -> None:
    response = client.post(reverse("account_login"), {"login": "applicant@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas["applicant"].pk)
    assert AuditEvent.objects.filter(verb="account.signed_in", actor=personas["applicant"]).count() == 1


def test_a_sign_in_code_arrives_by_mail_and_signs_in(personas: dict[str, Any], client: Client) -> None:
    response = client.post(reverse("account_request_login_code"), {"email": "applicant@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", str(mail.outbox[0].body))
    assert code is not None
    assert PASSWORD not in mail.outbox[0].body
    confirmed = client.post(reverse("account_confirm_login_code"), {"code": code.group(1)})
    assert confirmed.status_code == 302
    assert client.session["_auth_user_id"] == str(personas["applicant"].pk)


def test_staff_must_set_up_a_second_factor_before_anything_else(
    personas: dict[str, Any], riverbend: Any, make_person: Any, client_for: Any
) -> None:
    newcomer = make_person("new.coordinator@example.org", totp=False)
    association_actions.grant_staff_role(
        actor=personas["admin"], association=riverbend, user=newcomer, role=Role.COORDINATOR
    )
    client = client_for(newcomer)
    response = client.get(reverse("associations:staff_roles", kwargs={"association_slug": "riverbend"}))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert client.get(reverse("people:home")).status_code == 302
    # The pages that set the second factor up stay open.
    assert client.get(reverse("mfa_index")).status_code == 200


def test_people_without_a_staff_role_need_no_second_factor(personas: dict[str, Any], client_for: Any) -> None:
    assert not Authenticator.objects.filter(user=personas["applicant"]).exists()
    assert client_for(personas["applicant"]).get(reverse("people:home")).status_code == 200


def test_staff_with_a_second_factor_are_asked_for_it_at_sign_in(personas: dict[str, Any], client: Client) -> None:
    response = client.post(reverse("account_login"), {"login": "coordinator@riverbend.example", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


def test_the_admin_sends_people_to_the_one_sign_in_page(client: Client, db: Any) -> None:
    response = client.get("/admin/")
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert follow.status_code == 302
    assert follow["Location"].startswith(reverse("account_login"))


def test_staff_cannot_switch_their_second_factor_off(personas: dict[str, Any], client_for: Any) -> None:
    from allauth.mfa.adapter import get_adapter

    reviewer_totp = Authenticator.objects.get(user=personas["reviewer"], type=Authenticator.Type.TOTP)
    assert get_adapter().can_delete_authenticator(reviewer_totp) is False


def test_signing_up_and_confirming_are_audited(client: Client, db: Any) -> None:
    client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "a long phrase of plain words",
            "password2": "a long phrase of plain words",
        },
    )
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", str(mail.outbox[0].body))
    assert code is not None
    assert "Hello from Attunement." in str(mail.outbox[0].body)
    client.post(reverse("account_email_verification_sent"), {"code": code.group(1)})
    user = User.objects.get(email="new@example.org")
    verbs = sorted(AuditEvent.objects.filter(actor=user).values_list("verb", flat=True))
    assert verbs == ["account.email.confirmed", "account.signed_in", "account.signed_up"]
