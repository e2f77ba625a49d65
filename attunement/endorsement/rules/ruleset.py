"""Rule sets (``attunement.ruleset/1``): Endorsement requirements as versioned data.

A rule set names its requirements per category, in order, with their numbers; the engine
(``engine.py``) knows only the requirement *types*. A variant ``extends`` another set and
replaces requirements by id; a category may be ``like`` another with another age track.
Pure Python: no Django.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from attunement.endorsement.rules.portfolio import CATEGORIES, DOMAINS, EDUCATION_LEVELS, RELATIONSHIPS

FORMAT = "attunement.ruleset/1"
SHIPPED = Path(__file__).resolve().parent.parent / "rulesets"

# Requirement type -> the parameters it accepts (besides id and type).
PARAMETERS: dict[str, set[str]] = {
    "not_required": set(),
    "education": {"min_level", "or_license"},
    "education_or_work": {"min_level", "work"},
    "work": {
        "min_days",
        "paid",
        "post",
        "service_levels",
        "matching_ages",
        "flags",
        "min_families",
        "leadership",
        "parts",
    },
    "training": {"min_hours", "min_about_rsc", "min_dei"},
    "rsc": {
        "min_hours",
        "post",
        "providers",
        "window_months",
        "min_span_months",
        "min_about_providing_rsc",
        "allow_vetted",
    },
    "references": {"min_valid", "max_insufficient_info", "needs"},
    "agreements": {"within_days"},
    "membership": set(),
    "exam": {"min_part1_percent", "part2_passed"},
    "credential_held": {"categories"},
    "renewal_training": {"period_days", "min_hours", "min_dei", "min_about_rsc_if_provides_rsc"},
    "renewal_rsc": {"period_days", "min_hours", "providers", "senior"},
    "renewal_agreements": {"period_days"},
}
WORK_FLAGS = {
    "social_emotional_focus",
    "relationship_focus",
    "dyadic_therapy",
    "supervised",
    "internship",
    "provides_rsc",
}


class RuleSetError(ValueError):
    """The rule set data is wrong; the message names the place."""


@dataclass(frozen=True)
class CategoryRules:
    code: str
    name: str
    track: str  # infant | early_childhood | any
    domains: tuple[str, ...]
    earn: tuple[dict[str, Any], ...]
    renew: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class RuleSet:
    id: str
    name: str
    association: str | None
    effective: date
    groups: dict[str, frozenset[str]]
    categories: dict[str, CategoryRules]
    # Values the engine derives from this set's requirements, kept for the set's lifetime.
    derived: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def category(self, code: str) -> CategoryRules:
        try:
            return self.categories[code]
        except KeyError:
            raise RuleSetError(f"rule set {self.id} has no category {code!r}") from None

    def resolve(self, categories: Any) -> frozenset[str]:
        """A list of category codes, or the name of a group of them."""
        if isinstance(categories, str):
            return self.groups[categories]
        return frozenset(categories)


def _check_requirement(req: Any, where: str, groups: dict[str, Any]) -> None:
    if not isinstance(req, dict) or "id" not in req or "type" not in req:
        raise RuleSetError(f"{where}: a requirement needs an id and a type")
    kind = req["type"]
    if kind not in PARAMETERS:
        raise RuleSetError(f"{where}: unknown requirement type {kind!r}")
    unknown = set(req) - PARAMETERS[kind] - {"id", "type", "note"}
    if unknown:
        raise RuleSetError(f"{where}: {kind} does not take {', '.join(sorted(unknown))}")
    for key in ("min_level",):
        if key in req and req[key] not in EDUCATION_LEVELS:
            raise RuleSetError(f"{where}.{key}: unknown education level {req[key]!r}")
    for key in ("providers", "categories"):
        value = req.get(key)
        if isinstance(value, list) and not set(value) <= set(CATEGORIES):
            raise RuleSetError(f"{where}.{key}: unknown categories {sorted(set(value) - set(CATEGORIES))}")
        if isinstance(value, str) and value not in groups and value != "SELF":
            raise RuleSetError(f"{where}.{key}: unknown group {value!r}")
    for flag in req.get("flags", []):
        if flag not in WORK_FLAGS:
            raise RuleSetError(f"{where}.flags: unknown work flag {flag!r}")
    for i, need in enumerate(req.get("needs", [])):
        if not set(need.get("relationships", [])) <= set(RELATIONSHIPS):
            raise RuleSetError(f"{where}.needs[{i}]: unknown relationship")


def _resolve(raw: dict[str, Any], base: dict[str, dict[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Categories in order: each starts from the category it is ``like``, or from the base
    set's entry of the same code; its own requirements replace those with the same id."""
    resolved: dict[str, dict[str, Any]] = copy.deepcopy(base) if base else {}
    for code, spec in raw.items():
        if code not in CATEGORIES:
            raise RuleSetError(f"categories.{code}: unknown category")
        if "like" in spec:
            if spec["like"] not in resolved:
                raise RuleSetError(f"categories.{code}.like: {spec['like']!r} is not defined before it")
            entry = copy.deepcopy(resolved[spec["like"]])
        else:
            entry = copy.deepcopy(resolved.get(code, {"earn": [], "renew": []}))
        for key in ("name", "track", "domains"):
            if key in spec:
                entry[key] = spec[key]
        for phase in ("earn", "renew"):
            if phase not in spec:
                continue
            by_id = {req["id"]: req for req in spec[phase]}
            kept = [by_id.pop(req["id"], req) for req in entry.get(phase, [])]
            entry[phase] = kept + [req for req in spec[phase] if req["id"] in by_id]
        resolved[code] = entry
    return resolved


