"""Checking a credential file away from the deployment (``attunement verify FILE``).

The root of trust is the issuer's own web address: the signature is checked against the key
the live did:web document lists (fetched), or against a document or key the verifier pinned
(``--did-document``, ``--issuer-key``). A wallet bundle carries a copy of the DID document,
but anyone can write one: it is never the root. When the live document cannot be fetched and
only that copy is at hand, the outcome is "issuer key not verified" (exit 3), whatever the
signature says. Validity dates (and the token's own ``nbf``/``exp``/``iss`` where given) are
checked on this machine's clock. The status bits need the status lists: fetched, or given as
files; each must be signed by the issuer and be a list the issuer declares, and a credential
without an entry for a list the issuer declares for every credential is not valid."""

from __future__ import annotations

import json
import re
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
    issuer: str = ""
    key_source: str = ""
    # False when the signature could only be checked against the bundle's own copy of the
    # issuer's DID document: then nothing says the key is the issuer's.
    key_verified: bool = True

    @property
    def exit_code(self) -> int:
        """0 valid; 1 not valid; 3 nothing wrong found but the issuer's key is not verified."""
        if not self.valid:
            return 1
        return 0 if self.key_verified else 3


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


KEY_FROM_FILE = "the DID document file given"
KEY_PINNED = "the issuer key file given"
KEY_LIVE = "the live DID document"
KEY_SNAPSHOT = "the DID document saved in the bundle"
DIGITS = re.compile(r"[0-9]{1,12}")


@dataclass
class IssuerKeys:
    """What the issuer's keys are taken from: a DID document, or keys the verifier pinned."""

    source: str
    document: dict[str, Any] = field(default_factory=dict)
    pinned: list[dict[str, Any]] = field(default_factory=list)

    def problem(self, token: str, kid_url: str) -> str | None:
        """None when ``token`` is signed by the issuer's key ``kid_url`` (a pinned JWK names
        no DID, so any pinned key that signs it is the issuer's)."""
        if self.source == KEY_PINNED:
            for jwk in self.pinned:
                try:
                    vc.check_signature(token, jwk)
                except vc.SignatureInvalid:
                    continue
                return None
            return "the signature does not match the pinned issuer key"
        try:
            vc.check_signature(token, vc.key_from_document(self.document, kid_url))
        except vc.MalformedToken as error:
            raise Unusable(str(error)) from None
        except vc.SignatureInvalid as error:
            return str(error)
        return None


def _numeric_date(value: Any, name: str) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Unusable(f"the token's {name} is not a NumericDate: {str(value)[:40]!r}")
    return datetime.fromtimestamp(value, UTC)


def _token_claims(payload: dict[str, Any], did: str, now: datetime, outcome: Outcome) -> None:
    """The JWT claims a VC-JWT may carry beside the credential must agree with it."""
    if "iss" in payload and payload["iss"] != did:
        outcome.valid = False
        outcome.reasons.append(f"the token's iss {str(payload['iss'])[:80]} is not the credential's issuer")
    if "jti" in payload and "id" in payload and payload["jti"] != payload["id"]:
        outcome.valid = False
        outcome.reasons.append("the token's jti is not the credential's id")
    for claim, field_name in (("nbf", "validFrom"), ("exp", "validUntil")):
        if claim not in payload:
            continue
        moment = _numeric_date(payload[claim], claim)
        if field_name in payload and abs((moment - _instant(payload[field_name], field_name)).total_seconds()) >= 1:
            outcome.valid = False
            outcome.reasons.append(f"the token's {claim} disagrees with {field_name}")
        elif claim == "nbf" and moment > now and "validFrom" not in payload:
            outcome.valid = False
            outcome.reasons.append(f"not yet valid: nbf {moment:%Y-%m-%dT%H:%M:%SZ}")
        elif claim == "exp" and moment < now and "validUntil" not in payload:
            outcome.valid = False
            outcome.reasons.append(f"expired: exp {moment:%Y-%m-%dT%H:%M:%SZ}")


