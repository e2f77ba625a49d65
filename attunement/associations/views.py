from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from attunement.associations import actions
from attunement.associations.access import (
    admin_required,
    any_staff_required,
    association_page,
    coordinator_required,
    get_staff_role_for_user,
)
from attunement.associations.forms import AssociationForm, GrantRoleForm, LogoForm, PolicyForm
from attunement.associations.models import Association, Role, StaffInvitation, StaffRole
from attunement.lib.http import AssociationPageRequest, StaffRequest
from attunement.lib.uploads import CONTENT_TYPES


@login_not_required
@require_GET
def deployment_home(request: HttpRequest) -> HttpResponse:
    """The front page of the deployment: every active association on it."""
    associations = Association.objects.filter(is_active=True).order_by("name")
    return render(request, "associations/deployment_home.html", {"associations": associations})


@association_page
@require_GET
def association_home(request: AssociationPageRequest) -> HttpResponse:
    return render(request, "associations/home.html")


@association_page
@require_GET
def association_logo(request: AssociationPageRequest) -> FileResponse:
    association = request.association
    if not association.logo:
        raise Http404
    extension = PurePosixPath(association.logo.name or "").suffix.lstrip(".")
    try:
        stream = association.logo.open("rb")
    except FileNotFoundError:
        raise Http404 from None  # the row names a file the storage no longer has
    response = FileResponse(stream, content_type=CONTENT_TYPES.get(extension, "application/octet-stream"))
    response["Cache-Control"] = "public, max-age=3600"
    return response


@any_staff_required
@require_GET
def staff_home(request: StaffRequest) -> HttpResponse:
    return render(request, "associations/staff/home.html", {"Role": Role})


def _roles_page(request: StaffRequest, form: GrantRoleForm | None, status: int = 200) -> HttpResponse:
    association = request.association
    current = StaffRole.objects.current().filter(association=association)
    # select_related: each row shows the person; one query for the whole list.
    roles = current.select_related("user").order_by("role", "user__email")
    counts = dict(current.order_by().values_list("role").annotate(n=Count("id")).values_list("role", "n"))
    can_manage = Role.ADMIN in request.association_roles
    if can_manage and form is None:
        form = GrantRoleForm()
    invitations = StaffInvitation.objects.filter(
        association=association, accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-invited_at")[:100]
    return render(
        request,
        "associations/staff/roles.html",
        {"roles": roles, "counts": counts, "form": form, "can_manage": can_manage, "Role": Role,
         "invitations": invitations},
        status=status,
    )  # fmt: skip


@coordinator_required
@require_GET
def staff_roles(request: StaffRequest) -> HttpResponse:
    return _roles_page(request, None)


@admin_required
@require_POST
def grant_role(request: StaffRequest) -> HttpResponse:
    association = request.association
    form = GrantRoleForm(request.POST)
    if not form.is_valid():
        return _roles_page(request, form, status=400)
    email = form.cleaned_data["email"]
    try:
        invitation = actions.invite_staff(
            actor=request.user, association=association, email=email, role=form.cleaned_data["role"]
        )
    except actions.ActionRefused as refusal:
        form.add_error(None, str(refusal))
        return _roles_page(request, form, status=409)
    # The same words whether or not the address has an account anywhere on the deployment.
    messages.success(
        request,
        _("Invitation sent to %(email)s. They become %(role)s when they accept it, signed in with this address.")
        % {"email": email, "role": invitation.get_role_display()},
    )
    return redirect("associations:staff_roles", association_slug=association.slug)


@admin_required
@require_POST
def revoke_role(request: StaffRequest, role_id: str) -> HttpResponse:
    association = request.association
    staff_role = get_staff_role_for_user(request.user, association, role_id, write=True)
    try:
        actions.revoke_staff_role(actor=request.user, staff_role=staff_role)
    except actions.ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Role revoked."))
    return redirect("associations:staff_roles", association_slug=association.slug)


@admin_required
@require_POST
def withdraw_invitation(request: StaffRequest, invitation_id: uuid.UUID) -> HttpResponse:
    association = request.association
    invitation = get_object_or_404(StaffInvitation, association=association, public_id=invitation_id)
    try:
        actions.withdraw_staff_invitation(actor=request.user, invitation=invitation)
    except actions.ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email})
    return redirect("associations:staff_roles", association_slug=association.slug)


def _settings(request: StaffRequest, status: int = 200, **bound: object) -> HttpResponse:
    """The settings page with empty forms, or with the one form that was just refused."""
    association = request.association
    forms = {
        "details": AssociationForm(instance=association, prefix="details"),
        "policy": PolicyForm(instance=association.policy, prefix="policy"),
        "logo": LogoForm(prefix="logo"),
        **bound,
    }
    return render(request, "associations/staff/settings.html", forms, status=status)


@admin_required
@require_GET
def settings_page(request: StaffRequest) -> HttpResponse:
    return _settings(request)


@admin_required
@require_POST
def save_details(request: StaffRequest) -> HttpResponse:
    association = request.association
    form = AssociationForm(request.POST, instance=Association.objects.get(pk=association.pk), prefix="details")
    if not form.is_valid():
        return _settings(request, 400, details=form)
    actions.update_association(actor=request.user, association=association, values=form.cleaned_data)
    messages.success(request, _("Details saved."))
    return redirect("associations:settings", association_slug=association.slug)


@admin_required
@require_POST
def save_policy(request: StaffRequest) -> HttpResponse:
    association = request.association
    form = PolicyForm(request.POST, instance=association.policy, prefix="policy")
    if not form.is_valid():
        return _settings(request, 400, policy=form)
    actions.update_policy(actor=request.user, association=association, values=form.cleaned_data)
    messages.success(request, _("Policy saved."))
    return redirect("associations:settings", association_slug=association.slug)


@admin_required
@require_POST
def save_logo(request: StaffRequest) -> HttpResponse:
    association = request.association
    form = LogoForm(request.POST, request.FILES, prefix="logo")
    if not form.is_valid():
        return _settings(request, 400, logo=form)
    actions.set_association_logo(actor=request.user, association=association, logo=form.cleaned_data["logo"])
    messages.success(request, _("Logo saved."))
    return redirect("associations:settings", association_slug=association.slug)
