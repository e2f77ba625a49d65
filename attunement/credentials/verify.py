"""Checking a credential file away from the deployment (``attunement verify FILE``).

The signature is checked against the issuer's key from its DID document: one given with
``--did-document``, else the snapshot inside a wallet bundle, else fetched from the did:web
address. Validity dates are checked on this machine's clock. The status bits need the status
lists: fetched (that is the one network step), or given as files. A status list must be
signed by the same issuer and live under the issuer's own web address, so a forged bundle
with its own key fails the status check against the real issuer."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from attunement.credentials import vc

BUNDLE_FORMAT = "attunement.credential-bundle/1"
MAX_FETCH = 2_000_000


class Unusable(Exception):
    """The input cannot be checked (not a credential, a missing or unreadable document)."""


@dataclass
class Outcome:
    valid: bool
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    credential: dict[str, Any] = field(default_factory=dict)


def fetch(url: str) -> bytes:
    """GET ``url`` (tests replace this with the test client)."""
    if not url.startswith(("https://", "http://")):
        raise Unusable(f"cannot fetch {url[:100]}: not an http(s) address")
    request = urllib.request.Request(url, headers={"Accept": "application/vc+jwt, application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310  (scheme checked above)
            return bytes(response.read(MAX_FETCH))
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise Unusable(f"cannot fetch {url}: {error}") from None


def read_input(text: str) -> tuple[str, dict[str, Any] | None]:
    """The token, and the DID document snapshot when ``text`` is a wallet bundle."""
    text = text.strip()
    if text.startswith("{"):
        try:
            bundle = json.loads(text)
        except ValueError as error:
            raise Unusable(f"the file is neither a JWS nor a JSON bundle ({error})") from None
        if not isinstance(bundle, dict) or bundle.get("format") != BUNDLE_FORMAT:
            raise Unusable(f"a JSON file must be an {BUNDLE_FORMAT} bundle")
        token, document = bundle.get("credential"), bundle.get("didDocument")
        if not isinstance(token, str):
            raise Unusable("the bundle holds no credential")
        return token, document if isinstance(document, dict) else None
    return text, None


def _json(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError as error:
        raise Unusable(f"{what} is not JSON ({error})") from None
    if not isinstance(value, dict):
        raise Unusable(f"{what} is not a JSON object")
    return value


def _instant(value: Any, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise Unusable(f"{name} is not a date-time: {str(value)[:40]!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _live_document(did: str, get: Callable[[str], bytes]) -> dict[str, Any]:
    try:
        url = vc.did_document_url(did)
    except vc.MalformedToken as error:
        raise Unusable(str(error)) from None
    return _json(get(url), f"the DID document at {url}")


def _lists_key(document: dict[str, Any], kid_url: str) -> bool:
    try:
        vc.key_from_document(document, kid_url)
    except (vc.SignatureInvalid, vc.MalformedToken):
        return False
    return True


def verify_credential(
    text: str,
    *,
    did_document: dict[str, Any] | None = None,
    status_lists: list[str] | None = None,
    now: datetime | None = None,
    get: Callable[[str], bytes] | None = None,
) -> Outcome:
    """Check a credential; raises :class:`Unusable` when it cannot be checked at all."""
    get = get or fetch
    now = now or datetime.now(UTC)
    token, snapshot = read_input(text)
    try:
        header, payload = vc.unverified(token)
    except vc.MalformedToken as error:
        raise Unusable(str(error)) from None
    outcome = Outcome(valid=True, credential=payload)
    if header.get("typ") not in (vc.TYP, None):
        outcome.notes.append(f"unexpected typ {header.get('typ')!r}")
    if "OpenBadgeCredential" not in (payload.get("type") or []):
        raise Unusable("the token is not an OpenBadgeCredential")
    kid_url = header["kid"]
    issuer = payload.get("issuer")
    did = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(did, str) or kid_url.split("#", 1)[0] != did:
        outcome.valid = False
        outcome.reasons.append("bad signature: the signing key does not belong to the credential's issuer")
        return outcome

    # The issuer's key.
    if did_document is not None:
        document, source = did_document, "the DID document file given"
    elif snapshot is not None:
        document, source = snapshot, "the DID document saved in the bundle"
    else:
        document, source = _live_document(did, get), "the live DID document"
    outcome.notes.append(
        f"issuer key from {source}" + (f" ({vc.did_document_url(did)})" if source == "the live DID document" else "")
    )
    try:
        public = vc.key_from_document(document, kid_url)
        vc.check_signature(token, public)
    except vc.MalformedToken as error:
        raise Unusable(str(error)) from None
    except vc.SignatureInvalid as error:
        outcome.valid = False
        outcome.reasons.append(f"bad signature: {error}")
        return outcome

    # Dates.
    if "validFrom" in payload and _instant(payload["validFrom"], "validFrom") > now:
        outcome.valid = False
        outcome.reasons.append(f"not yet valid: valid from {payload['validFrom']}")
    if "validUntil" in payload and _instant(payload["validUntil"], "validUntil") < now:
        outcome.valid = False
        outcome.reasons.append(f"expired: valid until {payload['validUntil']}")

    # Status.
    given = {}
    for status_text in status_lists or []:
        try:
            _h, list_payload = vc.unverified(status_text)
        except vc.MalformedToken as error:
            raise Unusable(f"a status list file: {error}") from None
        given[str(list_payload.get("id"))] = status_text
    entries = payload.get("credentialStatus") or []
    entries = entries if isinstance(entries, list) else [entries]
    if not entries:
        outcome.notes.append("the credential has no status entries")
    origin = vc.origin_of(did.split(":")[2].replace("%3A", ":").replace("%3a", ":")) + "/"
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
            raise Unusable("a credentialStatus entry is not a BitstringStatusListEntry")
        purpose, list_url = entry.get("statusPurpose"), str(entry.get("statusListCredential", ""))
        try:
            index = int(entry.get("statusListIndex", ""))
        except ValueError:
            raise Unusable("a statusListIndex is not a whole number") from None
        if not list_url.startswith(origin):
            outcome.valid = False
            outcome.reasons.append(f"bad status list: {list_url[:100]} is not at the issuer's address {origin}")
            continue
        list_token = given.get(list_url)
        if list_token is None:
            list_token = get(list_url).decode("utf-8", "replace")
        try:
            list_header, list_payload = vc.unverified(list_token)
            if list_header["kid"].split("#", 1)[0] != did or list_payload.get("issuer") != did:
                raise vc.SignatureInvalid("the status list has another issuer")
            if not _lists_key(document, list_header["kid"]) and source != "the live DID document":
                # The list is signed by a key the saved document does not know: the issuer
                # rotated since it was saved. Take the live document, and hold the credential
                # itself to it too, so a bundle cannot bring its own key past the status check.
                document = _live_document(did, get)
                source = "the live DID document"
                outcome.notes.append("the issuer's key changed since the DID document was saved: checked the live one")
                try:
                    vc.check_signature(token, vc.key_from_document(document, kid_url))
                except vc.SignatureInvalid as error:
                    outcome.valid = False
                    outcome.reasons.append(f"bad signature: {error} (in the live DID document)")
                    return outcome
            vc.check_signature(list_token, vc.key_from_document(document, list_header["kid"]))
        except vc.MalformedToken as error:
            raise Unusable(f"the status list {list_url}: {error}") from None
        except vc.SignatureInvalid as error:
            outcome.valid = False
            outcome.reasons.append(f"bad status list signature ({list_url}): {error}")
            continue
        subject = list_payload.get("credentialSubject") or {}
        if list_payload.get("id") != list_url or subject.get("statusPurpose") != purpose:
            raise Unusable(f"the status list {list_url} is not the {purpose} list the credential names")
        try:
            is_set = vc.bit_is_set(vc.decode_status_list(subject.get("encodedList", "")), index)
        except vc.MalformedToken as error:
            raise Unusable(f"the status list {list_url}: {error}") from None
        outcome.notes.append(f"{purpose} status checked against the list issued {list_payload.get('validFrom')}")
        if is_set:
            outcome.valid = False
            outcome.reasons.append("revoked" if purpose == "revocation" else "suspended (not in force at the moment)")
    return outcome
