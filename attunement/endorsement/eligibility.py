"""The eligibility service: a portfolio's exchange document, the rule set in force, and the
engine's report on it. Every page, action and command that judges a portfolio comes here.

``portfolio_document`` builds the ``attunement.portfolio/1`` document (the public face of the
snapshot, ``../spec/portfolio-exchange.md``) from the portfolio's rows and the person's exam
and credentials; ``judge`` reads it with the pure engine (``endorsement.rules``) under the rule
set of the portfolio's association in force. The engine's report is read, never edited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from allauth.account.models import EmailAddress
from django.db.models import Q
from django.utils import timezone

from attunement.associations.models import Association
from attunement.endorsement.models import Credential, CredentialStatus, ExamSitting, RuleSetVersion
from attunement.endorsement.rules import RuleSet, evaluate, load_raw, parse_portfolio
from attunement.endorsement.rules.categories import provider_rank
from attunement.membership.models import Term
from attunement.people.models import User
from attunement.portfolios.models import (
    RSC,
    AgreementKind,
    Education,
    License,
    Portfolio,
    Reference,
    ReferenceStatus,
    Signature,
    Training,
    Work,
)

FORMAT = "attunement.portfolio/1"
HELD_STATUSES = {CredentialStatus.ACTIVE, CredentialStatus.EMERITUS}


# --- The rule set in force -----------------------------------------------------------------


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


# --- Credentials held here -----------------------------------------------------------------


def registry_credentials(address: str, on: date) -> list[tuple[str, date]]:
    """The Endorsements held on ``on`` (active or emeritus) by the person whose sign-in
    address, or a verified address of their account, is ``address``; highest first. Empty when
    no such person holds one: then nobody here vouches for whoever answers that address."""
    address = address.strip()
    if not address:
        return []
    people = Q(person__email__iexact=address) | Q(
        person__in=EmailAddress.objects.filter(email__iexact=address, verified=True).values("user_id")
    )
    rows = (
        Credential.objects.filter(people, status__in=HELD_STATUSES, since__lte=on)
        .filter(Q(valid_through__isnull=True) | Q(valid_through__gte=on))
        .values_list("category", "since")
    )
    return sorted(set(rows), key=lambda r: (provider_rank(r[0]), r[1]))


# --- The exchange document and the report ----------------------------------------------


def _hours(value: Decimal) -> float:
    return float(value)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def portfolio_document(portfolio: Portfolio, as_of: date | None = None) -> dict[str, Any]:
    """The ``attunement.portfolio/1`` document of a portfolio. With ``as_of``, entries dated
    after it are left out (a report as of a past day sees what existed then)."""
    day = as_of or timezone.localdate()
    person = portfolio.person
    doc: dict[str, Any] = {
        "format": FORMAT,
        "person": {
            "name": person.legal_name or person.display_name,
            "email": person.email,
            "id": str(person.public_id),
        },
        "education": [
            {
                "level": e.level,
                "field": e.field,
                "institution": e.institution,
                "conferred": _iso(e.conferred),
                "verified": e.verification == "verified",
            }
            for e in Education.objects.filter(portfolio=portfolio, conferred__lte=day).order_by("conferred", "id")
        ],
        "licenses": [
            {
                "kind": lic.kind,
                "mental_health": lic.mental_health,
                "jurisdiction": lic.jurisdiction,
                "issued": _iso(lic.issued),
                "expires": _iso(lic.expires),
            }
            for lic in License.objects.filter(portfolio=portfolio).order_by("issued", "id")
        ],
        "work": [
            {
                "employer": w.employer,
                "title": w.title,
                "start": _iso(w.start),
                "end": _iso(w.end),
                "paid": w.paid,
                "fte": float(w.fte),
                "service_level": w.service_level,
                "ages": w.ages,
                "families_served": w.families_served,
                "social_emotional_focus": w.social_emotional_focus,
                "relationship_focus": w.relationship_focus,
                "dyadic_therapy": w.dyadic_therapy,
                "supervised": w.supervised,
                "internship": w.internship,
                "provides_rsc": w.provides_rsc,
                "leadership": w.leadership or None,
                "supervisor": {
                    "name": w.supervisor_name,
                    "email": w.supervisor_email or None,
                    "credentials": [],
                    "vetted": False,
                }
                if w.supervisor_name
                else None,
            }
            for w in Work.objects.filter(portfolio=portfolio, start__lte=day).order_by("start", "id")
        ],
        "training": [
            {
                "title": t.title,
                "provider": t.provider,
                "date": _iso(t.date),
                "hours": _hours(t.hours),
                "domains": list(t.domains),
                "dei": t.dei,
                "about_rsc": t.about_rsc,
                "verified": t.verification == "verified",
            }
            for t in Training.objects.filter(portfolio=portfolio, date__lte=day).order_by("date", "id")
        ],
        "rsc": [
            {
                "provider": {
                    "name": r.provider_name,
                    "email": r.provider_email or None,
                    "credentials": [{"category": r.provider_category, "since": _iso(r.provider_since), "until": None}]
                    if r.provider_category and r.provider_since
                    else [],
                    "vetted": r.provider_vetted,
                    **({"unverified": True} if r.provider_unverified else {}),
                },
                "format": r.format,
                "start": _iso(r.start),
                "end": _iso(r.end),
                "hours": _hours(r.hours),
                "about_providing_rsc": r.about_providing_rsc,
                "peer": r.peer,
                "confirmed": r.confirmed,
            }
            for r in RSC.objects.filter(portfolio=portfolio, start__lte=day).order_by("start", "id")
        ],
        "references": [
            {
                "rater": {
                    "name": ref.rater_name,
                    "email": ref.rater_email,
                    "credentials": [{"category": ref.rater_category, "since": _iso(ref.rater_since), "until": None}]
                    if ref.rater_category and ref.rater_since
                    else [],
                    "vetted": ref.rater_vetted,
                    **({"unverified": True} if ref.rater_unverified else {}),
                },
                "relationship": ref.relationship,
                "known_months": ref.known_months,
                "completed": _iso(timezone.localdate(ref.completed_at)) if ref.completed_at else None,
                "insufficient_info_count": ref.insufficient_info_count,
            }
            for ref in Reference.objects.filter(portfolio=portfolio, status=ReferenceStatus.COMPLETED).order_by(
                "completed_at", "id"
            )
        ],
        "agreements": dict.fromkeys(AgreementKind.values),
        "memberships": [
            {
                "association": t.association.slug,
                "valid_from": _iso(t.valid_from),
                "valid_through": _iso(t.valid_through),
            }
            # select_related: each term names its association.
            for t in Term.objects.filter(person=person, valid_from__lte=day)
            .select_related("association")
            .order_by("valid_from")
        ],
        "exam": _exam(portfolio, day),
        "credentials": [
            {
                "category": c.category,
                "since": _iso(c.since),
                "emerging": c.emerging,
                "until": None if c.status in HELD_STATUSES else _iso(c.valid_through or day),
            }
            for c in Credential.objects.filter(person=person, since__lte=day).order_by("since", "id")
        ],
    }
    # select_related: each signature's text says which agreement it signs.
    for signature in (
        Signature.objects.filter(portfolio=portfolio, signed_on__lte=day).select_related("text").order_by("signed_on")
    ):
        doc["agreements"][signature.text.kind] = signature.signed_on.isoformat()
    return doc


def _exam(portfolio: Portfolio, day: date) -> dict[str, Any] | None:
    """The latest completed exam sitting of the person, as the engine reads it."""
    sitting = (
        ExamSitting.objects.filter(application__portfolio=portfolio, completed_at__isnull=False, taken_on__lte=day)
        .order_by("-taken_on", "-id")
        .first()
    )
    if sitting is None or sitting.part1_percent is None or sitting.taken_on is None:
        return None
    return {
        "date": _iso(sitting.taken_on),
        "part1_percent": float(sitting.part1_percent),
        "part2_passed": bool(sitting.part2_passed),
    }


@dataclass
class Judgement:
    report: dict[str, Any]
    rule_set: RuleSetVersion
    document: dict[str, Any]


def judge(
    portfolio: Portfolio,
    category: str,
    *,
    as_of: date | None = None,
    renewal: bool = False,
    document: dict[str, Any] | None = None,
) -> Judgement:
    """The engine's report for ``category`` under the rule set of the portfolio's association in force."""
    day = as_of or timezone.localdate()
    version = rule_set_version_in_force(portfolio.association, day)
    doc = document if document is not None else portfolio_document(portfolio, day)
    report = evaluate(parse_portfolio(doc, day), build(version), category, day, renewal=renewal)
    return Judgement(report, version, doc)


@dataclass
class RenewalJudgement:
    """The renewal report for every category a person holds here, and the training and RS/C
    entries the reports' ``counted`` items point into (by section and index)."""

    reports: dict[str, dict[str, Any]]
    evidence: dict[str, list[dict[str, Any]]]

    def stored(self) -> dict[str, dict[str, Any]]:
        """What a renewal record keeps: each report with the evidence beside it (``_document``),
        so staff and the automatic approval see what was counted as it stood that day."""
        return {category: {**report, "_document": self.evidence} for category, report in self.reports.items()}


def renewal_reports(person: User, association: Association, as_of: date | None = None) -> RenewalJudgement:
    """The engine's renewal report for every category the person holds here, from one
    portfolio: the hours are entered once and count for every category."""
    day = as_of or timezone.localdate()
    portfolio = Portfolio.objects.select_related("person", "association").filter(person=person).first()
    if portfolio is None:
        return RenewalJudgement({}, {"training": [], "rsc": []})
    document = portfolio_document(portfolio, day)
    snapshot = parse_portfolio(document, day)
    rules = build(rule_set_version_in_force(association, day))
    held = (
        Credential.objects.filter(person=person, association=association, status__in=HELD_STATUSES)
        .order_by("category")
        .values_list("category", flat=True)
    )
    reports = {category: evaluate(snapshot, rules, category, day, renewal=True) for category in held}
    return RenewalJudgement(reports, {"training": document["training"], "rsc": document["rsc"]})
