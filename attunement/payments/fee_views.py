"""An association admin's fees: what each fee costs, by category (an empty amount removes one)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from attunement.associations.access import admin_required
from attunement.lib.http import StaffRequest
from attunement.payments.actions import set_fee
from attunement.payments.forms import FeeForm
from attunement.payments.models import Fee


def _page(request: StaffRequest, form: FeeForm, status: int = 200) -> HttpResponse:
    fees = Fee.objects.filter(association=request.association).order_by("kind", "category")
    return render(request, "payments/fees.html", {"form": form, "fees": fees}, status=status)


@admin_required
@require_GET
def fees(request: StaffRequest) -> HttpResponse:
    return _page(request, FeeForm(prefix="fee"))


@admin_required
@require_POST
def save_fee(request: StaffRequest) -> HttpResponse:
    form = FeeForm(request.POST, prefix="fee")
    if not form.is_valid():
        return _page(request, form, 400)
    data = form.cleaned_data
    set_fee(
        actor=request.user,
        association=request.association,
        kind=data["kind"],
        category=data["category"] or "",
        amount=data["amount"],
    )
    messages.success(request, _("Fee saved."))
    return redirect("fees:list", association_slug=request.association.slug)
