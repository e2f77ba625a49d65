"""Pages of RS/C: the public roster and groups of an association, joining, managing a group and
recording attendance, and a person's own ledger, caseload, profile and sessions."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from attunement.associations.access import association_page, get_association, roles_of
from attunement.lib.categories import category_choices
from attunement.lib.errors import ActionRefused
from attunement.lib.forms import apply_error
from attunement.lib.http import AssociationPageRequest, SignedInRequest
from attunement.people.languages import WORK_LANGUAGES
from attunement.portfolios.access import get_own_portfolio
from attunement.rsc import actions, selectors
from attunement.rsc.access import (
    get_group_for_user,
    get_membership_for_user,
    get_own_individual_request,
    get_own_individual_session,
    get_own_membership,
    is_coordinator,
)
from attunement.rsc.forms import (
    AttendanceForm,
    GroupForm,
    LinkConfirmForm,
    ProfileForm,
    RequestForm,
    SessionForm,
)
from attunement.rsc.models import (
    Membership,
    MembershipStatus,
    ProviderProfile,
    SessionStatus,
)
from attunement.rsc.selectors.qualify import categories_on, held_credentials


def _site_url(request: HttpRequest) -> str:
    return settings.SITE_URL or request.build_absolute_uri("/").rstrip("/")


# --- Public pages of an association -----------------------------------------------------------


@association_page
@require_GET
def roster(request: AssociationPageRequest) -> HttpResponse:
    filters = selectors.RosterFilters.from_params(request.GET)
    rows, more = selectors.roster(request.association, filters)
    params = {k: v for k, v in request.GET.items() if k != "after"}
    return render(
        request,
        "rsc/roster.html",
        {
            "association": request.association,
            "association_roles": request.association_roles,
            "rows": rows,
            "filters": filters,
            "more": urlencode({**params, "after": more}) if more else "",
            "categories": category_choices(),
            "languages": WORK_LANGUAGES,
        },
    )


@association_page
@require_GET
def provider(request: AssociationPageRequest, profile_id: uuid.UUID) -> HttpResponse:
    profile = selectors.get_profile(request.association, profile_id)
    if profile is None:
        raise Http404
    today = timezone.localdate()
    held = held_credentials([profile.person_id]).get(profile.person_id, [])
    return render(
        request,
        "rsc/provider.html",
        {
            "association": request.association,
            "association_roles": request.association_roles,
            "profile": profile,
            "categories": categories_on(held, today),
            "groups": selectors.open_groups(profile),
        },
    )


@association_page
@require_GET
def group(request: AssociationPageRequest, group_id: uuid.UUID) -> HttpResponse:
    found = selectors.get_group(request.association, group_id)
    if found is None:
        raise Http404
    held = held_credentials([found.provider.person_id]).get(found.provider.person_id, [])
    user = request.user
    signed_in = user.is_authenticated
    membership = Membership.objects.filter(group=found, supervisee_id=user.pk).first() if signed_in else None
    manages = signed_in and (found.provider.person_id == user.pk or is_coordinator(user, request.association))
    return render(
        request,
        "rsc/group.html",
        {
            "association": request.association,
            "association_roles": request.association_roles,
            "group": found,
            "categories": categories_on(held, max(found.starts, min(timezone.localdate(), found.ends))),
            "check": selectors.join_check(user, found, held) if signed_in else None,  # type: ignore[arg-type]
            "membership": membership,
            "manages": manages,
        },
    )


def request_individual(request: SignedInRequest, association_slug: str, profile_id: uuid.UUID) -> HttpResponse:
    """Ask a provider for individual RS/C, after seeing whether it would count."""
    association = get_association(association_slug)
    profile = selectors.get_profile(association, profile_id)
    if profile is None:
        raise Http404
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.request_individual(actor=request.user, provider=profile, message=form.cleaned_data["message"])
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Your request is sent. The provider will answer it."))
        return redirect("rsc:provider", association_slug=association_slug, profile_id=profile.public_id)
    today = timezone.localdate()
    return render(
        request,
        "rsc/request.html",
        {
            "association": association,
            "association_roles": roles_of(request.user, association),
            "profile": profile,
            "form": form,
            "check": selectors.provider_check(request.user, profile, today, today),
        },
    )


def _group_or_404(slug: str, group_id: uuid.UUID) -> tuple[object, selectors.Group]:
    association = get_association(slug)
    found = selectors.get_group(association, group_id)
    if found is None:
        raise Http404
    return association, found


def join(request: SignedInRequest, association_slug: str, group_id: uuid.UUID) -> HttpResponse:
    """Before asking to join: whether this RS/C will count, and the continuity advice."""
    association, found = _group_or_404(association_slug, group_id)
    if request.method == "POST":
        try:
            actions.request_to_join(actor=request.user, group=found)
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("You asked to join. The provider will answer your request."))
        return redirect("rsc:group", association_slug=association_slug, group_id=found.public_id)
    return render(
        request,
        "rsc/join.html",
        {
            "association": association,
            "association_roles": roles_of(request.user, association),  # type: ignore[arg-type]
            "group": found,
            "check": selectors.join_check(request.user, found),
        },
    )


@require_POST
def leave(request: SignedInRequest, association_slug: str, group_id: uuid.UUID) -> HttpResponse:
    _association, found = _group_or_404(association_slug, group_id)
    membership = get_own_membership(request.user, found)
    try:
        actions.leave_group(actor=request.user, membership=membership)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("You left the group."))
    return redirect("rsc:group", association_slug=association_slug, group_id=found.public_id)


def group_new(request: SignedInRequest, association_slug: str) -> HttpResponse:
    """A provider starts a group of their own; a coordinator may start one for any provider."""
    association = get_association(association_slug)
    own = ProviderProfile.objects.filter(association=association, person=request.user).first()
    coordinator = is_coordinator(request.user, association)
    if own is None and not coordinator:
        raise PermissionDenied
    providers = (
        ProviderProfile.objects.filter(association=association).select_related("person").order_by("id")
        if coordinator
        else None
    )
    form = GroupForm(request.POST or None, providers=providers)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "provider"}
        chosen = form.cleaned_data.get("provider") or own
        assert chosen is not None
        try:
            created = actions.create_group(actor=request.user, association=association, provider=chosen, **fields)
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The group is created."))
            return redirect("rsc:manage", association_slug=association_slug, group_id=created.public_id)
    return render(
        request,
        "rsc/group_new.html",
        {"association": association, "association_roles": roles_of(request.user, association), "form": form},
    )


@require_GET
def manage(request: SignedInRequest, association_slug: str, group_id: uuid.UUID) -> HttpResponse:
    association = get_association(association_slug)
    found = get_group_for_user(request.user, association, group_id)
    members = selectors.group_members(found)
    active = [m for m in members if m.status == MembershipStatus.ACTIVE]
    form = AttendanceForm(
        initial={"date": min(timezone.localdate(), found.ends), "hours": found.meeting_hours,
                 "present": [str(m.public_id) for m in active]},
        members=[(str(m.public_id), m.supervisee.display_name) for m in active],
    )  # fmt: skip
    return render(
        request,
        "rsc/manage.html",
        {
            "association": association,
            "association_roles": roles_of(request.user, association),
            "group": found,
            "members": members,
            "meetings": selectors.group_meetings(found),
            "form": form,
            "is_provider": found.provider.person_id == request.user.pk,
        },
    )


def _decide_on_member(
    request: SignedInRequest,
    association_slug: str,
    group_id: uuid.UUID,
    membership_id: uuid.UUID,
    decide: Callable[[Membership], object],
) -> HttpResponse:
    membership = get_membership_for_user(request.user, get_association(association_slug), group_id, membership_id)
    try:
        decide(membership)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Done."))
    return redirect("rsc:manage", association_slug=association_slug, group_id=group_id)


@require_POST
def approve_member(
    request: SignedInRequest, association_slug: str, group_id: uuid.UUID, membership_id: uuid.UUID
) -> HttpResponse:
    """The provider (or staff) accepts a request to join the group."""
    return _decide_on_member(
        request, association_slug, group_id, membership_id,
        lambda membership: actions.decide_membership(actor=request.user, membership=membership, approve=True),
    )  # fmt: skip


@require_POST
def decline_member(
    request: SignedInRequest, association_slug: str, group_id: uuid.UUID, membership_id: uuid.UUID
) -> HttpResponse:
    """The provider (or staff) declines a request to join the group."""
    return _decide_on_member(
        request, association_slug, group_id, membership_id,
        lambda membership: actions.decide_membership(actor=request.user, membership=membership, approve=False),
    )  # fmt: skip


@require_POST
def remove_member(
    request: SignedInRequest, association_slug: str, group_id: uuid.UUID, membership_id: uuid.UUID
) -> HttpResponse:
    """The provider (or staff) ends a member's membership."""
    return _decide_on_member(
        request, association_slug, group_id, membership_id,
        lambda membership: actions.leave_group(actor=request.user, membership=membership),
    )  # fmt: skip


