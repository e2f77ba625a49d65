"""A holder downloads a credential that ``attunement verify`` accepts; revoking or
suspending it makes the command and the verification page say so."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from attunement.credentials import crypto, vc
from attunement.credentials.actions import rotate_signing_key
from attunement.credentials.verify import verify_credential
from attunement.endorsement.actions.credential import restore_credential, suspend_credential
from attunement.endorsement.models import Credential


def run_verify(path: Path, *options: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("verify", str(path), *options, stdout=out, stderr=err)
    return int(exited.value.code or 0), out.getvalue(), err.getvalue()


def saved(tmp_path: Path, content: bytes | str, name: str = "credential.jwt") -> Path:
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


def test_a_downloaded_credential_verifies(
    credential: Credential, download: Callable[..., bytes], network: list[str], tmp_path: Path
) -> None:
    code, out, _err = run_verify(saved(tmp_path, download(credential)))
    assert code == 0, out
    assert out.startswith("VALID")
    assert "Endorsement® Infant Family Specialist (IFS)" in out
    assert "Alex Rivera" in out
    assert network == [
        "http://127.0.0.1:8000/riverbend/did.json",
        "http://127.0.0.1:8000/riverbend/credentials/status/revocation",
        "http://127.0.0.1:8000/riverbend/credentials/status/suspension",
    ]


def test_the_credential_is_an_open_badge_secured_as_vc_jwt(
    credential: Credential, download: Callable[..., bytes]
) -> None:
    header, payload = vc.unverified(download(credential).decode())
    did = "did:web:127.0.0.1%3A8000:riverbend"
    assert header["alg"] == "EdDSA"
    assert header["typ"] == "vc+jwt"
    assert header["kid"].startswith(did + "#key-")
    assert payload["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert payload["id"] == f"http://127.0.0.1:8000/verify/{credential.public_code}/"
    assert payload["issuer"]["id"] == did
    assert payload["issuer"]["type"] == ["Profile"]
    assert payload["validFrom"] == "2022-03-01T00:00:00Z"
    assert credential.valid_through is not None
    assert payload["validUntil"] == f"{credential.valid_through.isoformat()}T23:59:59Z"
    achievement = payload["credentialSubject"]["achievement"]
    assert payload["credentialSubject"]["type"] == ["AchievementSubject"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["name"] == "Endorsement® Infant Family Specialist (IFS)"
    assert achievement["criteria"]["narrative"]
    statuses = payload["credentialStatus"]
    assert [s["statusPurpose"] for s in statuses] == ["revocation", "suspension"]
    assert {s["type"] for s in statuses} == {"BitstringStatusListEntry"}
    assert statuses[0]["statusListIndex"] == "0"
    assert statuses[0]["statusListCredential"] == "http://127.0.0.1:8000/riverbend/credentials/status/revocation"


def test_revoking_makes_verify_and_the_verification_page_say_so(
    credential: Credential,
    download: Callable[..., bytes],
    network: list[str],
    tmp_path: Path,
    personas: dict[str, Any],
    client: Any,
    client_for: Callable[..., Any],
) -> None:
    path = saved(tmp_path, download(credential))
    revoke = reverse(
        "endorsement_staff:revoke_credential", kwargs={"association_slug": "riverbend", "code": credential.public_code}
    )
    client_for(personas["coordinator"]).post(revoke, {"reason": "Ethics board finding 2026-14"})
    code, out, _err = run_verify(path)
    assert code == 1
    assert out.startswith("NOT VALID: revoked")
    page = client.get(reverse("verify", kwargs={"code": credential.public_code}))
    assert page.status_code == 200
    assert "Not current" in page.content.decode()
    assert "Revoked" in page.content.decode()


def test_suspending_makes_verify_say_suspended_and_restoring_lifts_it(
    credential: Credential, download: Callable[..., bytes], network: list[str], tmp_path: Path, personas: dict[str, Any]
) -> None:
    path = saved(tmp_path, download(credential))
    suspend_credential(actor=personas["coordinator"], credential=credential, reason="Under investigation")
    code, out, _err = run_verify(path)
    assert code == 1
    assert "suspended" in out
    restore_credential(actor=personas["coordinator"], credential=credential, reason="Cleared")
    assert run_verify(path)[0] == 0


def test_a_tampered_payload_has_a_bad_signature(
    credential: Credential, download: Callable[..., bytes], network: list[str], tmp_path: Path
) -> None:
    head, body, signature = download(credential).decode().split(".")
    payload = json.loads(crypto.b64url_decode(body))
    payload["validUntil"] = "2099-12-31T23:59:59Z"
    forged = ".".join([head, crypto.b64url(json.dumps(payload).encode()), signature])
    code, out, _err = run_verify(saved(tmp_path, forged))
    assert code == 1
    assert out.startswith("NOT VALID: bad signature")


def test_after_key_rotation_the_old_credential_still_verifies(
    credential: Credential, download: Callable[..., bytes], network: list[str], tmp_path: Path, riverbend: Any
) -> None:
    old = download(credential).decode()
    new_key = rotate_signing_key(actor=None, association=riverbend)
    new = download(credential).decode()
    assert vc.unverified(new)[0]["kid"].endswith("#" + new_key.kid)
    assert vc.unverified(old)[0]["kid"] != vc.unverified(new)[0]["kid"]
    assert run_verify(saved(tmp_path, old, "old.jwt"))[0] == 0
    assert run_verify(saved(tmp_path, new, "new.jwt"))[0] == 0


def test_an_expired_credential_is_not_valid(
    credential: Credential, download: Callable[..., bytes], network: list[str]
) -> None:
    token = download(credential).decode()
    assert credential.valid_through is not None
    later = datetime.combine(credential.valid_through + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    outcome = verify_credential(token, now=later)
    assert not outcome.valid
    assert outcome.reasons == [f"expired: valid until {credential.valid_through.isoformat()}T23:59:59Z"]
    early = verify_credential(token, now=datetime(2022, 2, 28, tzinfo=UTC))
    assert early.reasons == ["not yet valid: valid from 2022-03-01T00:00:00Z"]


def test_a_wallet_bundle_is_checked_against_the_live_did_document(
    credential: Credential, download: Callable[..., bytes], network: list[str], tmp_path: Path
) -> None:
    """The bundle's copy of the DID document is never the root of trust: anyone can write one."""
    bundle = download(credential, "bundle")
    assert json.loads(bundle)["format"] == "attunement.credential-bundle/1"
    code, out, _err = run_verify(saved(tmp_path, bundle, "wallet.json"))
    assert code == 0, out
    assert "issuer key from the live DID document" in out
    assert "issuer: Riverbend Association for Infant Mental Health (did:web:127.0.0.1%3A8000:riverbend)" in out
    assert network[0] == "http://127.0.0.1:8000/riverbend/did.json"


