"""Joining an association (or renewing), under /me/membership/."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attunement.associations.models import Association
from attunement.lib.http import SignedInRequest
from attunement.membership import actions
from attunement.membership.models import MembershipType
from attunement.payments.models import InvoiceStatus


@require_POST
def join(request: SignedInRequest) -> HttpResponse:
    """An invoice for the chosen membership type (or the association's membership fee); the
    membership starts when it is paid. The form names the association and the type by their
    public ids; a type of another association is refused by the action, naming the field."""
    association = get_object_or_404(Association, slug=str(request.POST.get("association", "")), is_active=True)
    chosen = None
    raw = str(request.POST.get("membership_type", "")).strip()
    if raw:
        try:
            chosen = MembershipType.objects.filter(public_id=uuid.UUID(raw)).first()
        except ValueError:
            chosen = None
        if chosen is None:
            messages.error(request, _("Choose one of the association's memberships."))
            return redirect("application:list")
    try:
        invoice = actions.join(actor=request.user, person=request.user, association=association, membership_type=chosen)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("application:list")
    if invoice.status == InvoiceStatus.OPEN:
        messages.info(
            request, _("Pay the membership invoice %(number)s to start your membership.") % {"number": invoice.number}
        )
    else:
        messages.success(request, _("Your membership has started."))
    return redirect("application:list")
