"""The eligibility engine: a portfolio, a rule set, a category and a date in; the report of
``attunement.eligibility/1`` out. Pure Python, no Django, no I/O: the same code answers the
applicant's "what do I still need", the reviewer's checklist, renewals, batch checks and the
command line. Every number comes from the rule set; this module knows only what each
requirement *type* means (definitions in ../shared/spec/rules-alliance-2025.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from math import fsum
from typing import Any

from attunement.endorsement.rules.portfolio import LEVEL_RANK, RSC, Portfolio, Work
from attunement.endorsement.rules.ruleset import CategoryRules, RuleSet

REPORT_FORMAT = "attunement.eligibility/1"
MET, UNMET, NOT_REQUIRED = "met", "unmet", "not_required"

AGES_FOR_TRACK = {
    "infant": frozenset({"infant", "both"}),
    "early_childhood": frozenset({"early_childhood", "both"}),
    "any": frozenset({"infant", "early_childhood", "both"}),
}
TRACK_WORDS = {
    "infant": "infants and toddlers (prenatal to 36 months)",
    "early_childhood": "young children (3 to 6 years)",
}
RELATIONSHIP_WORDS = {
    "current_supervisor": "current supervisor",
    "former_supervisor": "former supervisor",
    "rsc_provider": "RS/C provider",
    "colleague": "colleague",
    "supervisee": "supervisee",
    "teacher": "teacher",
    "trainer": "trainer",
    "consultant": "consultant",
    "service_recipient": "service recipient",
    "other": "other",
}
DEGREE_WORDS = {
    "cda": "CDA",
    "associate": "associate degree",
    "bachelor": "bachelor's degree",
    "master": "master's degree",
    "doctorate": "doctorate",
    "none": "no degree",
}


@dataclass(slots=True)
class Context:
    portfolio: Portfolio
    rule_set: RuleSet
    category: CategoryRules
    as_of: date
    warnings: list[str] = field(default_factory=list)
    post_starts: dict[tuple[str, bool], date | None] = field(default_factory=dict)


def _num(value: float) -> float | int:
    """Hours as given (rounded to hundredths); whole numbers stay whole in the summary."""
    return round(value, 2)


def _fmt(value: float) -> str:
    return f"{round(value, 2):g}"


def _days(start: date, end: date) -> int:
    return (end - start).days + 1


def _union_days(intervals: list[tuple[date, date]]) -> int:
    total = 0
    current_start: date | None = None
    current_end: date | None = None
    for start, end in sorted(intervals):
        if current_end is None or start > current_end + timedelta(days=1):
            if current_end is not None and current_start is not None:
                total += _days(current_start, current_end)
            current_start, current_end = start, end
        elif end > current_end:
            current_end = end
    if current_end is not None and current_start is not None:
        total += _days(current_start, current_end)
    return total


_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _month_name(index: int) -> str:
    return f"{_MONTH_NAMES[index % 12]} {index // 12}"


def _categories_words(codes: Any) -> str:
    """Category codes in the rule set's order (a group's codes sorted), joined with "or"."""
    ordered = list(codes) if isinstance(codes, list | tuple) else sorted(codes)
    return ordered[0] if len(ordered) == 1 else ", ".join(ordered[:-1]) + " or " + ordered[-1]


def _providers(ctx: Context, req: dict[str, Any]) -> tuple[frozenset[str], str]:
    """The provider categories a requirement accepts, and how to say them (computed once per
    rule set: the requirement dicts live exactly as long as it)."""
    key = ("providers", id(req))
    cached: tuple[frozenset[str], str] | None = ctx.rule_set.derived.get(key)
    if cached is None:
        codes = ctx.rule_set.resolve(req["providers"])
        words = _categories_words(req["providers"] if isinstance(req["providers"], list) else codes)
        cached = ctx.rule_set.derived[key] = (codes, words)
    return cached


def _post_start(ctx: Context, post: dict[str, Any] | None) -> date | None:
    """The first day that counts as after the degree (or licence); ``date.min`` when no
    degree is asked for, ``None`` when the person has none."""
    if not post:
        return date.min
    key = (post["degree"], bool(post.get("or_license")))
    if key in ctx.post_starts:
        return ctx.post_starts[key]
    rank = LEVEL_RANK[post["degree"]]
    starts = [e.conferred for e in ctx.portfolio.education if LEVEL_RANK[e.level] >= rank and e.conferred <= ctx.as_of]
    if post.get("or_license"):
        starts += [lic.issued for lic in ctx.portfolio.licenses if lic.mental_health and lic.issued <= ctx.as_of]
    result = ctx.post_starts[key] = min(starts) if starts else None
    return result


def _post_words(post: dict[str, Any] | None) -> str:
    if not post:
        return ""
    words = DEGREE_WORDS[post["degree"]]
    return f"the {words} or a mental health licence" if post.get("or_license") else f"the {words}"


def _requirement(
    req_id: str,
    status: str,
    summary: str,
    have: float,
    need: float,
    unit: str,
    counted: list[dict[str, Any]] | None = None,
    excluded: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "id": req_id,
        "status": status,
        "summary": summary,
        "progress": {"have": have, "need": need, "unit": unit},
        "counted": counted or [],
        "excluded": excluded or [],
    }


# --- Requirement types ---------------------------------------------------------------


def not_required(req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    return {
        "id": req["id"],
        "status": NOT_REQUIRED,
        "summary": f"Not required for {ctx.category.code}",
        "progress": None,
        "counted": [],
        "excluded": [],
    }


def _education_ok(ctx: Context, min_level: str, or_license: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rank = LEVEL_RANK[min_level]
    counted, excluded = [], []
    for i, e in enumerate(ctx.portfolio.education):
        if LEVEL_RANK[e.level] >= rank:
            counted.append({"section": "education", "index": i})
        else:
            excluded.append(
                {
                    "section": "education",
                    "index": i,
                    "why": f"a {DEGREE_WORDS[e.level]} is below a {DEGREE_WORDS[min_level]}",
                }
            )
    if or_license:
        for i, lic in enumerate(ctx.portfolio.licenses):
            if not lic.mental_health:
                excluded.append({"section": "licenses", "index": i, "why": "not a mental health licence"})
            elif not lic.held_on(ctx.as_of):
                excluded.append({"section": "licenses", "index": i, "why": "not held on the as-of date"})
            else:
                counted.append({"section": "licenses", "index": i})
    return counted, excluded


def education(req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    min_level, or_license = req["min_level"], bool(req.get("or_license"))
    counted, excluded = _education_ok(ctx, min_level, or_license)
    what = f"a {DEGREE_WORDS[min_level]} or higher" + (", or a mental health licence held now" if or_license else "")
    if counted:
        return _requirement(req["id"], MET, f"Has {what}", 1, 1, "qualification", counted, excluded)
    return _requirement(req["id"], UNMET, f"Needs {what}", 0, 1, "qualification", counted, excluded)


def _work_why(w: Work, spec: dict[str, Any], ctx: Context, post: date | None) -> str | None:
    if spec.get("paid") and not w.paid:
        return "not paid work"
    levels = spec.get("service_levels")
    if levels and w.service_level not in levels:
        return f"service level {w.service_level} is not {' or '.join(levels)}"
    if spec.get("matching_ages") and w.ages not in AGES_FOR_TRACK[ctx.category.track]:
        return f"{ctx.category.code} needs work with {TRACK_WORDS[ctx.category.track]}"
    for flag in spec.get("flags", ()):
        if not getattr(w, flag):
            return f"not marked {flag.replace('_', ' ')}"
    if spec.get("leadership") and w.leadership != spec["leadership"]:
        return f"not {spec['leadership'].replace('_', '/')} leadership"
    if post is None:
        return f"no {_post_words(spec.get('post'))[4:]} yet"
    if (w.end or ctx.as_of) < post:
        return f"all of it before {_post_words(spec.get('post'))}"
    return None


def _work_intervals(
    spec: dict[str, Any], ctx: Context, indexes: range | list[int]
) -> tuple[list[tuple[int, date, date]], list[dict[str, Any]]]:
    post = _post_start(ctx, spec.get("post"))
    kept, excluded = [], []
    for i in indexes:
        w = ctx.portfolio.work[i]
        why = _work_why(w, spec, ctx, post)
        if why:
            excluded.append({"section": "work", "index": i, "why": why})
            continue
        start = max(w.start, post or date.min)
        end = min(w.end or ctx.as_of, ctx.as_of)
        kept.append((i, start, end))
    return kept, excluded


def work(req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    kept, excluded = _work_intervals(req, ctx, range(len(ctx.portfolio.work)))
    total = _union_days([(s, e) for _i, s, e in kept])
    counted = [{"section": "work", "index": i, "days": _days(s, e)} for i, s, e in kept]
    need = req["min_days"]
    missing = []
    if total < need:
        missing.append(f"{need - total} more days")
    min_families = req.get("min_families")
    if min_families:
        families = sum(ctx.portfolio.work[i].families_served for i, _s, _e in kept)
        if families < min_families:
            missing.append(f"{min_families - families} more families served (have {families} of {min_families})")
    for part in req.get("parts", ()):
        if part.get("of_counted"):
            sub, _ = _work_intervals({"flags": part.get("flags", [])}, ctx, [i for i, _s, _e in kept])
            # Keep the clipping of the counted entries (post-degree, as-of).
            clipped = {i: (s, e) for i, s, e in kept}
            part_days = _union_days([clipped[i] for i, _s, _e in sub])
        else:
            sub, _ = _work_intervals(part, ctx, range(len(ctx.portfolio.work)))
            part_days = _union_days([(s, e) for _i, s, e in sub])
        if part_days < part["min_days"]:
            flags = " and ".join(f.replace("_", " ") for f in part.get("flags", ()))
            missing.append(f"{part['min_days'] - part_days} more days {flags}".rstrip())
    post_words = _post_words(req.get("post"))
    what = f"{_fmt(total)} of {need} days of qualifying work" + (f" after {post_words}" if post_words else "")
    if missing:
        return _requirement(
            req["id"], UNMET, f"{what}; still needed: {'; '.join(missing)}", total, need, "days", counted, excluded
        )
    return _requirement(req["id"], MET, what, total, need, "days", counted, excluded)


def education_or_work(req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    counted, excluded = _education_ok(ctx, req["min_level"], False)
    if counted:
        return _requirement(
            req["id"],
            MET,
            f"Has a {DEGREE_WORDS[req['min_level']]} or higher",
            1,
            1,
            "qualification",
            counted,
            excluded,
        )
    spec = {**req["work"], "id": req["id"]}
    result = work(spec, ctx)
    result["excluded"] = excluded + result["excluded"]
    if result["status"] == UNMET:
        result["summary"] = f"Needs a {DEGREE_WORDS[req['min_level']]} or higher, or: {result['summary']}"
    return result


def training(req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    counted = []
    all_hours, about_hours, dei_hours = [], [], []
    for i, t in enumerate(ctx.portfolio.training):
        if t.date <= ctx.as_of:
            counted.append({"section": "training", "index": i, "hours": round(t.hours, 2)})
            all_hours.append(t.hours)
            if t.about_rsc:
                about_hours.append(t.hours)
            if t.dei:
                dei_hours.append(t.hours)
    total, about, dei = fsum(all_hours), fsum(about_hours), fsum(dei_hours)
    need = req.get("min_hours", 0)
    missing = []
    if total < need:
        missing.append(f"{_fmt(need - total)} more hours")
    if about < req.get("min_about_rsc", 0):
        missing.append(f"{_fmt(req['min_about_rsc'] - about)} more hours about providing RS/C")
    if dei < req.get("min_dei", 0):
        missing.append(f"{_fmt(req['min_dei'] - dei)} more hours on diversity, equity and inclusion")
    what = f"{_fmt(total)} of {_fmt(need)} training hours"
    status = UNMET if missing else MET
    summary = f"{what}; still needed: {'; '.join(missing)}" if missing else what
    return _requirement(req["id"], status, summary, _num(total), need, "hours", counted)


# Provenance the rules do not take on trust: someone answered a signed link and said what they
# hold. It counts once staff verify their standing against the registry (or it matched a
# credential held here).
UNVERIFIED_PROVIDER = "confirmed by an unverified provider: it counts once staff verify the provider's standing"
UNVERIFIED_RATER = "given by an unverified rater: it counts once staff verify the rater's standing"


def _provider_qualifies(e: RSC, providers: frozenset[str], end: date) -> bool:
    return e.provider.holds(providers, e.start) and e.provider.holds(providers, end)


def rsc(req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    providers, provider_words = _providers(ctx, req)
    post = _post_start(ctx, req.get("post"))
    window = req.get("window_months", 24)
    min_span = req.get("min_span_months", 0)
    need, need_about = req["min_hours"], req.get("min_about_providing_rsc", 0)
    excluded: list[dict[str, Any]] = []
    candidates: list[tuple[int, int, int, float, float]] = []  # index, first month, last month, hours, about
    as_of = ctx.as_of
    for i, e in enumerate(ctx.portfolio.rsc):
        end = e.end or as_of
        holds = e.provider.holds
        if e.peer:
            why = "peer supervision never counts"
        elif e.provider.unverified:
            why = UNVERIFIED_PROVIDER
        elif not (holds(providers, e.start) and holds(providers, end)) and not (
            e.provider.vetted and req.get("allow_vetted")  # an association in its first years may allow them
        ):
            if e.provider.vetted:
                why = "vetted providers do not count in this rule set"
            else:
                why = f"the provider did not hold {provider_words} on both the first and the last day"
        elif post is None:
            why = f"no {_post_words(req.get('post'))[4:]} yet"
        elif e.start < post:
            why = f"starts before {_post_words(req.get('post'))}"
        else:
            first, last = e.start.year * 12 + e.start.month - 1, end.year * 12 + end.month - 1
            if last - first + 1 <= window:
                candidates.append((i, first, last, e.hours, e.hours if e.about_providing_rsc else 0.0))
                continue
            why = f"longer than the {window}-month window"
        excluded.append({"section": "rsc", "index": i, "why": why})

    best: tuple[Any, ...] | None = None
    chosen: list[tuple[int, int, int, float, float]] = []
    if candidates and max(c[2] for c in candidates) - min(c[1] for c in candidates) < window:
        # Everything fits in one window: that window counts every entry, so no other beats it.
        chosen = candidates
    for first in sorted({c[1] for c in candidates}) if not chosen else ():
        inside = [c for c in candidates if c[1] >= first and c[2] <= first + window - 1]
        hours = fsum(c[3] for c in inside)
        about = fsum(c[4] for c in inside)
        span = max(c[2] for c in inside) - min(c[1] for c in inside) + 1
        meets = hours >= need and about >= need_about and span >= min_span
        key = (meets, span >= min_span, hours, about, -first)
        if best is None or key > best:
            best, chosen = key, inside
    chosen_ids = {c[0] for c in chosen}
    if chosen:
        start_month, end_month = min(c[1] for c in chosen), max(c[2] for c in chosen)
        window_words = f"{_month_name(start_month)} to {_month_name(end_month)}"
        span = end_month - start_month + 1
    else:
        window_words, span = "", 0
    for c in candidates:
        if c[0] not in chosen_ids:
            excluded.append(
                {
                    "section": "rsc",
                    "index": c[0],
                    "why": f"outside the {window}-month window that counts the most hours ({window_words})",
                }
            )
    excluded.sort(key=lambda x: x["index"])
    counted = [{"section": "rsc", "index": c[0], "hours": _num(c[3])} for c in sorted(chosen)]
    for c in sorted(chosen):
        if not ctx.portfolio.rsc[c[0]].confirmed:
            ctx.warnings.append(f"RS/C entry {c[0] + 1} counts but is not confirmed by its provider yet")
    hours = fsum(c[3] for c in chosen)
    about = fsum(c[4] for c in chosen)
    span_words = f"a {min_span}-{window} month span" if min_span else f"{window} months"
    what = f"{_fmt(hours)} of {_fmt(need)} RS/C hours within {span_words}"
    missing = []
    if hours < need:
        missing.append(f"{_fmt(need - hours)} more hours with a provider who holds {provider_words}")
    if about < need_about:
        missing.append(f"{_fmt(need_about - about)} more hours about the RS/C you provide")
    if min_span and span < min_span:
        missing.append(f"RS/C that reaches across at least {min_span} months (now {span})")
    if missing:
        return _requirement(
            req["id"],
            UNMET,
            f"{what}; still needed: {'; '.join(missing)}",
            _num(hours),
            need,
            "hours",
            counted,
            excluded,
        )
    return _requirement(req["id"], MET, what, _num(hours), need, "hours", counted, excluded)


def _need_words(need: dict[str, Any]) -> str:
    if "relationships" in need:
        return "a rating from your " + " or ".join(RELATIONSHIP_WORDS[r] for r in need["relationships"])
    holds = need["rater_holds"]
    if holds == "ANY":
        return "a rater who is endorsed" + (" or vetted" if need.get("or_vetted") else "")
    label = "IFS or above" if holds == "IFS_OR_ABOVE" else _categories_words(frozenset(holds))
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
        return _requirement(
            req["id"],
            UNMET,
            f"{what}; still needed: {'; '.join(missing)}",
            len(valid),
            min_valid,
            "ratings",
            counted,
            excluded,
        )
    return _requirement(req["id"], MET, what, len(valid), min_valid, "ratings", counted, excluded)


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
        return _requirement(
            req["id"],
            MET,
            f"Code of Ethics and Endorsement Agreement signed within {within} days",
            2,
            2,
            "agreements",
            counted,
        )
    missing = [k.replace("_", " ") for k, ok in signed.items() if not ok]
    return _requirement(
        req["id"], UNMET, f"Sign (again) within {within} days: {' and '.join(missing)}", have, 2, "agreements", counted
    )


def membership(req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    counted = [
        {"section": "memberships", "index": i}
        for i, m in enumerate(ctx.portfolio.memberships)
        if m.valid_from <= ctx.as_of <= m.valid_through
    ]
    if counted:
        return _requirement(req["id"], MET, "Membership current", 1, 1, "membership", counted)
    return _requirement(req["id"], UNMET, "No membership current on the as-of date", 0, 1, "membership")


def exam(req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    e = ctx.portfolio.exam
    need = req.get("min_part1_percent", 80)
    if e is None:
        return _requirement(req["id"], UNMET, "Exam not taken yet", 0, need, "percent")
    have = _num(e.part1_percent)
    missing = []
    if e.date > ctx.as_of:
        missing.append("the exam date is after the as-of date")
    if e.part1_percent < need:
        missing.append(f"Part 1 at {_fmt(e.part1_percent)}%, {_fmt(need)}% needed")
    if req.get("part2_passed", True) and not e.part2_passed:
        missing.append("Part 2 not passed")
    counted = [{"section": "exam"}] if not missing else []
    if missing:
        return _requirement(req["id"], UNMET, "Exam: " + "; ".join(missing), have, need, "percent", counted)
    return _requirement(
        req["id"], MET, f"Exam passed (Part 1 {_fmt(e.part1_percent)}%)", have, need, "percent", counted
    )


def credential_held(req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    wanted = frozenset({ctx.category.code}) if req["categories"] == "SELF" else ctx.rule_set.resolve(req["categories"])
    counted = [
        {"section": "credentials", "index": i}
        for i, c in enumerate(ctx.portfolio.credentials)
        if c.category in wanted and c.held_on(ctx.as_of)
    ]
    words = _categories_words(wanted)
    if counted:
        return _requirement(req["id"], MET, f"Holds {words}", 1, 1, "credential", counted)
    return _requirement(req["id"], UNMET, f"Does not hold {words} on the as-of date", 0, 1, "credential")


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
        missing.append(f"{_fmt(need - total)} more hours")
    if dei < req.get("min_dei", 0):
        missing.append(f"{_fmt(req['min_dei'] - dei)} more hours on diversity, equity and inclusion")
    need_about = req.get("min_about_rsc_if_provides_rsc", 0) if provides else 0
    if about < need_about:
        missing.append(f"{_fmt(need_about - about)} more hours about providing RS/C")
    counted = [{"section": "training", "index": i, "hours": _num(t.hours)} for i, t in inside]
    what = f"{_fmt(total)} of {_fmt(need)} training hours since {period_start.isoformat()}"
    status = UNMET if missing else MET
    summary = f"{what}; still needed: {'; '.join(missing)}" if missing else what
    return _requirement(req["id"], status, summary, _num(total), need, "hours", counted, excluded)


def renewal_rsc(req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    period_start = ctx.as_of - timedelta(days=req.get("period_days", 365) - 1)
    providers, provider_words = _providers(ctx, req)
    need = req["min_hours"]
    same_category = frozenset({ctx.category.code})
    senior = req.get("senior")
    if senior:
        held = [c for c in ctx.portfolio.credentials if c.category == ctx.category.code and c.held_on(ctx.as_of)]
        if held and _days(min(c.since for c in held), ctx.as_of) >= senior["held_days"]:
            need = senior["min_hours"]
        else:
            senior = None
    counted, excluded = [], []
    for i, e in enumerate(ctx.portfolio.rsc):
        end = e.end or ctx.as_of
        if not (period_start <= e.start and end <= ctx.as_of):
            why = "not inside the renewal period"
        elif e.peer and not (
            senior and senior.get("peer_same_category") and _provider_qualifies(e, same_category, end)
        ):
            why = "peer supervision does not count here"
        elif e.provider.unverified:
            why = UNVERIFIED_PROVIDER
        elif not e.peer and not _provider_qualifies(e, providers, end):
            why = f"the provider did not hold {provider_words} on both the first and the last day"
        else:
            counted.append((i, e.hours))
            if not e.confirmed:
                ctx.warnings.append(f"RS/C entry {i + 1} counts but is not confirmed by its provider yet")
            continue
        excluded.append({"section": "rsc", "index": i, "why": why})
    hours = fsum(h for _i, h in counted)
    what = f"{_fmt(hours)} of {_fmt(need)} RS/C hours since {period_start.isoformat()}"
    rows = [{"section": "rsc", "index": i, "hours": _num(h)} for i, h in counted]
    if hours < need:
        summary = f"{what}; still needed: {_fmt(need - hours)} more hours with a provider who holds {provider_words}"
        return _requirement(req["id"], UNMET, summary, _num(hours), need, "hours", rows, excluded)
    return _requirement(req["id"], MET, what, _num(hours), need, "hours", rows, excluded)


def renewal_agreements(req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    days = req.get("period_days", 365)
    if _signed_within(ctx.portfolio.code_of_ethics, ctx.as_of, days):
        return _requirement(
            req["id"],
            MET,
            "Code of Ethics signed in the renewal period",
            1,
            1,
            "agreements",
            [{"section": "agreements", "key": "code_of_ethics"}],
        )
    return _requirement(req["id"], UNMET, "Sign the Code of Ethics again for this renewal period", 0, 1, "agreements")


EVALUATORS: dict[str, Callable[[dict[str, Any], Context], dict[str, Any]]] = {
    "not_required": not_required,
    "education": education,
    "education_or_work": education_or_work,
    "work": work,
    "training": training,
    "rsc": rsc,
    "references": references,
    "agreements": agreements,
    "membership": membership,
    "exam": exam,
    "credential_held": credential_held,
    "renewal_training": renewal_training,
    "renewal_rsc": renewal_rsc,
    "renewal_agreements": renewal_agreements,
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
