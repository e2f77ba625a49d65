from __future__ import annotations

from datetime import date
from typing import Any

from attunement.associations.models import Association
from attunement.endorsement.models import RuleSetVersion
from attunement.endorsement.rules import RuleSet, load_raw


class NoRuleSet(LookupError):
    pass


def rule_set_version_in_force(association: Association | None, on: date) -> RuleSetVersion:
    """The association's own rule set in force on ``on``, else the default one in force."""
    # select_related: the base a variant extends is needed to build it.
    in_force = RuleSetVersion.objects.filter(effective__lte=on).select_related("extends").order_by("-effective")
    version = in_force.filter(association=association).first() if association is not None else None
    if version is None:
        version = in_force.filter(association__isnull=True).first()
    if version is None:
        raise NoRuleSet(f"no rule set is in force on {on.isoformat()}")
    return version


_BUILT: dict[tuple[str, str], RuleSet] = {}


def build(version: RuleSetVersion) -> RuleSet:
    """The engine's rule set for a stored version, built once per process (versions never change)."""
    cache_key = (version.key, version.sha256)
    if cache_key not in _BUILT:
        base = version.extends

        def lookup(key: str) -> dict[str, Any]:
            if base is None or base.key != key:
                raise NoRuleSet(f"{version.key} extends {key}, which is not loaded")
            return dict(base.data)

        _BUILT[cache_key] = load_raw(dict(version.data), lookup)
    return _BUILT[cache_key]
