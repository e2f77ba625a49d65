"""Staff pages of the training hub: a trainer's sessions, the roster with the attendance
checklist and file, finalising; the coordinators' course approvals."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attunement.associations.access import coordinator_required, staff_required
from attunement.associations.models import Role
from attunement.lib.errors import ActionRefused
from attunement.lib.forms import apply_error
from attunement.lib.http import StaffRequest
from attunement.training import actions, selectors
from attunement.training.access import MANAGERS, get_course_for_user, get_session_for_user
from attunement.training.attendance_file import AttendanceFileError
from attunement.training.forms import (
    AttendanceUploadForm,
    CourseForm,
    ProviderForm,
    RejectForm,
    SessionForm,
)
from attunement.training.models import Course, CourseStatus, Provider

RUNNERS = (Role.TRAINER, Role.COORDINATOR, Role.ADMIN)


@staff_required(*RUNNERS)
@require_GET
def sessions(request: StaffRequest) -> HttpResponse:
    managers = bool(request.association_roles & MANAGERS)
    rows = selectors.sessions_for_trainer(request.association, request.user, managers)
    return render(request, "training/staff_sessions.html", {"association": request.association, "rows": rows})


def _roster_page(request: StaffRequest, session_id: uuid.UUID, upload: AttendanceUploadForm | None = None,
                 problems: list[str] | None = None, status: int = 200) -> HttpResponse:  # fmt: skip
    session = get_session_for_user(request.user, request.association, session_id, write=True)
    return render(
        request,
        "training/roster.html",
        {
            "association": request.association,
            "session": session,
            "roster": selectors.roster(session),
            "upload": upload or AttendanceUploadForm(),
            "problems": problems or [],
        },
        status=status,
    )


@staff_required(*RUNNERS)
@require_GET
def roster(request: StaffRequest, session_id: uuid.UUID) -> HttpResponse:
    return _roster_page(request, session_id)


@staff_required(*RUNNERS)
@require_POST
def attendance(request: StaffRequest, session_id: uuid.UUID) -> HttpResponse:
    session = get_session_for_user(request.user, request.association, session_id, write=True)
    ticked = []
    for value in request.POST.getlist("present"):
        reg, _sep, part = value.rpartition(":")
        if reg and part.isdigit():
            ticked.append((reg, int(part)))
    try:
        count = actions.mark_attendance(actor=request.user, session=session, present=ticked)
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Attendance saved: %(n)s marks present.") % {"n": count})
    return redirect("training_staff:roster", association_slug=request.association.slug, session_id=session.public_id)


@staff_required(*RUNNERS)
@require_POST
def upload(request: StaffRequest, session_id: uuid.UUID) -> HttpResponse:
    session = get_session_for_user(request.user, request.association, session_id, write=True)
    form = AttendanceUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _roster_page(request, session_id, upload=form, status=400)
    try:
        count = actions.upload_attendance(
            actor=request.user,
            session=session,
            text=form.cleaned_data["file"],
            file_name=str(getattr(request.FILES.get("file"), "name", "") or ""),
        )
    except AttendanceFileError as exc:
        return _roster_page(request, session_id, upload=form, problems=[str(p) for p in exc.problems], status=400)
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Attendance read from the file for %(n)s people.") % {"n": count})
    return redirect("training_staff:roster", association_slug=request.association.slug, session_id=session.public_id)


@staff_required(*RUNNERS)
@require_POST
def finalise(request: StaffRequest, session_id: uuid.UUID) -> HttpResponse:
    session = get_session_for_user(request.user, request.association, session_id, write=True)
    try:
        done = actions.finalise_session(actor=request.user, session=session)
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _(
                "Finalised: %(n)s portfolios received their training record; %(w)s attendees will get it when they start one."
            )
            % {"n": done.credited, "w": done.waiting_for_portfolio},
        )
    return redirect("training_staff:roster", association_slug=request.association.slug, session_id=session.public_id)


@staff_required(*RUNNERS)
@require_POST
def cancel_session(request: StaffRequest, session_id: uuid.UUID) -> HttpResponse:
    session = get_session_for_user(request.user, request.association, session_id, write=True)
    try:
        count = actions.cancel_session(actor=request.user, session=session)
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The session is cancelled; %(n)s people are told by mail.") % {"n": count})
    return redirect("training_staff:roster", association_slug=request.association.slug, session_id=session.public_id)


@coordinator_required
@require_GET
def courses(request: StaffRequest) -> HttpResponse:
    # select_related: each row shows its provider.
    waiting = list(
        Course.objects.filter(association=request.association, status=CourseStatus.SUBMITTED)
        .select_related("provider")
        .order_by("created_at", "id")[:200]
    )
    decided = list(
        Course.objects.filter(association=request.association)
        .exclude(status=CourseStatus.SUBMITTED)
        .select_related("provider")
        .order_by("-created_at", "-id")[:50]
    )
    return render(
        request,
        "training/staff_courses.html",
        {"association": request.association, "waiting": waiting, "decided": decided, "form": RejectForm()},
    )


def _decided(request: StaffRequest, decide: Callable[[], object], done: str) -> HttpResponse:
    try:
        decide()
    except (ActionRefused, ValidationError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, done)
    return redirect("training_staff:courses", association_slug=request.association.slug)


@coordinator_required
@require_POST
def approve_course(request: StaffRequest, course_id: uuid.UUID) -> HttpResponse:
    course = get_course_for_user(request.user, request.association, course_id)
    return _decided(request, lambda: actions.approve_course(actor=request.user, course=course), _("Course approved."))


@coordinator_required
@require_POST
def reject_course(request: StaffRequest, course_id: uuid.UUID) -> HttpResponse:
    course = get_course_for_user(request.user, request.association, course_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("reason", [])))
        return redirect("training_staff:courses", association_slug=request.association.slug)
    reason = form.cleaned_data["reason"]
    return _decided(
        request,
        lambda: actions.reject_course(actor=request.user, course=course, reason=reason),
        _("Course not approved."),
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def providers(request: StaffRequest) -> HttpResponse:
    """The association's training organisations and their approved trainers."""
    form = ProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if Provider.objects.filter(association=request.association, name__iexact=form.cleaned_data["name"]).exists():
            form.add_error("name", _("There is already a provider with this name."))
        else:
            actions.create_provider(actor=request.user, association=request.association, **form.cleaned_data)
            messages.success(request, _("Provider added."))
            return redirect("training_staff:providers", association_slug=request.association.slug)
    # prefetch_related: each row lists its trainers.
    rows = Provider.objects.filter(association=request.association).prefetch_related("trainers").order_by("name")
    return render(request, "training/staff_providers.html", {"association": request.association, "form": form,
                  "providers": rows}, status=400 if form.errors else 200)  # fmt: skip


