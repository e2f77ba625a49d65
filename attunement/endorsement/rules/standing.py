"""Requirement types about a person's standing: reference ratings, agreements, membership,
the exam, credentials held, and the renewal requirements (definitions in
../shared/spec/rules-alliance-2025.md). Pure Python: no Django.
"""

from __future__ import annotations

from datetime import date, timedelta
from math import fsum
from typing import Any

from attunement.endorsement.rules.context import (
    MET,
    RELATIONSHIP_WORDS,
    UNMET,
    UNVERIFIED_PROVIDER,
    UNVERIFIED_RATER,
    Context,
    categories_words,
    days_between,
    fmt,
    provider_qualifies,
    providers_of,
    requirement,
    rounded,
)


def _need_words(need: dict[str, Any]) -> str:
    if "relationships" in need:
        return "a rating from your " + " or ".join(RELATIONSHIP_WORDS[r] for r in need["relationships"])
    holds = need["rater_holds"]
    if holds == "ANY":
        return "a rater who is endorsed" + (" or vetted" if need.get("or_vetted") else "")
    label = "IFS or above" if holds == "IFS_OR_ABOVE" else categories_words(frozenset(holds))
    return f"a rater endorsed {label}" + (" or vetted" if need.get("or_vetted") else "")


def references(req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    max_insufficient = req.get("max_insufficient_info", 5)
    valid, excluded = [], []
    for i, r in enumerate(ctx.portfolio.references):
        if r.completed is None:
            excluded.append({"section": "references", "index": i, "why": "not completed yet"})
        elif r.completed > ctx.as_of:
            excluded.append({"section": "references", "index": i, "why": "completed after the as-of date"})
        elif r.insufficient_info_count > max_insufficient:
            excluded.append(
                {
                    "section": "references",
                    "index": i,
                    "why": f"{max_insufficient + 1} or more items answered 'not enough information'",
                }
            )
        elif r.rater.unverified:
            excluded.append({"section": "references", "index": i, "why": UNVERIFIED_RATER})
        else:
            valid.append(i)
    missing = []
    for need in req.get("needs", ()):
        if "relationships" in need:
            wanted = set(need["relationships"])
            have = sum(1 for i in valid if ctx.portfolio.references[i].relationship in wanted)
        else:
            groups = ctx.rule_set.resolve(need["rater_holds"])
            have = 0
            for i in valid:
                ref = ctx.portfolio.references[i]
                if (ref.completed and ref.rater.holds(groups, ref.completed)) or (
                    need.get("or_vetted") and ref.rater.vetted
                ):
                    have += 1
        if have < need.get("min", 1):
            missing.append(_need_words(need))
    min_valid = req.get("min_valid", 3)
    if len(valid) < min_valid:
        missing.insert(0, f"{min_valid - len(valid)} more completed ratings")
    counted = [{"section": "references", "index": i} for i in valid]
    what = f"{len(valid)} of {min_valid} valid reference ratings"
    if missing:
        return requirement(
            req["id"],
            UNMET,
            f"{what}; still needed: {'; '.join(missing)}",
            len(valid),
            min_valid,
            "ratings",
            counted,
            excluded,
        )
    return requirement(req["id"], MET, what, len(valid), min_valid, "ratings", counted, excluded)


def _signed_within(day: date | None, as_of: date, within_days: int) -> bool:
    return day is not None and day <= as_of and (as_of - day).days < within_days


def agreements(req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    within = req.get("within_days", 365)
    p = ctx.portfolio
    signed = {
        "code_of_ethics": _signed_within(p.code_of_ethics, ctx.as_of, within),
        "endorsement_agreement": _signed_within(p.endorsement_agreement, ctx.as_of, within),
    }
    have = sum(signed.values())
    counted = [{"section": "agreements", "key": k} for k, ok in signed.items() if ok]
    if have == 2:
        return requirement(
            req["id"],
            MET,
            f"Code of Ethics and Endorsement Agreement signed within {within} days",
            2,
            2,
            "agreements",
            counted,
        )
    missing = [k.replace("_", " ") for k, ok in signed.items() if not ok]
    return requirement(
        req["id"], UNMET, f"Sign (again) within {within} days: {' and '.join(missing)}", have, 2, "agreements", counted
    )


def membership(req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    counted = [
        {"section": "memberships", "index": i}
        for i, m in enumerate(ctx.portfolio.memberships)
        if m.valid_from <= ctx.as_of <= m.valid_through
    ]
    if counted:
        return requirement(req["id"], MET, "Membership current", 1, 1, "membership", counted)
    return requirement(req["id"], UNMET, "No membership current on the as-of date", 0, 1, "membership")


def exam(req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    e = ctx.portfolio.exam
    need = req.get("min_part1_percent", 80)
    if e is None:
        return requirement(req["id"], UNMET, "Exam not taken yet", 0, need, "percent")
    have = rounded(e.part1_percent)
    missing = []
    if e.date > ctx.as_of:
        missing.append("the exam date is after the as-of date")
    if e.part1_percent < need:
        missing.append(f"Part 1 at {fmt(e.part1_percent)}%, {fmt(need)}% needed")
    if req.get("part2_passed", True) and not e.part2_passed:
        missing.append("Part 2 not passed")
    counted = [{"section": "exam"}] if not missing else []
    if missing:
        return requirement(req["id"], UNMET, "Exam: " + "; ".join(missing), have, need, "percent", counted)
    return requirement(req["id"], MET, f"Exam passed (Part 1 {fmt(e.part1_percent)}%)", have, need, "percent", counted)


def credential_held(req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    wanted = frozenset({ctx.category.code}) if req["categories"] == "SELF" else ctx.rule_set.resolve(req["categories"])
    counted = [
        {"section": "credentials", "index": i}
        for i, c in enumerate(ctx.portfolio.credentials)
        if c.category in wanted and c.held_on(ctx.as_of)
    ]
    words = categories_words(wanted)
    if counted:
        return requirement(req["id"], MET, f"Holds {words}", 1, 1, "credential", counted)
    return requirement(req["id"], UNMET, f"Does not hold {words} on the as-of date", 0, 1, "credential")


def renewal_training(req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    period_start = ctx.as_of - timedelta(days=req.get("period_days", 365) - 1)
    inside = [(i, t) for i, t in enumerate(ctx.portfolio.training) if period_start <= t.date <= ctx.as_of]
    excluded = [
        {"section": "training", "index": i, "why": "outside the renewal period"}
        for i, t in enumerate(ctx.portfolio.training)
        if not period_start <= t.date <= ctx.as_of
    ]
    total = fsum(t.hours for _i, t in inside)
    dei = fsum(t.hours for _i, t in inside if t.dei)
    about = fsum(t.hours for _i, t in inside if t.about_rsc)
    provides = any(
        w.provides_rsc and w.start <= ctx.as_of and (w.end or ctx.as_of) >= period_start for w in ctx.portfolio.work
    )
    need = req["min_hours"]
    missing = []
    if total < need:
        missing.append(f"{fmt(need - total)} more hours")
    if dei < req.get("min_dei", 0):
        missing.append(f"{fmt(req['min_dei'] - dei)} more hours on diversity, equity and inclusion")
    need_about = req.get("min_about_rsc_if_provides_rsc", 0) if provides else 0
    if about < need_about:
        missing.append(f"{fmt(need_about - about)} more hours about providing RS/C")
    counted = [{"section": "training", "index": i, "hours": rounded(t.hours)} for i, t in inside]
    what = f"{fmt(total)} of {fmt(need)} training hours since {period_start.isoformat()}"
    status = UNMET if missing else MET
    summary = f"{what}; still needed: {'; '.join(missing)}" if missing else what
    return requirement(req["id"], status, summary, rounded(total), need, "hours", counted, excluded)


def renewal_rsc(req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    period_start = ctx.as_of - timedelta(days=req.get("period_days", 365) - 1)
    providers, provider_words = providers_of(ctx, req)
    need = req["min_hours"]
    same_category = frozenset({ctx.category.code})
    senior = req.get("senior")
    if senior:
        held = [c for c in ctx.portfolio.credentials if c.category == ctx.category.code and c.held_on(ctx.as_of)]
        if held and days_between(min(c.since for c in held), ctx.as_of) >= senior["held_days"]:
            need = senior["min_hours"]
        else:
            senior = None
    counted, excluded = [], []
    for i, e in enumerate(ctx.portfolio.rsc):
        end = e.end or ctx.as_of
        if not (period_start <= e.start and end <= ctx.as_of):
            why = "not inside the renewal period"
        elif e.peer and not (senior and senior.get("peer_same_category") and provider_qualifies(e, same_category, end)):
            why = "peer supervision does not count here"
        elif e.provider.unverified:
            why = UNVERIFIED_PROVIDER
        elif not e.peer and not provider_qualifies(e, providers, end):
            why = f"the provider did not hold {provider_words} on both the first and the last day"
        else:
            counted.append((i, e.hours))
            if not e.confirmed:
                ctx.warnings.append(f"RS/C entry {i + 1} counts but is not confirmed by its provider yet")
            continue
        excluded.append({"section": "rsc", "index": i, "why": why})
    hours = fsum(h for _i, h in counted)
    what = f"{fmt(hours)} of {fmt(need)} RS/C hours since {period_start.isoformat()}"
    rows = [{"section": "rsc", "index": i, "hours": rounded(h)} for i, h in counted]
    if hours < need:
        summary = f"{what}; still needed: {fmt(need - hours)} more hours with a provider who holds {provider_words}"
        return requirement(req["id"], UNMET, summary, rounded(hours), need, "hours", rows, excluded)
    return requirement(req["id"], MET, what, rounded(hours), need, "hours", rows, excluded)


def renewal_agreements(req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    days = req.get("period_days", 365)
    if _signed_within(ctx.portfolio.code_of_ethics, ctx.as_of, days):
        return requirement(
            req["id"],
            MET,
            "Code of Ethics signed in the renewal period",
            1,
            1,
            "agreements",
            [{"section": "agreements", "key": "code_of_ethics"}],
        )
    return requirement(req["id"], UNMET, "Sign the Code of Ethics again for this renewal period", 0, 1, "agreements")
