"""The demo payer persona: idempotent, its printed key works, and its roster is answered."""

from __future__ import annotations

import io
import random
from typing import Any

from django.core.management import call_command
from django.test import Client

from attunement.api import demo
from attunement.api.models import ApiClient, ApiKey
from attunement.demo.loader import Demo
from attunement.endorsement.models import Credential


def test_the_demo_payer_checks_a_roster_with_the_printed_key(
    riverbend: Any, make_person: Any, personas: dict[str, Any]
) -> None:
    members = [make_person(f"member{i}@example.org", legal_name=f"Member Number{i}") for i in range(12)]
    state = Demo(rng=random.Random(1), associations={"riverbend": riverbend}, members={"riverbend": members})
    state.operator = personas["operator"]
    demo.api_payer(state)
    demo.api_payer(state)  # idempotent
    assert ApiClient.objects.filter(name=demo.PAYER_NAME).count() == 1
    assert ApiKey.objects.count() == 1
    assert Credential.objects.filter(association=riverbend).count() == 12

    out = io.StringIO()
    call_command("demo_roster", "--rows", "300", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "ref,code,name,category,region"
    assert len(lines) == 301

    api = Client(headers={"Authorization": f"Bearer {demo.DEMO_API_KEY}"})
    body = api.post("/api/v1/roster-checks", out.getvalue().encode(), content_type="text/csv").json()
    assert body["rows"] == 300
    assert body["counts"]["current"] > 0
    assert body["counts"]["not_found"] > 0
    assert body["counts"]["error"] > 0
    assert any(line.startswith(f"    API key   {demo.DEMO_API_KEY}") for line in demo.printed_lines("http://x"))
