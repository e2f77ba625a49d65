"""Workforce indicators for association staff and agency analysts: aggregates only, never names."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from attunement.associations.access import coordinator_required, staff_required
from attunement.associations.models import Role
from attunement.audit.actions import record
from attunement.lib.errors import ActionRefused
from attunement.lib.exports import csv_writer
from attunement.lib.http import SignedInRequest, StaffRequest
from attunement.workforce import actions
from attunement.workforce.actions import queue_checkin_import
from attunement.workforce.dashboards import (
    EndorsedFilters,
    Table,
    coverage_tables,
    endorsed_choices,
    endorsed_tables,
    extra_tables,
    pipeline_choices,
    pipeline_tables,
    to_csv,
    to_xlsx,
)
from attunement.workforce.forms import CheckinForm, ProfileForm
from attunement.workforce.indicators import MIN_CELL
from attunement.workforce.labels import (
    BARRIER_LABELS,
    BARRIERS_CAPTION,
    HEADLINE_LABELS,
    ROLE_LABELS,
    TOPIC_LABELS,
    WORKED_BEYOND_PAID,
)
from attunement.workforce.models import CheckinImport, IndicatorSnapshot, Programme, Rollup, WorkforceProfile
from attunement.workforce.selectors import associations_of, checked_in, checkin_initial

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
    snapshot = (
        IndicatorSnapshot.objects.filter(association=association, year=year)
        .values("figures", "extra", "stale", "computed_at")
        .first()
        if years
        else None
    )
    figures = snapshot["figures"] if snapshot else None
    tables = extra_tables(snapshot["extra"]) if snapshot else []
    if figures is not None and request.GET.get("format") == "xlsx":
        return _xlsx(request, "indicators", [_indicator_table(figures), *tables], year=year)
    if figures is not None and request.GET.get("format") == "csv":
        record(actor=request.user, verb="workforce.indicators_exported", association=association, data={"year": year})
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="workforce-indicators-{association.slug}-{year}.csv"'
        writer = csv_writer(response)
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
        "snapshot": snapshot,
        "tables": tables,
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


def _indicator_table(figures: dict[str, Any]) -> Table:
    return Table(
        "indicators",
        _("Indicators"),
        [_("Indicator"), _("Key"), _("Value")],
        [list(row) for row in _rows(figures)],
        chart_column=None,
    )


def _xlsx(request: StaffRequest, name: str, tables: list[Table], **data: Any) -> HttpResponse:
    association = request.association
    record(actor=request.user, verb="workforce.dashboard_exported", association=association,
           data={"dashboard": name, "format": "xlsx", **data})  # fmt: skip
    response = HttpResponse(
        to_xlsx(tables, association.name),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="workforce-{name}-{association.slug}.xlsx"'
    return response


def _dashboard(request: StaffRequest, name: str, title: str, tables: list[Table], context: dict[str, Any],
               computed_at: Any) -> HttpResponse:  # fmt: skip
    export = request.GET.get("format")
    if export == "xlsx":
        return _xlsx(request, name, tables, filters={k: v for k, v in request.GET.items() if k != "format"})
    if export == "csv":
        record(actor=request.user, verb="workforce.dashboard_exported", association=request.association,
               data={"dashboard": name, "format": "csv"})  # fmt: skip
        response = HttpResponse(to_csv(tables), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="workforce-{name}-{request.association.slug}.csv"'
        return response
    query = request.GET.copy()
    query.pop("format", None)
    return render(
        request,
        "workforce/dashboard.html",
        {"name": name, "title": title, "tables": tables, "computed_at": computed_at, "min_cell": MIN_CELL,
         "query": query.urlencode(), **context},
    )  # fmt: skip


def _rollup(request: StaffRequest, name: str) -> tuple[dict[str, Any], Any]:
    row = Rollup.objects.filter(association=request.association, name=name).values("figures", "computed_at").first()
    return (row["figures"], row["computed_at"]) if row else ({}, None)


@require_GET
@staff_required(Role.ANALYST, Role.COORDINATOR, Role.ADMIN)
def endorsed(request: StaffRequest) -> HttpResponse:
    figures, computed_at = _rollup(request, "endorsed")
    choices = endorsed_choices(figures)
    chosen = {key: request.GET.get(key, "") for key in ("category", "region", "sector")}
    filters = EndorsedFilters(**{key: value if value in dict(choices[key]) else "" for key, value in chosen.items()})
    return _dashboard(request, "endorsed", _("Endorsed workforce"), endorsed_tables(figures, filters),
                      {"choices": choices, "filters": filters}, computed_at)  # fmt: skip


@require_GET
@staff_required(Role.ANALYST, Role.COORDINATOR, Role.ADMIN)
def pipeline(request: StaffRequest) -> HttpResponse:
    figures, computed_at = _rollup(request, "pipeline")
    choices = pipeline_choices(figures)
    category = request.GET.get("category", "")
    category = category if category in dict(choices) else ""
    return _dashboard(request, "pipeline", _("From registration to Endorsement"), pipeline_tables(figures, category),
                      {"choices": {"category": choices}, "filters": {"category": category}}, computed_at)  # fmt: skip


@require_GET
@staff_required(Role.ANALYST, Role.COORDINATOR, Role.ADMIN)
def coverage(request: StaffRequest) -> HttpResponse:
    figures, computed_at = _rollup(request, "coverage")
    context: dict[str, Any] = {}
    if {"admin", "coordinator"} & set(request.association_roles):
        context["programmes"] = list(Programme.objects.filter(association=request.association))
    return _dashboard(request, "coverage", _("Coverage against targets"), coverage_tables(figures), context,
                      computed_at)  # fmt: skip


def _int(value: str, field: str, low: int, high: int) -> int:
    if not value.strip().isdigit() or not low <= int(value) <= high:
        raise ValidationError({field: _("Give a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}})
    return int(value)


def _refused(request: StaffRequest, exc: Exception) -> None:
    if isinstance(exc, ValidationError):
        for field, errors in exc.message_dict.items():
            for error in errors:
                messages.error(request, f"{field}: {error}")
    else:
        messages.error(request, str(exc))


@coordinator_required
@require_POST
def save_programme(request: StaffRequest) -> HttpResponse:
    back = redirect("workforce:coverage", association_slug=request.association.slug)
    programme = None
    if public_id := request.POST.get("programme", ""):
        try:
            wanted = uuid.UUID(public_id[:36])
        except ValueError:
            wanted = None
        programme = (
            Programme.objects.filter(association=request.association, public_id=wanted).first() if wanted else None
        )
        if programme is None:
            messages.error(request, _("This programme was already removed."))
            return back
    try:
        if request.POST.get("remove") and programme is not None:
            actions.delete_programme(actor=request.user, programme=programme)
            messages.success(request, _("Programme removed."))
            return back
        actions.save_programme(
            actor=request.user,
            association=request.association,
            programme=programme,
            name=request.POST.get("name", "")[:200],
            region=request.POST.get("region", "")[:120],
            endorsed_target=_int(request.POST.get("endorsed_target", ""), "endorsed_target", 1, 10_000),
        )
    except (ValidationError, ActionRefused) as exc:
        _refused(request, exc)
        return back
    messages.success(request, _("Programme saved. Coverage counts it at the next refresh."))
    return back


@coordinator_required
@require_POST
def region_target(request: StaffRequest) -> HttpResponse:
    back = redirect("workforce:coverage", association_slug=request.association.slug)
    raw = request.POST.get("endorsed_target", "").strip()
    try:
        target = None if raw == "" else _int(raw, "endorsed_target", 1, 1_000_000)
        actions.set_region_target(
            actor=request.user, association=request.association, region=request.POST.get("region", "")[:120],
            endorsed_target=target,
        )  # fmt: skip
    except ValidationError as exc:
        _refused(request, exc)
        return back
    messages.success(request, _("Target saved. Coverage shows it at the next refresh."))
    return back


# --- The person's own pages ---------------------------------------------------------------------


def my_profile(request: SignedInRequest) -> HttpResponse:
    person = request.user
    profile = WorkforceProfile.objects.filter(person=person).first()
    mine = associations_of(person)
    programmes = Programme.objects.filter(association__in=mine).select_related("association")
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=profile or WorkforceProfile(person=person), programmes=programmes)
        if form.is_valid():
            actions.save_workforce_profile(actor=person, person=person, values=form.cleaned_data)
            messages.success(request, _("Your workforce profile is saved."))
            return redirect("workforce_me:profile")
        return render(request, "workforce/profile.html", {"form": form, "associations": mine}, status=400)
    form = ProfileForm(
        instance=profile, programmes=programmes, initial={"region": person.region} if not profile else None
    )
    return render(request, "workforce/profile.html", {"form": form, "associations": mine, "profile": profile})


def checkin(request: SignedInRequest) -> HttpResponse:
    person = request.user
    mine = associations_of(person)
    year = timezone.localdate().year
    if not mine:
        return render(request, "workforce/checkin.html", {"associations": [], "year": year})
    wanted = request.POST.get("association") or request.GET.get("association") or mine[0].slug
    association = next((each for each in mine if each.slug == wanted), mine[0])
    if request.method == "POST":
        form = CheckinForm(request.POST)
        if form.is_valid():
            try:
                actions.submit_checkin(actor=person, person=person, association=association, answers=form.cleaned_data)
            except ActionRefused as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Thank you: your check-in for %(year)s is saved.") % {"year": year})
                return redirect("workforce_me:checkin")
        status = 400
    else:
        form = CheckinForm(initial=checkin_initial(person, association, year))
        status = 200
    context = {"form": form, "associations": mine, "association": association, "year": year,
               "done": association.pk in checked_in(person, year)}  # fmt: skip
    return render(request, "workforce/checkin.html", context, status=status)


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
    content = upload.read()
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        messages.error(request, _("The file is not UTF-8 text. Save it as CSV UTF-8 and try again."))
        return back
    job = queue_checkin_import(actor=request.user, association=request.association, content=content,
                               file_name=upload.name or "")  # fmt: skip
    return redirect("workforce:import_job", association_slug=request.association.slug, import_id=job.public_id)


@coordinator_required
@require_GET
def import_job(request: StaffRequest, import_id: uuid.UUID) -> HttpResponse:
    """How an uploaded file's import went (it runs as a task: this page says while it waits)."""
    job = get_object_or_404(CheckinImport, association=request.association, public_id=import_id)
    response = render(
        request, "workforce/import.html", {"job": job, "more": max(job.problem_count - len(job.problems), 0)}
    )
    response["Cache-Control"] = "private, no-store"
    return response