def build_rule_set(
    raw: dict[str, Any], *, base: RuleSet | None = None, base_raw: dict[str, Any] | None = None
) -> RuleSet:
    if raw.get("format") != FORMAT:
        raise RuleSetError(f"format: must be {FORMAT}")
    for key in ("id", "name", "effective", "categories"):
        if key not in raw:
            raise RuleSetError(f"{key}: is required")
    try:
        effective = date.fromisoformat(raw["effective"])
    except (TypeError, ValueError):
        raise RuleSetError("effective: must be a date YYYY-MM-DD") from None
    groups = {**(base.groups if base else {}), **{k: frozenset(v) for k, v in raw.get("groups", {}).items()}}
    base_categories = _resolve(base_raw["categories"], None) if base_raw else None
    if base_raw and base_raw.get("extends"):
        raise RuleSetError("extends: a rule set may extend only a rule set that extends nothing")
    resolved = _resolve(raw["categories"], base_categories)
    categories = {}
    for code, entry in resolved.items():
        track = entry.get("track")
        if track not in {"infant", "early_childhood", "any"}:
            raise RuleSetError(f"categories.{code}.track: must be infant, early_childhood or any")
        domains = tuple(entry.get("domains", ()))
        if not set(domains) <= set(DOMAINS):
            raise RuleSetError(f"categories.{code}.domains: unknown domain")
        for phase in ("earn", "renew"):
            ids = [req.get("id") for req in entry.get(phase, [])]
            if len(ids) != len(set(ids)):
                raise RuleSetError(f"categories.{code}.{phase}: a requirement id appears twice")
            for i, req in enumerate(entry.get(phase, [])):
                _check_requirement(req, f"categories.{code}.{phase}[{i}]", groups)
        categories[code] = CategoryRules(
            code=code,
            name=entry.get("name", code),
            track=track,
            domains=domains,
            earn=tuple(entry.get("earn", [])),
            renew=tuple(entry.get("renew", [])),
        )
    return RuleSet(
        id=raw["id"],
        name=raw["name"],
        association=raw.get("association"),
        effective=effective,
        groups=groups,
        categories=categories,
    )


def shipped_raw(rule_set_id: str) -> dict[str, Any]:
    path = SHIPPED / f"{rule_set_id}.json"
    if not path.is_file() or path.parent != SHIPPED:
        raise RuleSetError(f"no rule set {rule_set_id!r} (shipped: {', '.join(shipped_ids())})")
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def shipped_ids() -> list[str]:
    return sorted(p.stem for p in SHIPPED.glob("*.json"))


def load_raw(raw: dict[str, Any], lookup: Any = shipped_raw) -> RuleSet:
    """Build a rule set from its data; ``lookup(id)`` finds the data of the set it extends."""
    if raw.get("extends"):
        base_raw = lookup(raw["extends"])
        base = build_rule_set(base_raw)
        return build_rule_set(raw, base=base, base_raw=base_raw)
    return build_rule_set(raw)


def load_shipped(rule_set_id: str) -> RuleSet:
    return load_raw(shipped_raw(rule_set_id))
