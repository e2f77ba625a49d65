"""The Membership staff page: coordinators see the association's membership types, admins
create and change them (a type with terms is never deleted: it stops being offered)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attunement.associations.access import admin_required, coordinator_required
from attunement.associations.models import Role
from attunement.lib.forms import apply_error
from attunement.lib.http import StaffRequest
from attunement.membership import actions
from attunement.membership.access import get_membership_type_for_user
from attunement.membership.forms import MembershipTypeForm
from attunement.membership.models import MembershipType


def _types_page(request: StaffRequest, form: MembershipTypeForm | None, status: int = 200) -> HttpResponse:
    today = timezone.localdate()
    current = Q(terms__valid_from__lte=today, terms__valid_through__gte=today)
    # One query: each type with how many people hold a current term of it.
    types = (
        MembershipType.objects.filter(association=request.association)
        .annotate(holders=Count("terms__person", filter=current, distinct=True))
        .order_by("-active", "price", "name")
    )
    can_manage = Role.ADMIN in request.association_roles
    if can_manage and form is None:
        form = MembershipTypeForm()
    return render(
        request,
        "membership/staff/types.html",
        {"types": types, "form": form if can_manage else None, "can_manage": can_manage},
        status=status,
    )


@coordinator_required
@require_GET
def types(request: StaffRequest) -> HttpResponse:
    return _types_page(request, None)


@admin_required
@require_POST
def create(request: StaffRequest) -> HttpResponse:
    form = MembershipTypeForm(request.POST)
    if form.is_valid():
        try:
            created = actions.create_membership_type(
                actor=request.user, association=request.association, values=form.cleaned_data
            )
        except ValidationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Membership type “%(name)s” created.") % {"name": created.name})
            return redirect("membership_staff:types", association_slug=request.association.slug)
    return _types_page(request, form, status=400)


@admin_required
@require_http_methods(["GET", "POST"])
def edit(request: StaffRequest, type_id: uuid.UUID) -> HttpResponse:
    membership_type = get_membership_type_for_user(request.user, request.association, type_id)
    form = MembershipTypeForm(instance=membership_type)
    status = 200
    if request.method == "POST":
        # A fresh copy: the form writes its values onto the instance it validates.
        form = MembershipTypeForm(request.POST, instance=MembershipType.objects.get(pk=membership_type.pk))
        if form.is_valid():
            try:
                changed = actions.update_membership_type(
                    actor=request.user, membership_type=membership_type, values=form.cleaned_data
                )
            except ValidationError as error:
                apply_error(form, error)
            else:
                if changed:
                    messages.success(
                        request, _("Membership type “%(name)s” saved.") % {"name": form.cleaned_data["name"]}
                    )
                else:
                    messages.info(request, _("Nothing changed."))
                return redirect("membership_staff:types", association_slug=request.association.slug)
        status = 400
    return render(
        request,
        "membership/staff/edit.html",
        {"membership_type": membership_type, "form": form},
        status=status,
    )
