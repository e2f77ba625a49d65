"""The demo's part for verifiable credentials and the directory (registered in demo/loader.py PARTS).

Keisha (the reviewer persona) holds a current IMHS Endorsement: she downloads it as a
verifiable credential and a certificate from "My credentials", and her directory listing
shows a region, languages and that she accepts new clients. Two Riverbend members hold
credentials that are not current: one suspended, one revoked (reasons in their history)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from attunement.credentials.actions import create_signing_key
from attunement.endorsement.actions.credential import revoke_credential, suspend_credential
from attunement.endorsement.models import Credential, CredentialStatus
from attunement.registry.actions import save_listing
from attunement.registry.models import Listing

if TYPE_CHECKING:
    from attunement.demo.base import Demo


def credentials_demo(demo: Demo) -> None:
    riverbend = demo.associations["riverbend"]
    create_signing_key(actor=demo.operator, association=riverbend)
    keisha = demo.personas["reviewer"]
    if not Listing.objects.filter(person=keisha).exists():
        save_listing(actor=keisha, person=keisha, values={
            "listed": True, "region": keisha.region, "languages": f" {' '.join(keisha.languages or ['en'])} ",
            "accepting": "yes", "contact_email": "", "contact_url": "",
            "focus": "Reflective supervision for home visitors; perinatal mental health.",
        })  # fmt: skip
    coordinator = demo.personas.get("coordinator")
    members = demo.members.get("riverbend", [])
    today = timezone.localdate()
    for person, category, act, reason in [
        (members[0], "IFS", suspend_credential, "Complaint received; suspended while the ethics committee reviews it."),
        (members[1], "IFA", revoke_credential, "Ethics committee finding: falsified RS/C hours."),
    ][: len(members)]:
        if Credential.objects.filter(person=person, association=riverbend, category=category).exists():
            continue
        credential = Credential.objects.create(
            person=person, association=riverbend, category=category, since=date(2021, 9, 1),
            valid_through=today + timedelta(days=150),
        )  # fmt: skip
        if coordinator is not None:
            act(actor=coordinator, credential=credential, reason=reason)
        else:
            Credential.objects.filter(pk=credential.pk).update(
                status=CredentialStatus.SUSPENDED if act is suspend_credential else CredentialStatus.REVOKED
            )