def test_a_bundle_saved_before_a_key_rotation_still_verifies(
    credential: Credential, download: Callable[..., bytes], network: list[str], tmp_path: Path, riverbend: Any
) -> None:
    """The live document lists the retired key too; the saved copy lacks the new one."""
    bundle = download(credential, "bundle")
    rotate_signing_key(actor=None, association=riverbend)
    code, out, _err = run_verify(saved(tmp_path, bundle, "wallet.json"))
    assert code == 0, out
    assert "differs from the live one: not used" in out


def offline(monkeypatch: Any) -> None:
    def down(url: str) -> bytes:
        from attunement.credentials.verify import Unusable

        raise Unusable(f"cannot fetch {url}: network is down")

    monkeypatch.setattr("attunement.credentials.verify.fetch", down)


def test_offline_a_bundle_says_the_issuer_key_is_not_verified_with_exit_3(
    credential: Credential, download: Callable[..., bytes], tmp_path: Path, monkeypatch: Any
) -> None:
    bundle = download(credential, "bundle")
    offline(monkeypatch)
    code, out, _err = run_verify(saved(tmp_path, bundle, "wallet.json"))
    assert code == 3, out
    assert out.startswith("ISSUER KEY NOT VERIFIED")
    assert "the live DID document could not be fetched" in out
    assert "revocation status not checked" in out


