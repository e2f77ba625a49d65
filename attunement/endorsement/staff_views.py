"""Staff pages of the endorsement app: the queue of applications, Part 1 scores from a file, the
reviewer pool, renewals and credentials (one application's page: ``staff_application_views``;
the reviewers' own: ``review_views``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from attunement.associations.access import coordinator_required
from attunement.associations.models import Role
from attunement.audit.actions import record
from attunement.endorsement.actions.credential import (
    change_status,
    reactivate,
    restore_credential,
    revoke_credential,
    set_inactive,
    suspend_credential,
)
from attunement.endorsement.actions.part1_import import import_part1_scores
from attunement.endorsement.actions.renewal import approve_renewal, mark_reminder_bounced, return_renewal
from attunement.endorsement.actions.review import update_reviewer
from attunement.endorsement.forms import perform
from attunement.endorsement.models import (
    Application,
    Credential,
    CredentialStatus,
    Reminder,
    Renewal,
    RenewalState,
    ReviewerProfile,
    State,
)
from attunement.endorsement.rules.categories import CODES
from attunement.endorsement.staff_forms import (
    InactiveForm,
    NoInputsForm,
    Part1ImportForm,
    ReasonForm,
    ReturnRenewalForm,
    ReviewerForm,
)
from attunement.lib.categories import category_choices
from attunement.lib.exports import csv_writer
from attunement.lib.http import StaffRequest
from attunement.lib.tables import TableError
from attunement.people.models import User

PAGE_SIZE = 100


@coordinator_required
@require_GET
def queue(request: StaffRequest) -> HttpResponse:
    """Applications by state, oldest in their state first, with filters and a CSV export."""
    rows = (
        Application.objects.filter(association=request.association)
        # select_related: each row shows the person. annotate: reviews submitted / assigned.
        .select_related("portfolio__person")
        .annotate(
            reviews=Count("assignments", filter=Q(assignments__review_round=F("review_round")), distinct=True),
            reviews_done=Count(
                "assignments",
                filter=Q(assignments__review_round=F("review_round"), assignments__submitted_at__isnull=False),
                distinct=True,
            ),
        )
        .order_by("state_changed_at", "id")
    )
    state, category = request.GET.get("state", ""), request.GET.get("category", "")
    if state in State.values:
        rows = rows.filter(state=state)
    elif not state:
        rows = rows.exclude(state__in=[State.ENDORSED, State.WITHDRAWN])
    if category in CODES:
        rows = rows.filter(category=category)
    now = timezone.now()
    if request.GET.get("format") == "csv":
        record(actor=request.user, verb="endorsement.queue.exported", association=request.association)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="applications.csv"'
        writer = csv_writer(response)
        writer.writerow(
            [
                "application",
                "person",
                "email",
                "category",
                "state",
                "registered",
                "submitted",
                "days_in_state",
                "days_since_registered",
            ]
        )
        for a in rows[:10_000]:
            writer.writerow(
                [
                    a.public_id,
                    a.portfolio.person.display_name,
                    a.portfolio.person.email,
                    a.category,
                    a.state,
                    a.registered_at.date(),
                    a.submitted_at.date() if a.submitted_at else "",
                    (now - a.state_changed_at).days,
                    (now - a.registered_at).days,
                ]
            )
        return response
    page = list(rows[:PAGE_SIZE])
    for a in page:
        a.days_in_state = (now - a.state_changed_at).days  # type: ignore[attr-defined]
        a.age_days = (now - a.registered_at).days  # type: ignore[attr-defined]
    counts = dict(
        Application.objects.filter(association=request.association)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    return render(
        request,
        "endorsement/staff_queue.html",
        {
            "applications": page,
            "states": State.choices,
            "state": state,
            "category": category,
            "categories": category_choices(),
            "counts": counts,
        },
    )


@coordinator_required
@require_POST
def import_part1(request: StaffRequest) -> HttpResponse:
    """Part 1 scores from a CSV (email,part1_percent,taken_on): all rows or none."""
    form = Part1ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(
            request, str(form.errors["scores"][0]) if request.FILES.get("scores") else _("Choose a CSV file.")
        )
    else:
        try:
            done = import_part1_scores(
                actor=request.user, association=request.association, data=form.cleaned_data["scores"].read()
            )
        except TableError as refused:
            for problem in refused.problems:
                messages.error(request, str(problem))
            messages.error(request, _("Nothing was imported."))
        else:
            messages.success(
                request,
                _("%(n)s Part 1 scores imported; %(same)s were already recorded.")
                % {"n": done.recorded, "same": done.unchanged},
            )
    return redirect("endorsement_staff:queue", association_slug=request.association.slug)


@coordinator_required
def reviewer_pool(request: StaffRequest) -> HttpResponse:
    """The association's reviewers: training, availability, employer (for conflicts)."""
    people = list(
        User.objects.filter(staff_roles__association=request.association, staff_roles__role=Role.REVIEWER,
                            staff_roles__revoked_at__isnull=True).distinct().order_by("email")
    )  # fmt: skip
    if request.method == "POST":
        form = ReviewerForm(request.POST, people=people)
        if perform(request, form, lambda: update_reviewer(
            actor=request.user, association=request.association, reviewer=form.cleaned_data["reviewer"],
            trained=form.cleaned_data["trained"], active=form.cleaned_data["active"],
            employer=form.cleaned_data["employer"],
        )):  # fmt: skip
            messages.success(request, _("Saved."))
        return redirect("endorsement_staff:reviewers", association_slug=request.association.slug)
    profiles = {p.user_id: p for p in ReviewerProfile.objects.filter(association=request.association)}
    held: dict[int, list[str]] = {}
    for credential in Credential.objects.filter(person__in=people, status="active"):
        held.setdefault(credential.person_id, []).append(credential.category)
    rows = [(p, profiles.get(p.pk), held.get(p.pk, [])) for p in people]
    return render(request, "endorsement/reviewers.html", {"rows": rows})


