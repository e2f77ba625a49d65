"""The issuer's keys (encrypted at rest, rotated, audited), its DID document and its status lists."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from attunement.audit.models import AuditEvent
from attunement.credentials import crypto, vc
from attunement.credentials.actions import (
    create_signing_key,
    issue_verifiable_credential,
    rotate_signing_key,
)
from attunement.credentials.models import SigningKey, StatusEntry
from attunement.endorsement.models import Credential, CredentialStatus
from attunement.lib.errors import ActionRefused
from attunement.lib.testing import assert_constant_queries, pin_queries, race

STATUS = "/riverbend/credentials/status/"


def test_a_key_is_made_on_first_need_encrypted_and_audited_once(riverbend: Any, credential: Credential) -> None:
    assert not SigningKey.objects.exists()
    issue_verifiable_credential(actor=credential.person, credential=credential)
    issue_verifiable_credential(actor=credential.person, credential=credential)
    key = SigningKey.objects.get()
    seed = crypto.b64url_decode(key.signing_jwk()["d"])
    assert len(seed) == 32
    assert seed not in bytes(key.private_key_encrypted)
    assert AuditEvent.objects.filter(verb="credentials.key.created").count() == 1
    assert AuditEvent.objects.filter(verb="credentials.credential.issued").count() == 2
    assert StatusEntry.objects.get(credential=credential).index == 0


def test_a_sealed_key_does_not_open_with_another_secret_or_on_another_row(riverbend: Any, settings: Any) -> None:
    key = create_signing_key(actor=None, association=riverbend)
    with pytest.raises(crypto.KeyUnavailable):
        crypto.unseal(key.private_key_encrypted, f"{key.association_id}:key-other")
    settings.CREDENTIAL_KEY_SECRET = "another deployment's secret, fifty characters long or so"
    with pytest.raises(crypto.KeyUnavailable):
        key.signing_jwk()


def test_rotation_retires_the_old_key_and_publishes_both(riverbend: Any, client: Any) -> None:
    first = create_signing_key(actor=None, association=riverbend)
    second = rotate_signing_key(actor=None, association=riverbend)
    first.refresh_from_db()
    assert first.retired_at is not None
    assert second.retired_at is None
    document = client.get("/riverbend/did.json").json()
    did = "did:web:127.0.0.1%3A8000:riverbend"
    assert document["id"] == did
    assert [m["id"] for m in document["verificationMethod"]] == [f"{did}#{first.kid}", f"{did}#{second.kid}"]
    assert document["assertionMethod"] == [f"{did}#{first.kid}", f"{did}#{second.kid}"]
    assert {m["type"] for m in document["verificationMethod"]} == {"JsonWebKey"}
    assert document["verificationMethod"][0]["publicKeyJwk"] == first.public_jwk
    rotated = AuditEvent.objects.get(verb="credentials.key.rotated")
    assert rotated.data == {"kid": second.kid, "retired": [first.kid]}


def test_the_rotate_key_command(riverbend: Any, capsys: Any) -> None:
    from django.core.management import call_command

    call_command("credentials", "rotate-key", "--association", "riverbend")
    call_command("credentials", "rotate-key", "--association", "riverbend")
    assert SigningKey.objects.filter(association=riverbend).count() == 2
    assert SigningKey.objects.filter(association=riverbend, retired_at__isnull=True).count() == 1
    call_command("credentials", "keys", "--association", "riverbend")
    assert "current" in capsys.readouterr().out


def test_did_web_names_encode_the_port_and_resolve_back() -> None:
    assert vc.did_for("https://registry.example.org", "riverbend") == "did:web:registry.example.org:riverbend"
    assert vc.did_for("http://127.0.0.1:8000", "riverbend") == "did:web:127.0.0.1%3A8000:riverbend"
    assert vc.did_for("https://example.org/aimh/", "cascade") == "did:web:example.org:aimh:cascade"
    assert (
        vc.did_document_url("did:web:registry.example.org:riverbend")
        == "https://registry.example.org/riverbend/did.json"
    )
    assert vc.did_document_url("did:web:127.0.0.1%3A8000:riverbend") == "http://127.0.0.1:8000/riverbend/did.json"


def test_only_a_current_credential_is_issued(credential: Credential) -> None:
    Credential.objects.filter(pk=credential.pk).update(status=CredentialStatus.LAPSED)
    with pytest.raises(ActionRefused):
        issue_verifiable_credential(actor=None, credential=credential)
    assert not StatusEntry.objects.exists()


def _bits(client: Any, purpose: str) -> bytes:
    _header, payload = vc.unverified(client.get(STATUS + purpose).content.decode())
    return vc.decode_status_list(payload["credentialSubject"]["encodedList"])


def test_the_status_lists_set_the_bits_of_revoked_and_suspended_credentials(
    riverbend: Any, credential: Credential, make_person: Callable[..., Any], client: Any
) -> None:
    other = Credential.objects.create(
        person=make_person("b@example.org"), association=riverbend, category="IMHS", since=date(2020, 1, 1)
    )
    issue_verifiable_credential(actor=None, credential=credential)  # index 0
    issue_verifiable_credential(actor=None, credential=other)  # index 1
    Credential.objects.filter(pk=credential.pk).update(status=CredentialStatus.REVOKED)
    Credential.objects.filter(pk=other.pk).update(status=CredentialStatus.SUSPENDED)
    revocation, suspension = _bits(client, "revocation"), _bits(client, "suspension")
    assert len(revocation) * 8 == 131_072
    assert vc.bit_is_set(revocation, 0)
    assert not vc.bit_is_set(revocation, 1)
    assert vc.bit_is_set(suspension, 1)
    assert not vc.bit_is_set(suspension, 0)
    response = client.get(STATUS + "revocation")
    assert response["Content-Type"] == "application/vc+jwt"
    assert response["Cache-Control"] == "public, max-age=300"
    _h, payload = vc.unverified(response.content.decode())
    assert payload["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert payload["credentialSubject"]["statusPurpose"] == "revocation"
    assert payload["credentialSubject"]["encodedList"].startswith("u")
    assert payload["issuer"] == "did:web:127.0.0.1%3A8000:riverbend"


def test_an_unknown_purpose_or_association_is_404(riverbend: Any, client: Any) -> None:
    assert client.get(STATUS + "other").status_code == 404
    assert client.get("/nowhere/credentials/status/revocation").status_code == 404
    assert client.get("/nowhere/did.json").status_code == 404


def test_a_get_never_makes_a_signing_key(riverbend: Any, client: Any) -> None:
    """An association that has issued nothing has no key and no status list yet: fetching one
    is a 404, and nothing is written (issue 15.8, no GET that writes)."""
    assert not SigningKey.objects.filter(association=riverbend).exists()
    for purpose in ("revocation", "suspension"):
        assert client.get(STATUS + purpose).status_code == 404
    assert client.get("/riverbend/did.json").status_code == 200
    assert not SigningKey.objects.filter(association=riverbend).exists()
    assert not AuditEvent.objects.filter(verb="credentials.key.created").exists()


def test_the_status_list_costs_the_same_with_5_and_50_credentials(
    riverbend: Any, make_person: Callable[..., Any], client: Any
) -> None:
    create_signing_key(actor=None, association=riverbend)

    def grow(n: int) -> None:
        while StatusEntry.objects.count() < n:
            i = StatusEntry.objects.count()
            revoked = Credential.objects.create(
                person=make_person(f"s{i}@example.org"), association=riverbend, category="IFS",
                since=date(2020, 1, 1), status=CredentialStatus.REVOKED,
            )  # fmt: skip
            StatusEntry.objects.create(credential=revoked, association=riverbend, index=i)

    # The association, the list's length, the set bits, the current key.
    assert assert_constant_queries(grow, lambda: client.get(STATUS + "revocation")) == 4


def test_the_did_document_costs_two_queries(riverbend: Any, client: Any) -> None:
    create_signing_key(actor=None, association=riverbend)
    with pin_queries(2):  # the association, its keys
        assert client.get("/riverbend/did.json").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_two_credentials_issued_at_once_get_different_positions(
    riverbend: Any, make_person: Callable[..., Any]
) -> None:
    first, second = (
        Credential.objects.create(person=make_person(f"r{i}@example.org"), association=riverbend, category="IFS",
                                  since=date(2020, 1, 1))
        for i in range(2)
    )  # fmt: skip
    outcome = race(
        lambda: issue_verifiable_credential(actor=None, credential=first),
        lambda: issue_verifiable_credential(actor=None, credential=second),
    )
    assert outcome.errors == []
    assert sorted(StatusEntry.objects.values_list("index", flat=True)) == [0, 1]
    assert SigningKey.objects.filter(association=riverbend).count() == 1
    assert AuditEvent.objects.filter(verb="credentials.key.created").count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_same_credential_downloaded_twice_at_once_keeps_one_position(
    riverbend: Any, make_person: Callable[..., Any]
) -> None:
    held = Credential.objects.create(
        person=make_person("twice@example.org"), association=riverbend, category="IFS", since=date(2020, 1, 1)
    )
    outcome = race(
        lambda: issue_verifiable_credential(actor=None, credential=held),
        lambda: issue_verifiable_credential(actor=None, credential=held),
    )
    assert outcome.errors == []
    assert StatusEntry.objects.filter(credential=held).count() == 1
    assert len(outcome.results) == 2
    assert outcome.results[0] == outcome.results[1]  # the same position, the same key: the same token


def test_holder_download_links_need_the_holders_own_code(
    credential: Credential, personas: dict[str, Any], client_for: Callable[..., Any]
) -> None:
    url = reverse("credentials_me:jwt", kwargs={"code": credential.public_code})
    assert client_for(personas["reviewer"]).get(url).status_code == 404
    assert client_for(None).get(url).status_code == 302
    Credential.objects.filter(pk=credential.pk).update(status=CredentialStatus.REVOKED)
    response = client_for(personas["applicant"]).get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("credentials_me:mine")


def test_the_holders_download_costs_a_fixed_number_of_queries(
    credential: Credential, personas: dict[str, Any], client_for: Callable[..., Any]
) -> None:
    client = client_for(personas["applicant"])
    url = reverse("credentials_me:jwt", kwargs={"code": credential.public_code})
    client.get(url)  # the first download makes the key and the status position
    with pin_queries(PINNED_DOWNLOAD):
        assert client.get(url).status_code == 200


# Session, user, middleware role check; the credential, then locked in the action's savepoint
# (2 + savepoint pair); its status position; the current key; the audit event.
PINNED_DOWNLOAD = 10


def test_public_documents_answer_head_too(riverbend: Any, client: Any) -> None:
    create_signing_key(actor=None, association=riverbend)
    for url in ("/riverbend/did.json", STATUS + "revocation", "/directory/"):
        assert client.head(url).status_code == 200, url


def test_an_operator_rotates_from_the_admin(
    riverbend: Any, personas: dict[str, Any], client_for: Callable[..., Any]
) -> None:
    key = create_signing_key(actor=None, association=riverbend)
    client = client_for(personas["operator"])
    assert client.get("/admin/credentials/signingkey/").status_code == 200
    response = client.post("/admin/credentials/signingkey/", {"action": "rotate", "_selected_action": [key.pk]})
    assert response.status_code == 302
    assert SigningKey.objects.filter(association=riverbend).count() == 2
    assert AuditEvent.objects.get(verb="credentials.key.rotated").actor == personas["operator"]
