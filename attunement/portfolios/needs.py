"""'What do I still need': the engine's report in words a person can act on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from attunement.endorsement.rules.context import UNVERIFIED_PROVIDER, UNVERIFIED_RATER

LABELS = {
    "education": gettext_lazy("Education"),
    "education_or_work": gettext_lazy("Education or work"),
    "work": gettext_lazy("Work experience"),
    "training": gettext_lazy("Training"),
    "rsc": gettext_lazy("Reflective supervision/consultation"),
    "references": gettext_lazy("Reference ratings"),
    "agreements": gettext_lazy("Agreements"),
    "membership": gettext_lazy("Membership"),
    "exam": gettext_lazy("Exam"),
    "credential": gettext_lazy("Endorsement held"),
}


@dataclass
class Need:
    id: str
    label: str
    status: str
    have: float | None
    need: float | None
    unit: str
    percent: int
    summary: str
    next_step: str


def rsc_window_end(req: dict[str, Any], document: dict[str, Any], window_months: int) -> date | None:
    """The last month of the RS/C window the counted entries opened (its first day)."""
    starts = [date.fromisoformat(document["rsc"][c["index"]]["start"]) for c in req.get("counted", [])]
    if not starts:
        return None
    first = min(starts)
    month = first.year * 12 + first.month - 1 + window_months - 1
    return date(month // 12, month % 12 + 1, 1)


def next_step(req: dict[str, Any], as_of: date, window_end: date | None = None) -> str:
    """One plain sentence of what to do next for an unmet requirement."""
    progress = req.get("progress") or {}
    missing = max(0.0, float(progress.get("need") or 0) - float(progress.get("have") or 0))
    rid = req["id"]
    if rid == "training" and missing:
        return _("Complete %(hours)s more training hours.") % {"hours": f"{missing:g}"}
    if rid == "rsc" and missing:
        months = (window_end.year - as_of.year) * 12 + window_end.month - as_of.month + 1 if window_end else 0
        if months >= 1:
            return _("Add %(hours)s more RS/C hours with a qualified provider within the next %(months)s months.") % {
                "hours": f"{missing:g}",
                "months": months,
            }
        return _("Add %(hours)s more RS/C hours with a qualified provider.") % {"hours": f"{missing:g}"}
    if rid in {"work", "education_or_work"} and progress.get("unit") == "days" and missing:
        return _("About %(months)s more months of qualifying work (%(days)s days).") % {
            "months": max(1, round(missing / 30.4)),
            "days": int(missing),
        }
    if rid == "references" and missing:
        return _("Ask %(count)s more raters for a reference rating.") % {"count": int(missing)}
    if rid == "agreements":
        return _("Sign the Code of Ethics and the Endorsement Agreement.")
    if rid == "membership":
        return _("Join or renew your membership of the association.")
    if rid == "exam":
        return _("Take and pass the exam once you are approved to sit it.")
    if rid == "education":
        return _("Add the degree or licence this category asks for, with its transcript.")
    # The engine's own words (English) name what is still missing.
    return str(req.get("summary", ""))


def waiting_for_standing(req: dict[str, Any], document: dict[str, Any]) -> str:
    """Why some of the person's RS/C or ratings do not count yet: the provider or rater who
    answered the link has not had their standing verified by staff."""
    whys = {"rsc": UNVERIFIED_PROVIDER, "references": UNVERIFIED_RATER}
    if req["id"] not in whys:
        return ""
    waiting = [x["index"] for x in req.get("excluded", ()) if x.get("why") == whys[req["id"]]]
    if not waiting:
        return ""
    if req["id"] == "rsc":
        hours = sum(float(document["rsc"][i]["hours"]) for i in waiting)
        return _(
            "%(hours)s RS/C hours were confirmed by a provider whose standing staff have not verified yet; "
            "they count once staff verify it."
        ) % {"hours": f"{hours:g}"}
    return ngettext(
        "%(count)s rating was given by a rater whose standing staff have not verified yet; it counts once staff verify it.",
        "%(count)s ratings were given by raters whose standing staff have not verified yet; they count once staff verify it.",
        len(waiting),
    ) % {"count": len(waiting)}


def needs_from_report(report: dict[str, Any], document: dict[str, Any], window_months: int = 24) -> list[Need]:
    as_of = date.fromisoformat(report["as_of"])
    needs = []
    for req in report["requirements"]:
        progress = req.get("progress") or {}
        have, need = progress.get("have"), progress.get("need")
        percent = 100 if req["status"] != "unmet" else (int(min(100, 100 * (have or 0) / need)) if need else 0)
        window_end = rsc_window_end(req, document, window_months) if req["id"] == "rsc" else None
        needs.append(
            Need(
                id=req["id"],
                label=str(LABELS.get(req["id"], req["id"])),
                status=req["status"],
                have=have,
                need=need,
                unit=progress.get("unit", ""),
                percent=percent,
                summary=req["summary"],
                next_step=" ".join(
                    part for part in (waiting_for_standing(req, document), next_step(req, as_of, window_end)) if part
                )
                if req["status"] == "unmet"
                else "",
            )
        )
    return needs