@coordinator_required
@require_GET
def renewals(request: StaffRequest) -> HttpResponse:
    """Renewals waiting for staff (those not approved at once), and reminders with bounces."""
    waiting = Renewal.objects.filter(association=request.association, state=RenewalState.UNDER_REVIEW).select_related(
        "person"
    )[:PAGE_SIZE]
    reminders = (
        Reminder.objects.filter(association=request.association)
        .select_related("person")
        .order_by("-created_at")[:PAGE_SIZE]
    )
    return render(request, "endorsement/staff_renewals.html", {"waiting": waiting, "reminders": reminders})


def _renewal(request: StaffRequest, renewal_id: str) -> Renewal:
    try:
        key = uuid.UUID(renewal_id)
    except ValueError:
        raise Http404 from None
    return get_object_or_404(Renewal, association=request.association, public_id=key)


def _to_renewals(request: StaffRequest, done: bool) -> HttpResponse:
    if done:
        messages.success(request, _("Done."))
    return redirect("endorsement_staff:renewals", association_slug=request.association.slug)


@coordinator_required
@require_POST
def approve(request: StaffRequest, renewal_id: str) -> HttpResponse:
    renewal = _renewal(request, renewal_id)
    form = NoInputsForm(request.POST)
    return _to_renewals(request, perform(request, form, lambda: approve_renewal(actor=request.user, renewal=renewal)))


@coordinator_required
@require_POST
def return_to_member(request: StaffRequest, renewal_id: str) -> HttpResponse:
    renewal = _renewal(request, renewal_id)
    form = ReturnRenewalForm(request.POST)
    done = perform(
        request, form, lambda: return_renewal(actor=request.user, renewal=renewal, note=form.cleaned_data["note"])
    )
    return _to_renewals(request, done)


@coordinator_required
@require_POST
def reminder_bounced(request: StaffRequest, reminder_id: int) -> HttpResponse:
    reminder = get_object_or_404(Reminder, association=request.association, pk=reminder_id)
    perform(request, NoInputsForm(request.POST), lambda: mark_reminder_bounced(actor=request.user, reminder=reminder))
    return _to_renewals(request, False)


@coordinator_required
@require_GET
def credentials(request: StaffRequest) -> HttpResponse:
    """The association's credentials: inactive status, reactivation, archiving, emeritus;
    suspension, restoration and revocation (with a reason), each at its own address below."""
    status = request.GET.get("status", "")
    rows = (
        Credential.objects.filter(association=request.association)
        .select_related("person")
        .order_by("person__email", "category")
    )
    if status in CredentialStatus.values:
        rows = rows.filter(status=status)
    return render(
        request,
        "endorsement/staff_credentials.html",
        {"credentials": rows[:PAGE_SIZE], "statuses": CredentialStatus.choices, "status": status},
    )


def _change_credential(
    request: StaffRequest, code: str, form: forms.Form, change: Callable[[Credential], object]
) -> HttpResponse:
    """Run ``change`` on the association's credential ``code`` (another's is a 404), back to the page."""
    credential = get_object_or_404(Credential, association=request.association, public_code=code)
    if perform(request, form, lambda: change(credential)):
        messages.success(request, _("Done."))
    return redirect("endorsement_staff:credentials", association_slug=request.association.slug)


@coordinator_required
@require_POST
def make_inactive(request: StaffRequest, code: str) -> HttpResponse:
    form = InactiveForm(request.POST)
    return _change_credential(
        request, code, form, lambda c: set_inactive(actor=request.user, credential=c, until=form.cleaned_data["until"])
    )


@coordinator_required
@require_POST
def reactivate_credential(request: StaffRequest, code: str) -> HttpResponse:
    return _change_credential(
        request, code, NoInputsForm(request.POST), lambda c: reactivate(actor=request.user, credential=c)
    )


@coordinator_required
@require_POST
def archive(request: StaffRequest, code: str) -> HttpResponse:
    return _change_credential(
        request,
        code,
        NoInputsForm(request.POST),
        lambda c: change_status(actor=request.user, credential=c, status=CredentialStatus.ARCHIVED),
    )


@coordinator_required
@require_POST
def make_emeritus(request: StaffRequest, code: str) -> HttpResponse:
    return _change_credential(
        request,
        code,
        NoInputsForm(request.POST),
        lambda c: change_status(actor=request.user, credential=c, status=CredentialStatus.EMERITUS),
    )


@coordinator_required
@require_POST
def suspend(request: StaffRequest, code: str) -> HttpResponse:
    form = ReasonForm(request.POST)
    return _change_credential(
        request,
        code,
        form,
        lambda c: suspend_credential(actor=request.user, credential=c, reason=form.cleaned_data["reason"]),
    )


@coordinator_required
@require_POST
def restore(request: StaffRequest, code: str) -> HttpResponse:
    form = ReasonForm(request.POST)
    return _change_credential(
        request,
        code,
        form,
        lambda c: restore_credential(actor=request.user, credential=c, reason=form.cleaned_data["reason"]),
    )


@coordinator_required
@require_POST
def revoke(request: StaffRequest, code: str) -> HttpResponse:
    form = ReasonForm(request.POST)
    return _change_credential(
        request,
        code,
        form,
        lambda c: revoke_credential(actor=request.user, credential=c, reason=form.cleaned_data["reason"]),
    )