@require_POST
def attendance(request: SignedInRequest, association_slug: str, group_id: uuid.UUID) -> HttpResponse:
    """The provider records a meeting: who attended becomes their confirmed RS/C hours."""
    association = get_association(association_slug)
    found = get_group_for_user(request.user, association, group_id, provider_only=True)
    members = [
        m for m in selectors.group_members(found) if m.status in {MembershipStatus.ACTIVE, MembershipStatus.LEFT}
    ]
    form = AttendanceForm(request.POST, members=[(str(m.public_id), m.supervisee.display_name) for m in members])
    if form.is_valid():
        try:
            actions.record_attendance(
                actor=request.user, group=found, day=form.cleaned_data["date"], hours=form.cleaned_data["hours"],
                present=form.cleaned_data["present"],
            )  # fmt: skip
        except ValidationError as exc:
            apply_error(form, exc)
        except ActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Attendance recorded. The members' RS/C hours are updated."))
            return redirect("rsc:manage", association_slug=association_slug, group_id=found.public_id)
    return render(
        request,
        "rsc/manage.html",
        {
            "association": association,
            "association_roles": roles_of(request.user, association),
            "group": found,
            "members": selectors.group_members(found),
            "meetings": selectors.group_meetings(found),
            "form": form,
            "is_provider": True,
        },
        status=400,
    )


