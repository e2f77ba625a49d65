"""Reads of the credentials app: the facts a credential's badge states, the issuer's DID
document, and the status lists (built from the database on request, in a fixed number of
queries whatever the number of credentials)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from attunement.credentials import vc
from attunement.credentials.models import Issuer, SigningKey, StatusEntry
from attunement.endorsement.models import Credential, CredentialStatus
from attunement.lib.categories import category_name

if TYPE_CHECKING:
    from attunement.associations.models import Association

# Which statuses set which bit. Revocation is final; "suspension" covers every status under
# which a credential is not in force for now (suspended, inactive, archived). A lapsed
# credential is past its validUntil, which verifiers check themselves.
BIT_STATUSES = {
    "revocation": [CredentialStatus.REVOKED],
    "suspension": [CredentialStatus.SUSPENDED, CredentialStatus.INACTIVE, CredentialStatus.ARCHIVED],
}
STATUS_LIST_TTL = 300  # seconds: the Cache-Control max-age and the list's ``ttl``


def site_url() -> str:
    return str(settings.SITE_URL).rstrip("/")


def issuer_did(association: Association) -> str:
    return vc.did_for(site_url(), association.slug)


def status_list_url(association: Association, purpose: str) -> str:
    return site_url() + reverse(
        "credentials:status_list", kwargs={"association_slug": association.slug, "purpose": purpose}
    )


def verification_url(code: str) -> str:
    return site_url() + reverse("verify", kwargs={"code": code})


def badge_facts(credential: Credential, index: int) -> vc.BadgeFacts:
    """What the badge says; in English, the language of the credential (pages translate it)."""
    association = credential.association
    with translation.override("en"):
        label = category_name(credential.category)
        emerging = " (emerging)" if credential.emerging else ""
        return vc.BadgeFacts(
            credential_url=verification_url(credential.public_code),
            did=issuer_did(association),
            issuer_name=association.name,
            issuer_url=site_url() + reverse("associations:home", kwargs={"association_slug": association.slug}),
            achievement_url=site_url()
            + reverse("registry:directory", kwargs={"association_slug": association.slug})
            + f"?category={credential.category}",
            achievement_name=f"Endorsement® {label}{emerging}",
            achievement_description=(
                f"{association.name} recognises this person's competency in infant and early childhood "
                f"mental health as {label}{emerging}."
            ),
            criteria=(
                f"Met {association.name}'s Endorsement® requirements for {label}: education, specialized work "
                "experience, in-service training, reflective supervision/consultation, references, a signed code "
                "of ethics and, where the category requires it, the exam; renewed every year."
            ),
            holder_name=credential.person.legal_name or credential.person.display_name,
            since=credential.since,
            valid_through=credential.valid_through,
            status_list_urls={p: status_list_url(association, p) for p in vc.PURPOSES},
            status_index=index,
        )


def did_document(association: Association) -> dict[str, Any]:
    """Every key of the association, current and retired (one query)."""
    did = issuer_did(association)
    keys = SigningKey.objects.filter(association=association).order_by("created_at", "id")
    lists = {p: status_list_url(association, p) for p in vc.PURPOSES}
    return vc.did_document(did, [(k.kid, k.public_jwk) for k in keys], lists)


@dataclass(frozen=True)
class StatusListParts:
    length: int
    set_bits: list[int]


def status_list_parts(association: Association, purpose: str) -> StatusListParts:
    """The list's length and set bits: two queries, whatever the number of credentials."""
    allocated = Issuer.objects.filter(association=association).values_list("next_status_index", flat=True).first()
    bits = list(
        StatusEntry.objects.filter(association=association, credential__status__in=BIT_STATUSES[purpose]).values_list(
            "index", flat=True
        )
    )
    return StatusListParts(vc.status_list_length(allocated or 0), bits)


def status_list_token(association: Association, purpose: str) -> str | None:
    """The signed BitstringStatusListCredential (VC-JOSE) of the association for ``purpose``;
    None while the association has no signing key (it has issued nothing: a GET never makes
    a key)."""
    key = SigningKey.objects.filter(association=association, retired_at__isnull=True).first()
    if key is None:
        return None
    parts = status_list_parts(association, purpose)
    did = issuer_did(association)
    document = vc.status_list_credential(
        url=status_list_url(association, purpose),
        did=did,
        purpose=purpose,
        encoded=vc.encode_status_list(parts.set_bits, parts.length),
        now=timezone.now(),
        ttl_seconds=STATUS_LIST_TTL,
    )
    return vc.sign(document, key.signing_jwk(), f"{did}#{key.kid}")


def holder_credential(user: Any, code: str) -> Credential | None:
    """One of the signed-in person's own credentials by its code (someone else's: None)."""
    return Credential.objects.select_related("association", "person").filter(person=user, public_code=code[:12]).first()