def verify_credential(
    text: str,
    *,
    did_document: dict[str, Any] | None = None,
    issuer_keys: list[dict[str, Any]] | None = None,
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
    outcome.issuer = did

    # The issuer's key: pinned by the verifier, else the live did:web document. The bundle's
    # copy is only a fallback when the live one cannot be fetched, and then says so.
    if did_document is not None:
        keys = IssuerKeys(KEY_FROM_FILE, did_document)
    elif issuer_keys:
        keys = IssuerKeys(KEY_PINNED, pinned=issuer_keys)
    else:
        try:
            keys = IssuerKeys(KEY_LIVE, _live_document(did, get))
        except Unusable as error:
            if snapshot is None:
                raise
            keys = IssuerKeys(KEY_SNAPSHOT, snapshot)
            outcome.key_verified = False
            outcome.notes.append(f"the live DID document could not be fetched ({error})")
    outcome.key_source = keys.source
    outcome.notes.append(
        f"issuer key from {keys.source}" + (f" ({vc.did_document_url(did)})" if keys.source == KEY_LIVE else "")
    )
    if snapshot is not None and keys.source == KEY_LIVE and snapshot != keys.document:
        outcome.notes.append("the copy of the DID document saved in the bundle differs from the live one: not used")
    problem = keys.problem(token, kid_url)
    if problem is not None:
        outcome.valid = False
        outcome.reasons.append(f"bad signature: {problem} (in {keys.source})")
        return outcome

    # Dates.
    if "validFrom" in payload and _instant(payload["validFrom"], "validFrom") > now:
        outcome.valid = False
        outcome.reasons.append(f"not yet valid: valid from {payload['validFrom']}")
    if "validUntil" in payload and _instant(payload["validUntil"], "validUntil") < now:
        outcome.valid = False
        outcome.reasons.append(f"expired: valid until {payload['validUntil']}")
    _token_claims(payload, did, now, outcome)

    _check_status(payload, did, keys, status_lists or [], get, outcome)
    return outcome


def _check_status(
    payload: dict[str, Any],
    did: str,
    keys: IssuerKeys,
    status_lists: list[str],
    get: Callable[[str], bytes],
    outcome: Outcome,
) -> None:
    given = {}
    for status_text in status_lists:
        try:
            _h, list_payload = vc.unverified(status_text)
        except vc.MalformedToken as error:
            raise Unusable(f"a status list file: {error}") from None
        given[str(list_payload.get("id"))] = status_text
    entries = payload.get("credentialStatus") or []
    entries = entries if isinstance(entries, list) else [entries]
    declared = vc.declared_status_lists(keys.document)
    carried = {entry.get("statusPurpose") for entry in entries if isinstance(entry, dict)}
    for purpose in sorted(set(declared) - carried):
        outcome.valid = False
        outcome.reasons.append(
            f"no {purpose} status entry: the issuer keeps every credential in its {purpose} list ({declared[purpose]})"
        )
    if not entries and not declared:
        outcome.notes.append("the credential has no status entries")
    origin = vc.origin_of(did.split(":")[2].replace("%3A", ":").replace("%3a", ":")) + "/"
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
            raise Unusable("a credentialStatus entry is not a BitstringStatusListEntry")
        purpose, list_url = str(entry.get("statusPurpose")), str(entry.get("statusListCredential", ""))
        raw_index = entry.get("statusListIndex", "")
        if not isinstance(raw_index, str) or not DIGITS.fullmatch(raw_index):
            raise Unusable(f"a statusListIndex is not a whole number written in digits: {str(raw_index)[:20]!r}")
        index = int(raw_index)
        if declared and declared.get(purpose) != list_url:
            outcome.valid = False
            outcome.reasons.append(f"bad status list: {list_url[:100]} is not the {purpose} list the issuer declares")
            continue
        if not list_url.startswith(origin):
            outcome.valid = False
            outcome.reasons.append(f"bad status list: {list_url[:100]} is not at the issuer's address {origin}")
            continue
        list_token = given.get(list_url)
        if list_token is None:
            try:
                list_token = get(list_url).decode("utf-8", "replace")
            except Unusable as error:
                if outcome.key_verified:
                    raise
                outcome.notes.append(f"{purpose} status not checked: {error}")
                continue
        try:
            list_header, list_payload = vc.unverified(list_token)
            list_issuer = list_payload.get("issuer")
            list_issuer = list_issuer.get("id") if isinstance(list_issuer, dict) else list_issuer
            if list_header["kid"].split("#", 1)[0] != did or list_issuer != did:
                raise vc.SignatureInvalid("the status list has another issuer")
            problem = keys.problem(list_token, list_header["kid"])
            if problem is not None and keys.source == KEY_PINNED:
                # Pinned keys may predate a rotation: the live document is the issuer's word.
                problem = IssuerKeys(KEY_LIVE, _live_document(did, get)).problem(list_token, list_header["kid"])
            if problem is not None:
                raise vc.SignatureInvalid(problem)
        except vc.MalformedToken as error:
            raise Unusable(f"the status list {list_url}: {error}") from None
        except vc.SignatureInvalid as error:
            outcome.valid = False
            outcome.reasons.append(f"bad status list signature ({list_url}): {error}")
            continue
        subject = list_payload.get("credentialSubject") or {}
        if (
            "BitstringStatusListCredential" not in (list_payload.get("type") or [])
            or not isinstance(subject, dict)
            or subject.get("type") != "BitstringStatusList"
        ):
            raise Unusable(f"the status list {list_url} is not a BitstringStatusListCredential")
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
