"""Will RS/C with this provider count for this supervisee? Answered from the rule set in force
for the supervisee's association on the session dates, and the provider's credentials held
then (the provider holds an accepted category on the first and the last day, as the engine
checks). Also the continuity advice: most hours from one provider, the rest from at most one other."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from attunement.associations.models import Association
from attunement.endorsement.eligibility import NoRuleSet, build, rule_set_version_in_force
from attunement.endorsement.models import Credential, CredentialStatus
from attunement.endorsement.rules.categories import by_provider_rank, provider_rank

CURRENT = (CredentialStatus.ACTIVE, CredentialStatus.EMERITUS)


@dataclass(frozen=True)
class Held:
    category: str
    since: date
    until: date | None

    def on(self, day: date) -> bool:
        return self.since <= day and (self.until is None or day <= self.until)


def held_credentials(person_ids: Iterable[int]) -> dict[int, list[Held]]:
    """Current credentials (active or emeritus) of each person, in one query."""
    out: dict[int, list[Held]] = {}
    rows = Credential.objects.filter(person_id__in=list(person_ids), status__in=CURRENT).values_list(
        "person_id", "category", "since", "valid_through"
    )
    for person_id, category, since, until in rows:
        out.setdefault(person_id, []).append(Held(category, since, until))
    return out


def categories_on(held: Sequence[Held], day: date) -> list[str]:
    codes = {h.category for h in held if h.on(day)}
    return by_provider_rank(codes)


def best_credential(held: Sequence[Held], day: date, accepted: frozenset[str] | None = None) -> Held | None:
    """The highest credential held on ``day``, preferring one ``accepted`` lists."""
    on = [h for h in held if h.on(day)]
    if not on:
        return None

    def rank(h: Held) -> tuple[int, int, date]:
        return (0 if accepted and h.category in accepted else 1, provider_rank(h.category),
                h.since)  # fmt: skip

    return min(on, key=rank)


def _words(codes: Sequence[str]) -> str:
    codes = list(codes)
    if len(codes) <= 1:
        return "".join(codes)
    return _("%(list)s or %(last)s") % {"list": ", ".join(codes[:-1]), "last": codes[-1]}


@dataclass(frozen=True)
class RscRule:
    required: bool
    accepted: tuple[str, ...]
    allow_vetted: bool
    min_hours: Any = None


def rsc_rule(association: Association | None, aim: str, on: date) -> RscRule | None:
    """The RS/C requirement for earning ``aim`` under the rule set in force on ``on``; None
    when no rule set or no such category."""
    try:
        rules = build(rule_set_version_in_force(association, on))
    except NoRuleSet:
        return None
    if aim not in rules.categories:
        return None
    for req in rules.category(aim).earn:
        if req.get("id") == "rsc" or req.get("type") == "rsc":
            if req.get("type") != "rsc":
                return RscRule(False, (), False)
            providers = req["providers"]
            ordered = list(providers) if isinstance(providers, list) else sorted(rules.resolve(providers))
            return RscRule(True, tuple(ordered), bool(req.get("allow_vetted")), req.get("min_hours"))
    return RscRule(False, (), False)


@dataclass
class Verdict:
    counts: bool | None  # None: nothing to check (no aim, RS/C not required, no rule set)
    message: str
    accepted: tuple[str, ...] = ()
    provider_categories: list[str] = field(default_factory=list)


def check(
    *,
    provider_name: str,
    held: Sequence[Held],
    vetted: bool,
    aim: str,
    association: Association | None,
    first: date,
    last: date,
) -> Verdict:
    """Whether RS/C with this provider from ``first`` to ``last`` counts toward ``aim``."""
    if not aim:
        return Verdict(
            None, _("Choose the category you are working towards in your portfolio to see whether this RS/C counts.")
        )
    rule = rsc_rule(association, aim, first)
    if rule is None:
        return Verdict(None, _("No rule set is in force for %(aim)s on that date.") % {"aim": aim})
    cats = categories_on(held, first)
    if not rule.required:
        return Verdict(None, _("RS/C is not required for %(aim)s; it is still recommended.") % {"aim": aim},
                       provider_categories=cats)  # fmt: skip
    accepted = frozenset(rule.accepted)
    words = {"provider": provider_name, "aim": aim, "list": _words(rule.accepted)}
    on_first = any(h.category in accepted and h.on(first) for h in held)
    on_last = any(h.category in accepted and h.on(last) for h in held)
    if on_first and on_last:
        return Verdict(True, _("Your RS/C with %(provider)s counts toward %(aim)s.") % words, rule.accepted, cats)
    if vetted and rule.allow_vetted:
        return Verdict(
            True,
            _(
                "Your RS/C with %(provider)s counts toward %(aim)s: the association vetted this provider and its rules accept vetted providers."
            )
            % words,
            rule.accepted,
            cats,
        )
    if on_first:
        ends = max((h.until for h in held if h.category in accepted and h.on(first) and h.until), default=first)
        return Verdict(
            False,
            _(
                "Your RS/C with %(provider)s counts toward %(aim)s only until %(date)s, when the provider's Endorsement is due to end."
            )
            % {**words, "date": ends.isoformat()},
            rule.accepted,
            cats,
        )
    message = (
        _("Your RS/C with %(provider)s will not count toward %(aim)s: %(aim)s needs a provider holding %(list)s.")
        % words
    )
    if vetted and not rule.allow_vetted:
        message += " " + _("Vetted providers do not count in this association's rule set.")
    return Verdict(False, message, rule.accepted, cats)


def continuity(hours_by_provider: dict[str, Decimal], joining: str | None = None) -> list[str]:
    """Advice when RS/C is spread too thin: most hours should come from one provider and the
    rest from at most one other."""
    advice = []
    providers = set(hours_by_provider) | ({joining} if joining else set())
    if len(providers) > 2:
        advice.append(
            _(
                "You would have RS/C from %(count)s providers: most hours should come from one provider and the rest from at most one other."
            )
            % {"count": len(providers)}
        )
    total = sum(hours_by_provider.values(), Decimal(0))
    if total and len(hours_by_provider) > 1:
        main, main_hours = max(hours_by_provider.items(), key=lambda kv: kv[1])
        if main_hours * 2 <= total:
            advice.append(
                _("No one provider gives you most of your RS/C hours (%(main)s gives %(hours)s of %(total)s).")
                % {"main": main, "hours": f"{main_hours:g}", "total": f"{total:g}"}
            )
    return advice
