"""The Endorsement certificate PDF, made ahead of the downloads: a task renders it whenever a
credential changes (issued, renewed, restored...) and a download streams the stored file,
rendering it only if what it shows has changed since (a new legal name, say)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver
from django.tasks import task
from django.utils import translation

from attunement.credentials import selectors
from attunement.credentials.certificate import CertificateFacts, render_certificate
from attunement.endorsement.models import Credential, CredentialStatus
from attunement.endorsement.signals import credentials_changed
from attunement.lib.categories import category_name
from attunement.lib.documents import document

CURRENT = (CredentialStatus.ACTIVE, CredentialStatus.EMERITUS)
KIND = "credentials.certificate"
BATCH = 500  # certificates a task renders (about 90 ms each); more are split over tasks


def certificate_facts(credential: Credential) -> CertificateFacts:
    person = credential.person
    return CertificateFacts(
        holder_name=person.legal_name or person.display_name,
        category=category_name(credential.category),
        emerging=credential.emerging,
        association=credential.association.name,
        since=credential.since,
        valid_through=credential.valid_through,
        code=credential.public_code,
        verification_url=selectors.verification_url(credential.public_code),
    )


def certificate_pdf(credential: Credential) -> bytes:
    """The certificate as it should read now, from the store when nothing on it changed. The
    PDF is in the language active now (the holder's, for a task)."""
    facts = certificate_facts(credential)
    language = translation.get_language() or "en"
    return document(KIND, f"{credential.public_code}:{language}", facts, lambda: render_certificate(facts))


@receiver(credentials_changed, dispatch_uid="credentials-certificate-documents")
def _credentials_changed(sender: Any, association: Any, event: str, credential_ids: list[int], **kwargs: Any) -> None:
    """In the transaction of the change: the task is enqueued with it (and rolled back with it)."""
    ids = sorted(credential_ids)
    for start in range(0, len(ids), BATCH):
        render_certificates.enqueue(ids[start : start + BATCH])


@task(queue_name="default")
def render_certificates(credential_ids: list[int]) -> int:
    """Render (or confirm) the certificate of each current credential, in its holder's language."""
    made = 0
    for credential in (
        Credential.objects.filter(pk__in=credential_ids, status__in=CURRENT)
        .select_related("person", "association")
        .order_by("pk")
    ):
        with translation.override(credential.person.preferred_language or "en"):
            certificate_pdf(credential)
        made += 1
    return made
