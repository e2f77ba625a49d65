"""Rule set versions loaded from their data (the files in ``rulesets/``)."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from attunement.associations.models import Association
from attunement.audit.actions import record
from attunement.endorsement.models import RuleSetVersion
from attunement.endorsement.rules import RuleSetError, load_raw
from attunement.people.models import User


def _digest(data: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


@transaction.atomic
def load_rule_set(*, actor: User | None, data: dict[str, Any]) -> tuple[RuleSetVersion, bool]:
    """Store a rule set version from its data; loading the same data again changes nothing.

    Returns ``(version, created)``. A different rule set under an existing id is refused:
    versions are never edited, a change is a new id with a new effective date."""
    digest = _digest(data)
    existing = RuleSetVersion.objects.filter(key=data.get("id")).first()
    if existing is not None:
        if existing.sha256 != digest:
            raise ValidationError(
                {"id": f"rule set {existing.key} is already loaded with other rules; give the new version a new id"}
            )
        return existing, False
    base = None
    if data.get("extends"):
        base = RuleSetVersion.objects.filter(key=data["extends"]).first()
        if base is None:
            raise ValidationError({"extends": f"load {data['extends']} first"})
    try:
        load_raw(data, lambda key: dict(base.data) if base is not None and base.key == key else {})
    except RuleSetError as exc:
        raise ValidationError({"rules": str(exc)}) from None
    association = None
    if data.get("association"):
        association = Association.objects.filter(slug=data["association"]).first()
        if association is None:
            raise ValidationError({"association": f"no association {data['association']!r} on this deployment"})
    effective = date.fromisoformat(data["effective"])
    try:
        with transaction.atomic():
            version = RuleSetVersion.objects.create(
                key=data["id"],
                name=data["name"],
                association=association,
                effective=effective,
                extends=base,
                data=data,
                sha256=digest,
            )
    except IntegrityError:
        # Someone loaded a rule set at the same moment (the read above saw nothing yet): the
        # same data is the same version; anything else is refused as above.
        existing = RuleSetVersion.objects.filter(key=data["id"]).first()
        if existing is not None and existing.sha256 == digest:
            return existing, False
        if existing is not None:
            raise ValidationError(
                {"id": f"rule set {existing.key} is already loaded with other rules; give the new version a new id"}
            ) from None
        raise ValidationError(
            {"effective": f"another rule set for {association or 'every association'} takes effect on {effective}"}
        ) from None
    record(
        actor=actor,
        verb="endorsement.ruleset.loaded",
        association=association,
        target=version,
        data={"key": version.key},
    )
    return version, True
