"""Writes of the credentials app: signing keys (made on first need, rotated) and the
verifiable credential of a credential (its status-list position, then a signed token)."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attunement.audit.actions import record
from attunement.credentials import crypto
from attunement.credentials.models import Issuer, SigningKey, StatusEntry
from attunement.credentials.selectors import badge_facts
from attunement.credentials.vc import open_badge, sign
from attunement.endorsement.models import Credential, CredentialStatus
from attunement.lib.errors import ActionRefused

if TYPE_CHECKING:
    from attunement.associations.models import Association
    from attunement.people.models import User

# Statuses a verifiable credential is issued for: the credential is current.
ISSUABLE = [CredentialStatus.ACTIVE, CredentialStatus.EMERITUS]


def _locked_issuer(association: Association) -> Issuer:
    """The association's issuer row, locked: key changes and index allocation queue behind it."""
    try:
        with transaction.atomic():
            Issuer.objects.get_or_create(association=association)
    except IntegrityError:
        pass  # made at the same moment by someone else: it exists now
    return Issuer.objects.select_for_update().get(association=association)


def _make_key(association: Association) -> SigningKey:
    seed, public_jwk = crypto.new_key()
    kid = f"key-{secrets.token_hex(4)}"
    return SigningKey.objects.create(
        association=association,
        kid=kid,
        public_jwk=public_jwk,
        private_key_encrypted=crypto.seal(seed, f"{association.pk}:{kid}"),
    )


@transaction.atomic
def create_signing_key(*, actor: User | None, association: Association) -> SigningKey:
    """The association's current key, made if it has none (the first credential asks for it)."""
    _locked_issuer(association)
    current = SigningKey.objects.filter(association=association, retired_at__isnull=True).first()
    if current is not None:
        return current
    key = _make_key(association)
    record(actor=actor, verb="credentials.key.created", association=association, target=key, data={"kid": key.kid})
    return key


@transaction.atomic
def rotate_signing_key(*, actor: User | None, association: Association) -> SigningKey:
    """A new current key; the old one is retired but stays in the DID document, so what it
    signed still verifies."""
    _locked_issuer(association)
    now = timezone.now()
    old = list(
        SigningKey.objects.filter(association=association, retired_at__isnull=True).values_list("kid", flat=True)
    )
    SigningKey.objects.filter(association=association, retired_at__isnull=True).update(retired_at=now)
    key = _make_key(association)
    record(actor=actor, verb="credentials.key.rotated", association=association, target=key,
           data={"kid": key.kid, "retired": old})  # fmt: skip
    return key


def current_key(association: Association) -> SigningKey:
    key = SigningKey.objects.filter(association=association, retired_at__isnull=True).first()
    return key if key is not None else create_signing_key(actor=None, association=association)


def _status_entry(credential: Credential) -> StatusEntry:
    existing = StatusEntry.objects.filter(credential=credential).first()
    if existing is not None:
        return existing
    issuer = _locked_issuer(credential.association)
    existing = StatusEntry.objects.filter(credential=credential).first()  # taken while we waited for the lock
    if existing is not None:
        return existing
    entry = StatusEntry.objects.create(
        credential=credential, association=credential.association, index=issuer.next_status_index
    )
    Issuer.objects.filter(pk=issuer.pk).update(next_status_index=issuer.next_status_index + 1)
    return entry


@transaction.atomic
def issue_verifiable_credential(*, actor: User | None, credential: Credential) -> str:
    """The credential as a signed OpenBadgeCredential (compact JWS). The first call gives it
    its place in the status lists; every call is audited (the holder's data leaves)."""
    credential = (
        Credential.objects.select_related("person", "association").select_for_update(of=("self",)).get(pk=credential.pk)
    )
    if credential.status not in ISSUABLE:
        raise ActionRefused(_("Only a current credential can be downloaded as a verifiable credential."))
    entry = _status_entry(credential)
    key = current_key(credential.association)
    did = badge_facts(credential, entry.index)
    token = sign(open_badge(did), key.signing_jwk(), f"{did.did}#{key.kid}")
    record(actor=actor, verb="credentials.credential.issued", association=credential.association, target=credential,
           data={"kid": key.kid, "status_index": entry.index})  # fmt: skip
    return token
