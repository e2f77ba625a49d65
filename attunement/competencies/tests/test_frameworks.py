from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from attunement.competencies.actions import load_framework
from attunement.competencies.management.commands.competencies import PUBLIC
from attunement.competencies.models import Area, Framework
from attunement.competencies.selectors import domains_for


def public() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PUBLIC.read_text())
    return data


def test_the_public_names_are_there_after_migrating(db: Any) -> None:
    framework = Framework.objects.get(association=None, key="public-2017")
    assert framework.domains.count() == 10
    assert framework.licensed is False


def test_a_category_sees_its_domains_and_areas(db: Any) -> None:
    ifa = domains_for(None, "IFA")
    assert [d.slug for d in ifa] == [
        "theoretical-foundations", "law-regulation-policy", "systems-expertise", "direct-service-skills",
        "working-with-others", "communicating", "thinking", "reflection",
    ]  # fmt: skip
    foundations = [a.name for a in ifa[0].areas]
    assert "Relationship-focused practice" in foundations
    assert "Disorders of infancy/early childhood" not in foundations
    mentor = domains_for(None, "IMHM-C")
    assert [d.slug for d in mentor][-2:] == ["administration", "research-evaluation"]
    assert "Statistics" in [a.name for a in mentor[0].areas]


def test_an_associations_licensed_copy_replaces_the_public_names_for_it_only(riverbend: Any, cascade: Any) -> None:
    licensed = public()
    licensed.update(id="guidelines-2024", name="Competency Guidelines 2024 (licensed)", licensed=True)
    licensed["domains"][0]["areas"].append({"slug": "extra", "name": "A licensed area", "categories": ["IFA"]})
    load_framework(actor=None, data=licensed, association=riverbend)
    assert "A licensed area" in [a.name for a in domains_for(riverbend, "IFA")[0].areas]
    assert "A licensed area" not in [a.name for a in domains_for(cascade, "IFA")[0].areas]


def test_loading_is_idempotent_and_all_or_nothing(db: Any) -> None:
    _framework, created = load_framework(actor=None, data=public())
    assert created is False
    areas = Area.objects.count()
    bad = copy.deepcopy(public())
    bad["id"] = "broken"
    bad["domains"][2]["slug"] = "magic"
    bad["domains"][0]["areas"][1]["categories"] = ["XYZ"]
    with pytest.raises(ValidationError) as caught:
        load_framework(actor=None, data=bad)
    assert any(m.startswith("$.domains[2].slug: must be one of") for m in caught.value.messages)
    assert "$.domains[0].areas[1].categories: unknown categories XYZ" in caught.value.messages
    assert not Framework.objects.filter(key="broken").exists()
    assert Area.objects.count() == areas