def _providers(request: StaffRequest) -> Any:
    qs = Provider.objects.filter(association=request.association)
    if not request.association_roles & MANAGERS:
        qs = qs.filter(trainers=request.user)
    return qs.order_by("name")


@staff_required(*RUNNERS)
@require_http_methods(["GET", "POST"])
def course_new(request: StaffRequest) -> HttpResponse:
    from attunement.training.views import domain_choices

    form = CourseForm(request.POST or None, providers=_providers(request), domains=domain_choices(request.association))
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_course(actor=request.user, provider=form.cleaned_data["provider"], submit=True,
                                  **form.course_fields())  # fmt: skip
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The course is sent to the association for approval."))
            return redirect("training_staff:sessions", association_slug=request.association.slug)
    return render(request, "training/course_new.html", {"association": request.association, "form": form},
                  status=400 if form.errors else 200)  # fmt: skip


@staff_required(*RUNNERS)
@require_http_methods(["GET", "POST"])
def session_new(request: StaffRequest) -> HttpResponse:
    courses = Course.objects.filter(provider__in=_providers(request)).exclude(status=CourseStatus.REJECTED)
    form = SessionForm(request.POST or None, courses=courses.order_by("title"), time_zone=request.association.time_zone)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = actions.create_session(actor=request.user, course=data["course"], parts=data["parts"],
                                             capacity=data["capacity"], delivery=data["delivery"],
                                             region=data["region"], place=data["place"], trainer=request.user)  # fmt: skip
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The session is created."))
            return redirect("training_staff:roster", association_slug=request.association.slug,
                            session_id=session.public_id)  # fmt: skip
    return render(request, "training/session_new.html", {"association": request.association, "form": form},
                  status=400 if form.errors else 200)  # fmt: skip
