"""Open Badges 3.0 credentials (W3C VC Data Model 2.0) secured as VC-JOSE (compact JWS,
``alg`` EdDSA, ``typ`` vc+jwt), Bitstring Status Lists and did:web names.

Pure functions: no queries and no settings, so ``attunement verify`` and the views share them."""

from __future__ import annotations

import base64
import gzip
import json
import warnings
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from attunement.credentials.crypto import b64url, b64url_decode

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://www.w3.org/ns/cid/v1"]
ALG = "EdDSA"
TYP = "vc+jwt"
MEDIA_TYPE = "application/vc+jwt"
# The spec's minimum (16 KiB): a list this long hides which credential a verifier checks.
MIN_STATUS_BITS = 131_072
# The most a status list may expand to: 32 Mibit, 256 times the minimum (a deployment with
# more than 33 million credentials in one association would raise it). A list is a download
# from someone else's server, so a few kilobytes of GZIP must not expand to gigabytes.
MAX_STATUS_LIST_BYTES = 4 * 1024 * 1024
PURPOSES = ("revocation", "suspension")


class SignatureInvalid(Exception):
    pass


class MalformedToken(Exception):
    pass


# --- did:web ----------------------------------------------------------------------------------


def did_for(site_url: str, slug: str) -> str:
    """``did:web:<host>[%3A<port>][:<path>]:<slug>`` for the deployment at ``site_url``."""
    parts = urlsplit(site_url)
    host = quote(parts.netloc, safe="")  # the port's colon becomes %3A, as did:web says
    path = [quote(p, safe="") for p in parts.path.strip("/").split("/") if p]
    return ":".join(["did", "web", host, *path, slug])


def did_document_url(did: str) -> str:
    """Where a did:web document lives (https; http only for a local host, for development)."""
    if not did.startswith("did:web:"):
        raise MalformedToken(f"not a did:web identifier: {did[:80]}")
    segments = [unquote(s) for s in did[len("did:web:") :].split(":")]
    host = segments[0]
    if not host or "/" in host:
        raise MalformedToken(f"not a did:web identifier: {did[:80]}")
    return f"{origin_of(host)}/{'/'.join(segments[1:]) + '/' if segments[1:] else '.well-known/'}did.json"


def origin_of(host: str) -> str:
    name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
    scheme = "http" if name in {"127.0.0.1", "localhost", "[::1]", "testserver"} else "https"
    return f"{scheme}://{host}"


STATUS_SERVICE = "BitstringStatusListCredential"


def did_document(
    did: str, keys: Iterable[tuple[str, dict[str, str]]], status_lists: dict[str, str] | None = None
) -> dict[str, Any]:
    """The DID document listing every key (current and retired) as a JsonWebKey, each usable
    for assertions: what a retired key signed still verifies. ``status_lists`` (purpose ->
    URL) are declared as services: every credential of this issuer carries an entry in each,
    so a verifier can tell a credential whose status entries were taken out."""
    methods = [
        {"id": f"{did}#{kid}", "type": "JsonWebKey", "controller": did, "publicKeyJwk": dict(jwk)} for kid, jwk in keys
    ]
    document: dict[str, Any] = {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }
    if status_lists:
        document["service"] = [
            {"id": f"{did}#status-{purpose}", "type": STATUS_SERVICE, "statusPurpose": purpose, "serviceEndpoint": url}
            for purpose, url in status_lists.items()
        ]
    return document


def declared_status_lists(document: dict[str, Any]) -> dict[str, str]:
    """purpose -> URL of the status lists a DID document says every credential is in."""
    declared = {}
    for service in document.get("service") or []:
        if isinstance(service, dict) and service.get("type") == STATUS_SERVICE:
            purpose, url = service.get("statusPurpose"), service.get("serviceEndpoint")
            if isinstance(purpose, str) and isinstance(url, str):
                declared[purpose] = url
    return declared


def key_from_document(document: dict[str, Any], kid_url: str) -> dict[str, str]:
    """The public Ed25519 JWK a DID document lists for assertions under ``kid_url``,
    controlled by the document's own DID."""
    did = kid_url.split("#", 1)[0]
    if document.get("id") != did:
        raise MalformedToken(f"the DID document is for {str(document.get('id'))[:80]}, not {did}")
    asserting = {m if isinstance(m, str) else m.get("id") for m in document.get("assertionMethod", [])}
    if kid_url not in asserting:
        raise SignatureInvalid(f"the issuer does not list the key {kid_url} for assertions")
    for method in document.get("verificationMethod", []):
        if isinstance(method, dict) and method.get("id") == kid_url and isinstance(method.get("publicKeyJwk"), dict):
            if method.get("controller") != did:
                raise SignatureInvalid(f"the key {kid_url} is controlled by {str(method.get('controller'))[:80]}")
            jwk = method["publicKeyJwk"]
            if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or "d" in jwk:
                raise SignatureInvalid(f"the key {kid_url} is not an Ed25519 public key")
            return dict(jwk)
    raise SignatureInvalid(f"the issuer's DID document has no key {kid_url}")


# --- JOSE ---------------------------------------------------------------------------------------


