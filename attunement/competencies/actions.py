from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from attunement.associations.models import Association
from attunement.audit.actions import record
from attunement.competencies.models import Area, Domain, Framework
from attunement.endorsement.rules.portfolio import CATEGORIES, DOMAINS
from attunement.people.models import User

FORMAT = "attunement.competencies/1"


def _check(data: Any) -> list[str]:
    """Every problem of a framework document, each with its JSON path."""
    errors: list[str] = []
    if not isinstance(data, dict):
        return ["$: must be an object"]
    if data.get("format") != FORMAT:
        errors.append(f"$.format: must be {FORMAT}")
    for key in ("id", "name"):
        if not isinstance(data.get(key), str) or not data.get(key):
            errors.append(f"$.{key}: is required")
    unknown = set(data) - {"format", "id", "name", "licensed", "source", "domains"}
    errors += [f"$.{key}: unknown key" for key in sorted(unknown)]
    domains = data.get("domains")
    if not isinstance(domains, list) or not domains:
        return [*errors, "$.domains: must be a non-empty list"]
    seen = set()
    for i, domain in enumerate(domains):
        path = f"$.domains[{i}]"
        if not isinstance(domain, dict):
            errors.append(f"{path}: must be an object")
            continue
        if domain.get("slug") not in DOMAINS:
            errors.append(f"{path}.slug: must be one of {', '.join(DOMAINS)}")
        if domain.get("slug") in seen:
            errors.append(f"{path}.slug: appears twice")
        seen.add(domain.get("slug"))
        errors += [
            f"{path}.{key}: unknown key" for key in sorted(set(domain) - {"slug", "name", "categories", "areas"})
        ]
        for where, item in [(path, domain)] + [
            (f"{path}.areas[{j}]", a) for j, a in enumerate(domain.get("areas") or [])
        ]:
            if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item.get("name"):
                errors.append(f"{where}.name: is required")
                continue
            bad = set(item.get("categories") or []) - set(CATEGORIES)
            if bad:
                errors.append(f"{where}.categories: unknown categories {', '.join(sorted(bad))}")
            if where != path and not item.get("slug"):
                errors.append(f"{where}.slug: is required")
    return errors


@transaction.atomic
def load_framework(*, actor: User | None, data: Any, association: Association | None = None) -> tuple[Framework, bool]:
    """Store a framework from its document: all or nothing; loading the same file again
    changes nothing, a changed file replaces the framework's domains and areas."""
    errors = _check(data)
    if errors:
        raise ValidationError(errors)
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()
    framework = Framework.objects.select_for_update().filter(association=association, key=data["id"]).first()
    if framework is not None and framework.sha256 == digest:
        return framework, False
    if framework is None:
        framework = Framework(association=association, key=data["id"])
    framework.name, framework.licensed, framework.source, framework.sha256 = (
        data["name"], bool(data.get("licensed")), data.get("source", ""), digest,
    )  # fmt: skip
    framework.save()
    framework.domains.all().delete()
    for i, d in enumerate(data["domains"]):
        domain = Domain.objects.create(
            framework=framework, slug=d["slug"], name=d["name"], position=i, categories=d.get("categories", [])
        )
        Area.objects.bulk_create(
            Area(domain=domain, slug=a["slug"], name=a["name"], position=j, categories=a.get("categories", []))
            for j, a in enumerate(d.get("areas") or [])
        )
    record(
        actor=actor,
        verb="competencies.framework.loaded",
        association=association,
        target=framework,
        data={"key": framework.key},
    )
    return framework, True
