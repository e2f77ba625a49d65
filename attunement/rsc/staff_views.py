"""Staff pages of RS/C: the providers (vetting), sector programmes and their report."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from attunement.associations.access import coordinator_required, staff_required
from attunement.associations.models import Role
from attunement.lib.errors import ActionRefused
from attunement.lib.exports import csv_writer
from attunement.lib.forms import apply_error
from attunement.lib.http import StaffRequest
from attunement.rsc import actions, selectors
from attunement.rsc.access import get_profile_for_user, get_programme_for_user
from attunement.rsc.forms import ProgrammeForm
from attunement.rsc.models import ProviderProfile
from attunement.rsc.selectors.qualify import categories_on, held_credentials

REPORT_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.ANALYST)


@coordinator_required
@require_GET
def providers(request: StaffRequest) -> HttpResponse:
    from django.utils import timezone

    profiles = list(
        ProviderProfile.objects.filter(association=request.association).select_related("person").order_by("id")[:500]
    )
    held = held_credentials([p.person_id for p in profiles])
    today = timezone.localdate()
    rows = [(p, categories_on(held.get(p.person_id, []), today)) for p in profiles]
    return render(
        request,
        "rsc/staff_providers.html",
        {"association": request.association, "association_roles": request.association_roles, "rows": rows},
    )


@coordinator_required
@require_POST
def vet(request: StaffRequest, profile_id: uuid.UUID) -> HttpResponse:
    profile = get_profile_for_user(request.user, request.association, profile_id)
    try:
        actions.vet_provider(actor=request.user, profile=profile, vetted=request.POST.get("vetted") != "no")
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Saved."))
    return redirect("rsc_staff:providers", association_slug=request.association.slug)


@coordinator_required
def programmes(request: StaffRequest) -> HttpResponse:
    """The association's programmes, and a form that creates one with many groups at once."""
    choices = ProviderProfile.objects.filter(association=request.association).select_related("person").order_by("id")
    form = ProgrammeForm(request.POST or None, providers=choices)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            created = actions.create_programme(
                actor=request.user, association=request.association, name=data.pop("name"),
                sector=data.pop("sector"), count=data.pop("count"), providers=list(data.pop("providers")), **data,
            )  # fmt: skip
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The programme and its groups are created."))
            return redirect(
                "rsc_staff:programme", association_slug=request.association.slug, programme_id=created.public_id
            )
    return render(
        request,
        "rsc/staff_programmes.html",
        {
            "association": request.association,
            "association_roles": request.association_roles,
            "programmes": list(selectors.programmes(request.association)[:200]),
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@staff_required(*REPORT_ROLES)
@require_GET
def programme(request: StaffRequest, programme_id: uuid.UUID) -> HttpResponse:
    found = get_programme_for_user(request.user, request.association, programme_id)
    rows, total = selectors.programme_report(found)
    return render(
        request,
        "rsc/staff_programme.html",
        {
            "association": request.association,
            "association_roles": request.association_roles,
            "programme": found,
            "rows": rows,
            "total": total,
        },
    )


@staff_required(*REPORT_ROLES)
@require_GET
def programme_csv(request: StaffRequest, programme_id: uuid.UUID) -> HttpResponse:
    found = get_programme_for_user(request.user, request.association, programme_id)
    rows, total = selectors.programme_report(found)
    actions.record_report_export(actor=request.user, programme=found, rows=len(rows))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rsc-programme-{found.public_id}.csv"'
    response["Cache-Control"] = "private, no-store"
    writer = csv_writer(response)
    writer.writerow(["group", "provider", "schedule", "starts", "ends", "participants", "active", "meetings_held",
                     "hours_delivered", "retention_percent"])  # fmt: skip
    for r in rows:
        writer.writerow([r.group.name, r.group.provider.person.display_name, r.group.schedule, r.group.starts,
                         r.group.ends, r.joined, r.active, r.meetings, f"{r.hours:g}",
                         "" if r.retention is None else r.retention])  # fmt: skip
    writer.writerow(["total", "", "", "", "", total.joined, total.active, total.meetings, f"{total.hours:g}",
                     "" if total.retention is None else total.retention])  # fmt: skip
    return response