def sign(payload: dict[str, Any], private_jwk: dict[str, str], kid_url: str) -> str:
    key = OKPKey.import_key(dict(private_jwk))
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    with warnings.catch_warnings():
        # joserfc flags "EdDSA" as superseded by "Ed25519" (RFC 9864); VC-JOSE and Open Badges
        # verifiers still expect EdDSA, so it stays.
        warnings.simplefilter("ignore")
        return jws.serialize_compact({"alg": ALG, "typ": TYP, "kid": kid_url}, body, key, algorithms=[ALG])


def unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload of a compact JWS, not yet checked."""
    parts = token.strip().split(".")
    if len(parts) != 3:
        raise MalformedToken("not a compact JWS (three dot-separated parts)")
    try:
        header = json.loads(b64url_decode(parts[0]))
        payload = json.loads(b64url_decode(parts[1]))
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedToken(f"the JWS does not decode ({error})") from None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise MalformedToken("the JWS header and payload must be JSON objects")
    if header.get("alg") != ALG:
        raise MalformedToken(f"unsupported algorithm {str(header.get('alg'))[:20]!r} (expected {ALG})")
    if not isinstance(header.get("kid"), str) or "#" not in header["kid"]:
        raise MalformedToken("the JWS header names no key (kid = DID#key)")
    return header, payload


def check_signature(token: str, public_jwk: dict[str, str]) -> None:
    try:
        key = OKPKey.import_key(dict(public_jwk))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            jws.deserialize_compact(token.strip(), key, algorithms=[ALG])
    except (JoseError, ValueError, TypeError) as error:
        raise SignatureInvalid(f"the signature does not match the issuer's key ({type(error).__name__})") from None


# --- Open Badges 3.0 ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BadgeFacts:
    credential_url: str  # the credential's id: its public verification page
    did: str
    issuer_name: str
    issuer_url: str
    achievement_url: str
    achievement_name: str
    achievement_description: str
    criteria: str
    holder_name: str
    since: date
    valid_through: date | None
    status_list_urls: dict[str, str]  # purpose -> status list credential URL
    status_index: int


def _day_start(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _day_end(day: date) -> str:
    return f"{day.isoformat()}T23:59:59Z"


def open_badge(facts: BadgeFacts) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB3_CONTEXT],
        "id": facts.credential_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": facts.did, "type": ["Profile"], "name": facts.issuer_name, "url": facts.issuer_url},
        "validFrom": _day_start(facts.since),
        "name": facts.achievement_name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": facts.holder_name}
            ],
            "achievement": {
                "id": facts.achievement_url,
                "type": ["Achievement"],
                "achievementType": "Certification",
                "name": facts.achievement_name,
                "description": facts.achievement_description,
                "criteria": {"narrative": facts.criteria},
            },
        },
        "credentialStatus": [
            {
                "id": f"{facts.status_list_urls[purpose]}#{facts.status_index}",
                "type": "BitstringStatusListEntry",
                "statusPurpose": purpose,
                "statusListIndex": str(facts.status_index),
                "statusListCredential": facts.status_list_urls[purpose],
            }
            for purpose in PURPOSES
        ],
    }
    if facts.valid_through is not None:
        document["validUntil"] = _day_end(facts.valid_through)
    return document


# --- Bitstring Status List ----------------------------------------------------------------------


def status_list_length(allocated: int) -> int:
    """Whole multiples of the minimum, so the length says little about the issuer's size."""
    return max(1, -(-allocated // MIN_STATUS_BITS)) * MIN_STATUS_BITS


def encode_status_list(set_bits: Iterable[int], length: int) -> str:
    """Multibase base64url (``u``) of the GZIP of the bitstring; bit 0 is the first byte's
    most significant bit."""
    bits = bytearray(length // 8)
    for index in set_bits:
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + b64url(gzip.compress(bytes(bits), mtime=0))


def decode_status_list(encoded: str, *, limit: int = MAX_STATUS_LIST_BYTES) -> bytes:
    """The bitstring of ``encodedList``, refused when it would expand beyond ``limit`` bytes
    (decompressed in bounded steps, so a GZIP bomb costs at most ``limit`` of memory)."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise MalformedToken("encodedList is not multibase base64url (it must start with 'u')")
    if len(encoded) > limit:
        raise MalformedToken(f"encodedList is longer than {limit} characters")
    try:
        body = encoded[1:]
        compressed = base64.b64decode(body + "=" * (-len(body) % 4), altchars=b"-_", validate=True)
    except ValueError as error:
        raise MalformedToken(f"encodedList is not base64url ({error})") from None
    inflater = zlib.decompressobj(wbits=31)  # 31: a GZIP header and trailer
    try:
        bits = inflater.decompress(compressed, limit + 1)
        if len(bits) > limit or inflater.unconsumed_tail:
            raise MalformedToken(f"encodedList expands to more than {limit} bytes: refused")
        if not inflater.eof:
            raise MalformedToken("encodedList does not decompress (the GZIP stream is cut short)")
    except zlib.error as error:
        raise MalformedToken(f"encodedList does not decompress ({error})") from None
    if inflater.unused_data:
        raise MalformedToken("encodedList has data after the GZIP stream")
    return bits


def bit_is_set(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise MalformedToken(f"status index {index} is outside the list ({len(bits) * 8} bits)")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(
    *, url: str, did: str, purpose: str, encoded: str, now: datetime, ttl_seconds: int
) -> dict[str, Any]:
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": did,
        "validFrom": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded,
            "ttl": ttl_seconds * 1000,
        },
    }
