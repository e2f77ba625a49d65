"""Workforce indicators for association staff and agency analysts: aggregates only, never names."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from attunement.associations.access import coordinator_required, staff_required
from attunement.associations.models import Role
from attunement.audit.actions import record
from attunement.lib.http import StaffRequest
from attunement.workforce.actions import import_checkins
from attunement.workforce.checkin import CheckinError
from attunement.workforce.indicators import MIN_CELL
from attunement.workforce.labels import (
    BARRIER_LABELS,
    BARRIERS_CAPTION,
    HEADLINE_LABELS,
    ROLE_LABELS,
    TOPIC_LABELS,
    WORKED_BEYOND_PAID,
)
from attunement.workforce.models import IndicatorSnapshot

MAX_UPLOAD = 10 * 1024 * 1024  # about 40,000 rows
SHOWN_ERRORS = 50


def _rows(figures: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """The figures flattened to (indicator, key, value) for the CSV export."""
    rows: list[tuple[str, str, Any]] = [(key, "", figures[key]) for key in HEADLINE_LABELS]
    rows += [("barriers", key, value) for key, value in figures["barriers"].items()]
    rows += [
        ("desired_topics_ranked", str(rank), topic)
        for rank, topic in enumerate(figures["desired_topics_ranked"] or [], 1)
    ]
    rows += [
        ("pct_worked_beyond_paid_by_role", role, value)
        for role, value in figures["pct_worked_beyond_paid_by_role"].items()
    ]
    for role, medians in figures["median_salary_by_role_and_poc"].items():
        rows += [(f"median_salary_{part}", role, medians[part]) for part in ("poc", "white", "gap")]
    for region, cell in figures["by_region"].items():
        rows += [(f"region_{part}", region, cell[part]) for part in ("respondents", "pct_endorsed", "pct_received_rs")]
    return rows


@require_GET
@staff_required(Role.ANALYST, Role.COORDINATOR, Role.ADMIN)
def indicators(request: StaffRequest) -> HttpResponse:
    association = request.association
    # Stored figures, recomputed with every import (actions.refresh_indicators): two queries.
    years = list(
        IndicatorSnapshot.objects.filter(association=association).order_by("-year").values_list("year", flat=True)
    )
    requested = request.GET.get("year", "")
    year = int(requested) if requested.isdigit() and int(requested) in years else (years[0] if years else 0)
    figures = (
        IndicatorSnapshot.objects.filter(association=association, year=year).values_list("figures", flat=True).first()
        if years
        else None
    )
    if figures is not None and request.GET.get("format") == "csv":
        record(actor=request.user, verb="workforce.indicators_exported", association=association, data={"year": year})
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="workforce-indicators-{association.slug}-{year}.csv"'
        writer = csv.writer(response)
        writer.writerow(["indicator", "key", "value"])
        for indicator, key, value in _rows(figures):
            writer.writerow([indicator, key, "suppressed" if value is None else value])
        return response
    context: dict[str, Any] = {
        "years": years,
        "year": year,
        "figures": figures,
        "min_cell": MIN_CELL,
        "labels": HEADLINE_LABELS,
        "worked_beyond_paid": WORKED_BEYOND_PAID,
        "barriers_caption": BARRIERS_CAPTION,
    }
    if figures is not None:
        context |= {
            "headline": [(HEADLINE_LABELS[key], figures[key]) for key in HEADLINE_LABELS],
            "barriers": sorted(
                ((BARRIER_LABELS[key], value) for key, value in figures["barriers"].items()),
                key=lambda item: -(item[1] or 0),
            ),
            "topics": [TOPIC_LABELS[topic] for topic in figures["desired_topics_ranked"] or []],
            "roles": [
                (
                    ROLE_LABELS.get(role, role),
                    figures["pct_worked_beyond_paid_by_role"][role],
                    figures["median_salary_by_role_and_poc"][role],
                )
                for role in figures["pct_worked_beyond_paid_by_role"]
            ],
            "regions": list(figures["by_region"].items()),
        }
    return render(request, "workforce/indicators.html", context)


@coordinator_required
@require_POST
def import_file(request: StaffRequest) -> HttpResponse:
    """An ``attunement.checkin/1`` file uploaded by staff: every row or none."""
    back = redirect("workforce:indicators", association_slug=request.association.slug)
    upload = request.FILES.get("checkins")
    if upload is None:
        messages.error(request, _("Choose a CSV file."))
        return back
    if upload.size is not None and upload.size > MAX_UPLOAD:
        messages.error(request, _("The file is larger than 10 MB; import it with the command line instead."))
        return back
    try:
        text = upload.read().decode("utf-8")
    except UnicodeDecodeError:
        messages.error(request, _("The file is not UTF-8 text. Save it as CSV UTF-8 and try again."))
        return back
    try:
        result = import_checkins(request.association, text, actor=request.user, file_name=upload.name or "")
    except CheckinError as exc:
        messages.error(
            request,
            ngettext(
                "Nothing was imported: the file has %(count)s problem.",
                "Nothing was imported: the file has %(count)s problems.",
                len(exc.errors),
            )
            % {"count": len(exc.errors)},
        )
        for error in exc.errors[:SHOWN_ERRORS]:
            messages.error(request, error)
        if len(exc.errors) > SHOWN_ERRORS:
            messages.error(request, _("… and %(count)s more.") % {"count": len(exc.errors) - SHOWN_ERRORS})
        return back
    messages.success(
        request,
        _("Imported %(rows)s answers (%(created)s new, %(replaced)s replaced).")
        % {"rows": result.rows, "created": result.created, "replaced": result.replaced},
    )
    return back
