"""Suspend, restore, revoke: staff with a reason; the signal the webhooks hear; one audit event."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from attunement.audit.models import AuditEvent
from attunement.endorsement.actions.credential import restore_credential, revoke_credential, suspend_credential
from attunement.endorsement.models import Credential, CredentialStatus
from attunement.endorsement.signals import credentials_changed
from attunement.lib.errors import ActionRefused
from attunement.lib.testing import race


@pytest.fixture
def heard() -> Iterator[list[tuple[str, list[int]]]]:
    events: list[tuple[str, list[int]]] = []

    def listen(sender: Any, association: Any, event: str, credential_ids: list[int], **kwargs: Any) -> None:
        events.append((event, credential_ids))

    credentials_changed.connect(listen)
    yield events
    credentials_changed.disconnect(listen)


def status(credential: Credential) -> str:
    credential.refresh_from_db()
    return credential.status


def test_suspend_then_restore(credential: Credential, personas: dict[str, Any], heard: list[Any]) -> None:
    coordinator = personas["coordinator"]
    suspend_credential(actor=coordinator, credential=credential, reason="Complaint under review")
    assert status(credential) == CredentialStatus.SUSPENDED
    restore_credential(actor=coordinator, credential=credential, reason="Complaint dismissed")
    assert status(credential) == CredentialStatus.ACTIVE
    assert heard == [("suspended", [credential.pk]), ("restored", [credential.pk])]
    events = AuditEvent.objects.filter(verb__startswith="endorsement.credential.").order_by("id")
    assert [(e.verb, e.data["reason"]) for e in events] == [
        ("endorsement.credential.suspended", "Complaint under review"),
        ("endorsement.credential.restored", "Complaint dismissed"),
    ]


def test_revoke_is_final(credential: Credential, personas: dict[str, Any], heard: list[Any]) -> None:
    revoke_credential(actor=personas["admin"], credential=credential, reason="Ethics finding")
    assert status(credential) == CredentialStatus.REVOKED
    with pytest.raises(ActionRefused):
        restore_credential(actor=personas["admin"], credential=credential, reason="Changed my mind")
    with pytest.raises(ActionRefused):
        revoke_credential(actor=personas["admin"], credential=credential, reason="Twice")
    with pytest.raises(ActionRefused):
        suspend_credential(actor=personas["admin"], credential=credential, reason="Too late")
    assert heard == [("revoked", [credential.pk])]
    assert AuditEvent.objects.filter(verb="endorsement.credential.revoked").count() == 1


@pytest.mark.parametrize("act", [suspend_credential, revoke_credential])
def test_a_reason_is_required(act: Callable[..., None], credential: Credential, personas: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as error:
        act(actor=personas["coordinator"], credential=credential, reason="   ")
    assert "reason" in error.value.message_dict
    assert status(credential) == CredentialStatus.ACTIVE
    assert not AuditEvent.objects.filter(verb__startswith="endorsement.credential.").exists()


def test_only_a_suspended_credential_is_restored(credential: Credential, personas: dict[str, Any]) -> None:
    with pytest.raises(ActionRefused):
        restore_credential(actor=personas["coordinator"], credential=credential, reason="Nothing to lift")


def test_the_staff_credentials_page_suspends_and_revokes(
    credential: Credential, personas: dict[str, Any], client_for: Callable[..., Any]
) -> None:
    url = reverse("endorsement_staff:credentials", kwargs={"association_slug": "riverbend"})
    kw = {"association_slug": "riverbend", "code": credential.public_code}
    suspend, restore, revoke = (
        reverse(f"endorsement_staff:{what}_credential", kwargs=kw) for what in ("suspend", "restore", "revoke")
    )
    client = client_for(personas["coordinator"])
    page = client.get(url).content.decode()
    assert suspend in page
    assert revoke in page
    response = client.post(suspend, {"reason": ""}, follow=True)
    assert "Give the reason" in response.content.decode()
    assert status(credential) == CredentialStatus.ACTIVE
    client.post(suspend, {"reason": "Audit"})
    assert status(credential) == CredentialStatus.SUSPENDED
    assert restore in client.get(url).content.decode()
    client.post(revoke, {"reason": "Fraud"})
    assert status(credential) == CredentialStatus.REVOKED


def test_another_associations_staff_cannot_touch_it(
    credential: Credential, personas: dict[str, Any], client_for: Callable[..., Any]
) -> None:
    url = reverse(
        "endorsement_staff:revoke_credential", kwargs={"association_slug": "cascade", "code": credential.public_code}
    )
    response = client_for(personas["outsider"]).post(url, {"reason": "x"})
    assert response.status_code == 404
    assert status(credential) == CredentialStatus.ACTIVE


@pytest.mark.django_db(transaction=True)
def test_suspend_and_revoke_at_once_leave_one_story(riverbend: Any, personas: dict[str, Any]) -> None:
    from attunement.credentials.tests.fixtures import holder_credential

    held = holder_credential(personas["applicant"], riverbend)
    outcome = race(
        lambda: revoke_credential(actor=personas["admin"], credential=held, reason="Fraud"),
        lambda: revoke_credential(actor=personas["coordinator"], credential=held, reason="Fraud"),
    )
    assert len(outcome.results) == 1
    assert [type(e) for e in outcome.errors] == [ActionRefused]
    assert AuditEvent.objects.filter(verb="endorsement.credential.revoked").count() == 1
