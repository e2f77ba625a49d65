"""The demo part: a holder who can download, a suspended and a revoked credential; idempotent."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from django.urls import reverse

from attunement.audit.models import AuditEvent
from attunement.credentials.demo import credentials_demo
from attunement.credentials.tests.fixtures import holder_credential
from attunement.demo.loader import Demo
from attunement.endorsement.models import Credential, CredentialStatus
from attunement.registry.models import Listing


def test_the_demo_part_shows_the_whole_flow_and_runs_twice(
    personas: dict[str, Any], riverbend: Any, make_person: Callable[..., Any], client_for: Callable[..., Any]
) -> None:
    keisha = personas["reviewer"]
    holder_credential(keisha, riverbend, category="IMHS")
    members = [make_person(f"m{i}@riverbend-members.example", legal_name=f"Member {i}") for i in range(2)]
    demo = Demo(rng=random.Random(1), associations={"riverbend": riverbend}, personas=dict(personas),
                members={"riverbend": members})  # fmt: skip
    credentials_demo(demo)
    credentials_demo(demo)
    statuses = sorted(Credential.objects.filter(person__in=members).values_list("status", flat=True))
    assert statuses == [CredentialStatus.REVOKED, CredentialStatus.SUSPENDED]
    assert AuditEvent.objects.filter(verb="endorsement.credential.revoked").count() == 1
    assert Listing.objects.get(person=keisha).accepting == "yes"
    code = Credential.objects.get(person=keisha).public_code
    assert client_for(keisha).get(reverse("credentials_me:jwt", kwargs={"code": code})).status_code == 200
