"""Requirement types about what a person has done: education, work, training and RS/C
(definitions in ../shared/spec/rules-alliance-2025.md). Each takes the requirement (data from
the rule set) and the context, and returns one requirement of the report. Pure Python: no Django.
"""

from __future__ import annotations

from datetime import date
from math import fsum
from typing import Any

from attunement.endorsement.rules.context import (
    AGES_FOR_TRACK,
    DEGREE_WORDS,
    MET,
    NOT_REQUIRED,
    TRACK_WORDS,
    UNMET,
    UNVERIFIED_PROVIDER,
    Context,
    days_between,
    fmt,
    month_name,
    post_start,
    post_words,
    providers_of,
    requirement,
    rounded,
    union_days,
)
from attunement.endorsement.rules.portfolio import LEVEL_RANK, Work


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
        return requirement(req["id"], MET, f"Has {what}", 1, 1, "qualification", counted, excluded)
    return requirement(req["id"], UNMET, f"Needs {what}", 0, 1, "qualification", counted, excluded)


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
        return f"no {post_words(spec.get('post'))[4:]} yet"
    if (w.end or ctx.as_of) < post:
        return f"all of it before {post_words(spec.get('post'))}"
    return None


def _work_intervals(
    spec: dict[str, Any], ctx: Context, indexes: range | list[int]
) -> tuple[list[tuple[int, date, date]], list[dict[str, Any]]]:
    post = post_start(ctx, spec.get("post"))
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
    total = union_days([(s, e) for _i, s, e in kept])
    counted = [{"section": "work", "index": i, "days": days_between(s, e)} for i, s, e in kept]
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
            part_days = union_days([clipped[i] for i, _s, _e in sub])
        else:
            sub, _ = _work_intervals(part, ctx, range(len(ctx.portfolio.work)))
            part_days = union_days([(s, e) for _i, s, e in sub])
        if part_days < part["min_days"]:
            flags = " and ".join(f.replace("_", " ") for f in part.get("flags", ()))
            missing.append(f"{part['min_days'] - part_days} more days {flags}".rstrip())
    after_words = post_words(req.get("post"))
    what = f"{fmt(total)} of {need} days of qualifying work" + (f" after {after_words}" if after_words else "")
    if missing:
        return requirement(
            req["id"], UNMET, f"{what}; still needed: {'; '.join(missing)}", total, need, "days", counted, excluded
        )
    return requirement(req["id"], MET, what, total, need, "days", counted, excluded)


def education_or_work(req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    counted, excluded = _education_ok(ctx, req["min_level"], False)
    if counted:
        return requirement(
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
        missing.append(f"{fmt(need - total)} more hours")
    if about < req.get("min_about_rsc", 0):
        missing.append(f"{fmt(req['min_about_rsc'] - about)} more hours about providing RS/C")
    if dei < req.get("min_dei", 0):
        missing.append(f"{fmt(req['min_dei'] - dei)} more hours on diversity, equity and inclusion")
    what = f"{fmt(total)} of {fmt(need)} training hours"
    status = UNMET if missing else MET
    summary = f"{what}; still needed: {'; '.join(missing)}" if missing else what
    return requirement(req["id"], status, summary, rounded(total), need, "hours", counted)


def rsc(req: dict[str, Any], ctx: Context) -> dict[str, Any]:
    providers, provider_words = providers_of(ctx, req)
    post = post_start(ctx, req.get("post"))
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
            why = f"no {post_words(req.get('post'))[4:]} yet"
        elif e.start < post:
            why = f"starts before {post_words(req.get('post'))}"
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
        window_words = f"{month_name(start_month)} to {month_name(end_month)}"
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
    counted = [{"section": "rsc", "index": c[0], "hours": rounded(c[3])} for c in sorted(chosen)]
    for c in sorted(chosen):
        if not ctx.portfolio.rsc[c[0]].confirmed:
            ctx.warnings.append(f"RS/C entry {c[0] + 1} counts but is not confirmed by its provider yet")
    hours = fsum(c[3] for c in chosen)
    about = fsum(c[4] for c in chosen)
    span_words = f"a {min_span}-{window} month span" if min_span else f"{window} months"
    what = f"{fmt(hours)} of {fmt(need)} RS/C hours within {span_words}"
    missing = []
    if hours < need:
        missing.append(f"{fmt(need - hours)} more hours with a provider who holds {provider_words}")
    if about < need_about:
        missing.append(f"{fmt(need_about - about)} more hours about the RS/C you provide")
    if min_span and span < min_span:
        missing.append(f"RS/C that reaches across at least {min_span} months (now {span})")
    if missing:
        return requirement(
            req["id"],
            UNMET,
            f"{what}; still needed: {'; '.join(missing)}",
            rounded(hours),
            need,
            "hours",
            counted,
            excluded,
        )
    return requirement(req["id"], MET, what, rounded(hours), need, "hours", counted, excluded)
