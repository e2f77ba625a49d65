"""The invited person's side of staff invitations: see them and accept one."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from attunement.associations import actions
from attunement.associations.models import StaffInvitation
from attunement.lib.errors import ActionRefused
from attunement.lib.http import SignedInRequest

if TYPE_CHECKING:
    from attunement.people.models import User


def open_invitations(user: User) -> QuerySet[StaffInvitation]:
    """Invitations to one of the person's confirmed addresses that can still be accepted."""
    return StaffInvitation.objects.filter(
        email__in=actions.confirmed_addresses(user), accepted_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("association")


@require_GET
def invitations(request: SignedInRequest) -> HttpResponse:
    pending = open_invitations(request.user).order_by("-invited_at")
    return render(request, "associations/invitations.html", {"invitations": pending})


@require_POST
def accept(request: SignedInRequest, invitation_id: uuid.UUID) -> HttpResponse:
    invitation = open_invitations(request.user).filter(public_id=invitation_id).first()
    if invitation is None:
        raise Http404
    try:
        staff_role = actions.accept_staff_invitation(actor=request.user, invitation=invitation)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("associations_me:invitations")
    messages.success(
        request,
        _("You are now %(role)s at %(association)s.")
        % {"role": staff_role.get_role_display(), "association": invitation.association.name},
    )
    return redirect("associations:staff_home", association_slug=invitation.association.slug)
