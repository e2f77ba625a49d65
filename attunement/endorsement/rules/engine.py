"""The eligibility engine: a portfolio, a rule set, a category and a date in; the report of
``attunement.eligibility/1`` out. Pure Python, no Django, no I/O: the same code answers the
applicant's "what do I still need", the reviewer's checklist, renewals, batch checks and the
command line. Every number comes from the rule set; this module knows only what each
requirement *type* means (definitions in ../shared/spec/rules-alliance-2025.md).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import attunement.endorsement.rules.evidence as evidence
import attunement.endorsement.rules.standing as standing
from attunement.endorsement.rules.context import UNMET, Context
from attunement.endorsement.rules.portfolio import Portfolio
from attunement.endorsement.rules.ruleset import RuleSet

REPORT_FORMAT = "attunement.eligibility/1"

EVALUATORS: dict[str, Callable[[dict[str, Any], Context], dict[str, Any]]] = {
    "not_required": evidence.not_required,
    "education": evidence.education,
    "education_or_work": evidence.education_or_work,
    "work": evidence.work,
    "training": evidence.training,
    "rsc": evidence.rsc,
    "references": standing.references,
    "agreements": standing.agreements,
    "membership": standing.membership,
    "exam": standing.exam,
    "credential_held": standing.credential_held,
    "renewal_training": standing.renewal_training,
    "renewal_rsc": standing.renewal_rsc,
    "renewal_agreements": standing.renewal_agreements,
}


def evaluate(
    portfolio: Portfolio, rule_set: RuleSet, category: str, as_of: date, *, renewal: bool = False
) -> dict[str, Any]:
    """The eligibility report of ``portfolio`` for ``category`` under ``rule_set`` on ``as_of``."""
    rules = rule_set.category(category)
    ctx = Context(portfolio, rule_set, rules, as_of)
    requirements = [EVALUATORS[req["type"]](req, ctx) for req in (rules.renew if renewal else rules.earn)]
    if not renewal and rules.domains:
        covered = {d for t in portfolio.training if t.date <= as_of for d in t.domains}
        uncovered = [d for d in rules.domains if d not in covered]
        if uncovered:
            ctx.warnings.append("No training is tagged with these competency domains: " + ", ".join(uncovered))
    return {
        "format": REPORT_FORMAT,
        "category": category,
        "rule_set": rule_set.id,
        "as_of": as_of.isoformat(),
        "renewal": renewal,
        "eligible": all(r["status"] != UNMET for r in requirements),
        "requirements": requirements,
        "warnings": ctx.warnings,
    }