def forge(real: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """The issue's reproduction: the real credential re-signed with a new key under the real
    issuer DID, with a DID document of the forger's naming that key."""
    _h, payload = vc.unverified(real["credential"])
    payload = {k: v for k, v in payload.items() if k not in changes.get("drop", ())}
    payload.update(changes.get("set", {}))
    seed, public = crypto.new_key()
    did = payload["issuer"]["id"]
    token = vc.sign(payload, crypto.private_jwk(seed, public), f"{did}#key-1")
    return {**real, "credential": token, "didDocument": vc.did_document(did, [("key-1", public)])}


def test_a_bundle_re_signed_under_the_real_issuer_without_status_is_never_valid(
    credential: Credential, download: Callable[..., bytes], network: list[str], tmp_path: Path, monkeypatch: Any
) -> None:
    real = json.loads(download(credential, "bundle"))
    forged = forge(real, drop=("credentialStatus",), set={"name": "Forged name", "validUntil": "2099-12-31T23:59:59Z"})
    path = saved(tmp_path, json.dumps(forged), "forged.json")
    code, out, _err = run_verify(path)
    assert code == 1, out
    assert out.startswith("NOT VALID: bad signature")
    assert "(in the live DID document)" in out
    offline(monkeypatch)
    code, out, _err = run_verify(path)
    assert code == 3, out
    assert not out.startswith("VALID")


def real_signed(riverbend: Any, payload: dict[str, Any]) -> str:
    """A token signed with the association's real current key (what a leaked or careless
    issuing path could produce): the checks beyond the signature must hold on their own."""
    from attunement.credentials.actions import current_key
    from attunement.credentials.selectors import issuer_did

    key = current_key(riverbend)
    return vc.sign(payload, key.signing_jwk(), f"{issuer_did(riverbend)}#{key.kid}")


def test_a_credential_without_the_status_entries_its_issuer_declares_is_not_valid(
    credential: Credential, download: Callable[..., bytes], network: list[str], tmp_path: Path, riverbend: Any
) -> None:
    _h, payload = vc.unverified(download(credential).decode())
    payload.pop("credentialStatus")
    code, out, _err = run_verify(saved(tmp_path, real_signed(riverbend, payload)))
    assert code == 1, out
    assert "no revocation status entry" in out
    assert "no suspension status entry" in out


def test_a_status_entry_pointing_at_a_list_the_issuer_does_not_declare_is_not_valid(
    credential: Credential, download: Callable[..., bytes], network: list[str], tmp_path: Path, riverbend: Any
) -> None:
    _h, payload = vc.unverified(download(credential).decode())
    payload["credentialStatus"][0]["statusListCredential"] = "http://127.0.0.1:8000/riverbend/credentials/status/other"
    code, out, _err = run_verify(saved(tmp_path, real_signed(riverbend, payload)))
    assert code == 1, out
    assert "is not the revocation list the issuer declares" in out


@pytest.mark.parametrize("index", ["1_000", " 1", "+1", "-1", "0x1", "1.0", "١"])
def test_a_status_index_must_be_digits(
    index: str,
    credential: Credential,
    download: Callable[..., bytes],
    network: list[str],
    tmp_path: Path,
    riverbend: Any,
) -> None:
    _h, payload = vc.unverified(download(credential).decode())
    payload["credentialStatus"][0]["statusListIndex"] = index
    code, _out, err = run_verify(saved(tmp_path, real_signed(riverbend, payload)))
    assert code == 2
    assert "statusListIndex is not a whole number" in err


def test_the_token_claims_must_agree_with_the_credential(
    credential: Credential, download: Callable[..., bytes], network: list[str], riverbend: Any
) -> None:
    _h, payload = vc.unverified(download(credential).decode())
    other_issuer = verify_credential(real_signed(riverbend, {**payload, "iss": "did:web:elsewhere.example"}))
    assert not other_issuer.valid
    assert "the token's iss did:web:elsewhere.example is not the credential's issuer" in other_issuer.reasons
    stretched = verify_credential(real_signed(riverbend, {**payload, "exp": 4102444799}))
    assert "the token's exp disagrees with validUntil" in stretched.reasons
    no_until = {k: v for k, v in payload.items() if k != "validUntil"}
    expired = verify_credential(real_signed(riverbend, {**no_until, "exp": 1_600_000_000}))
    assert expired.reasons == ["expired: exp 2020-09-13T12:26:40Z"]
    agreeing = int(datetime.fromisoformat(payload["validUntil"].replace("Z", "+00:00")).timestamp())
    assert verify_credential(real_signed(riverbend, {**payload, "exp": agreeing, "iss": payload["issuer"]["id"]})).valid


def test_a_pinned_issuer_key_is_the_root_of_trust(
    credential: Credential, download: Callable[..., bytes], network: list[str], tmp_path: Path, client: Any
) -> None:
    token = saved(tmp_path, download(credential))
    document = client.get("/riverbend/did.json").json()
    key = saved(tmp_path, json.dumps(document["verificationMethod"][0]["publicKeyJwk"]), "issuer.jwk.json")
    network.clear()
    code, out, _err = run_verify(token, "--issuer-key", str(key))
    assert code == 0, out
    assert "issuer key from the issuer key file given" in out
    assert not any(url.endswith("did.json") for url in network)
    _seed, stranger = crypto.new_key()
    other = saved(tmp_path, json.dumps(stranger), "other.jwk.json")
    code, out, _err = run_verify(token, "--issuer-key", str(other))
    assert code == 1
    assert "does not match the pinned issuer key" in out


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"controller": "did:web:elsewhere.example"}, "is controlled by did:web:elsewhere.example"),
        ({"publicKeyJwk": {"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}}, "is not an Ed25519 public key"),
    ],
)
def test_a_key_the_did_document_does_not_vouch_for_is_refused(
    change: dict[str, Any],
    message: str,
    credential: Credential,
    download: Callable[..., bytes],
    network: list[str],
    tmp_path: Path,
    client: Any,
) -> None:
    token = saved(tmp_path, download(credential))
    document = client.get("/riverbend/did.json").json()
    document["verificationMethod"] = [{**m, **change} for m in document["verificationMethod"]]
    did = saved(tmp_path, json.dumps(document), "did.json")
    code, out, _err = run_verify(token, "--did-document", str(did))
    assert code == 1
    assert message in out


def test_with_saved_documents_it_works_fully_offline(
    credential: Credential, download: Callable[..., bytes], tmp_path: Path, client: Any, monkeypatch: Any
) -> None:
    token = download(credential)
    did = saved(tmp_path, client.get("/riverbend/did.json").content, "did.json")
    lists = [saved(tmp_path, client.get(f"/riverbend/credentials/status/{p}").content, f"{p}.jwt") for p in vc.PURPOSES]

    def no_network(url: str) -> bytes:
        raise AssertionError(f"fetched {url}")

    monkeypatch.setattr("attunement.credentials.verify.fetch", no_network)
    options = ["--did-document", str(did), "--status-list", str(lists[0]), "--status-list", str(lists[1])]
    assert run_verify(saved(tmp_path, token), *options)[0] == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a credential", "not a compact JWS"),
        (b"a.b.c", "does not decode"),
        (b'{"format": "something else"}', "bundle"),
        (b"\xff\xfe", "cannot read"),
    ],
)
def test_unusable_input_is_named_with_exit_2(content: bytes, message: str, tmp_path: Path, db: Any) -> None:
    code, _out, err = run_verify(saved(tmp_path, content))
    assert code == 2
    assert err.startswith("UNUSABLE:")
    assert message in err


def test_a_missing_file_is_unusable(tmp_path: Path) -> None:
    code, _out, err = run_verify(tmp_path / "nowhere.jwt")
    assert code == 2
    assert "cannot read the credential" in err


def test_an_unreachable_status_list_is_unusable_not_valid(
    credential: Credential, download: Callable[..., bytes], tmp_path: Path, monkeypatch: Any, client: Any
) -> None:
    token = download(credential)
    document = client.get("/riverbend/did.json").content

    def offline(url: str) -> bytes:
        if url.endswith("did.json"):
            return bytes(document)
        from attunement.credentials.verify import Unusable

        raise Unusable(f"cannot fetch {url}: network is down")

    monkeypatch.setattr("attunement.credentials.verify.fetch", offline)
    code, _out, err = run_verify(saved(tmp_path, token))
    assert code == 2
    assert "network is down" in err