# --- A person's own pages -----------------------------------------------------------------------


@require_GET
def ledger(request: SignedInRequest) -> HttpResponse:
    return render(request, "rsc/ledger.html", {"ledger": selectors.ledger(request.user)})


@require_GET
def caseload(request: SignedInRequest) -> HttpResponse:
    return render(request, "rsc/caseload.html", {"caseload": selectors.caseload(request.user)})


def profile(request: SignedInRequest) -> HttpResponse:
    """Create or change the person's provider profile at an association."""
    slug = request.POST.get("association") or request.GET.get("association", "")
    existing = ProviderProfile.objects.filter(person=request.user, association__slug=slug).first() if slug else None
    initial = {"association": slug} if slug else {}
    form = ProfileForm(request.POST or None, instance=existing, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "association"}
        try:
            actions.save_provider_profile(
                actor=request.user, person=request.user, association=form.cleaned_data["association"], **fields
            )
        except ValidationError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Your provider profile is saved."))
            return redirect("rsc_me:caseload")
    return render(request, "rsc/profile.html", {"form": form})


def log_session(request: SignedInRequest) -> HttpResponse:
    portfolio = get_own_portfolio(request.user)
    if portfolio is None:
        return redirect("portfolio:home")
    providers = (
        ProviderProfile.objects.filter(association=portfolio.association, offers_individual=True)
        .exclude(person=request.user)
        .select_related("person")
        .order_by("id")
    )
    form = SessionForm(request.POST or None, providers=providers)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.log_session(
                actor=request.user, portfolio=portfolio, day=data["date"], hours=data["hours"],
                provider=data["provider"], provider_name=data["provider_name"], provider_email=data["provider_email"],
                site_url=_site_url(request),
            )  # fmt: skip
        except ValidationError as exc:
            apply_error(form, exc)
        except ActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                _("The session is logged. It counts now and is marked confirmed once your provider confirms it."),
            )
            return redirect("rsc_me:ledger")
    return render(request, "rsc/log_session.html", {"form": form})


def _answered(request: SignedInRequest, answer: Callable[[], object]) -> HttpResponse:
    try:
        answer()
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Thank you: your answer is recorded."))
    return redirect("rsc_me:caseload")


@require_POST
def confirm_session(request: SignedInRequest, session_id: uuid.UUID) -> HttpResponse:
    """The provider, signed in, confirms a session a supervisee logged with them."""
    session = get_own_individual_session(request.user, session_id)
    return _answered(request, lambda: actions.confirm_session(actor=request.user, session=session, confirm=True))


@require_POST
def decline_session(request: SignedInRequest, session_id: uuid.UUID) -> HttpResponse:
    """The provider, signed in, says a session logged with them did not happen."""
    session = get_own_individual_session(request.user, session_id)
    return _answered(request, lambda: actions.confirm_session(actor=request.user, session=session, confirm=False))


@require_POST
def accept_request(request: SignedInRequest, request_id: uuid.UUID) -> HttpResponse:
    """The provider accepts a request for individual RS/C."""
    found = get_own_individual_request(request.user, request_id)
    return _answered(request, lambda: actions.answer_individual_request(actor=request.user, request=found, accept=True))


@require_POST
def decline_request(request: SignedInRequest, request_id: uuid.UUID) -> HttpResponse:
    """The provider declines a request for individual RS/C."""
    found = get_own_individual_request(request.user, request_id)
    return _answered(
        request, lambda: actions.answer_individual_request(actor=request.user, request=found, accept=False)
    )


@login_not_required
def confirm_link(request: HttpRequest, token: str) -> HttpResponse:
    """The provider without an account answers through the signed link (once)."""
    try:
        session = actions.session_from_token(token)
    except ActionRefused as refusal:
        return render(request, "rsc/link_closed.html", {"message": str(refusal)}, status=410)
    form = LinkConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.confirm_session(actor=None, session=session, confirm=data["answer"] == "confirm",
                                    category=data["category"], since=data["since"])  # fmt: skip
        except ValidationError as exc:
            apply_error(form, exc)
        except ActionRefused as refusal:
            return render(request, "rsc/link_closed.html", {"message": str(refusal)}, status=410)
        else:
            return render(request, "rsc/link_closed.html", {"message": _("Thank you: your answer is recorded.")})
    return render(request, "rsc/confirm_link.html", {"session": session, "form": form, "logged": SessionStatus.LOGGED})
