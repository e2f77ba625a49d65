"""Staff pages of an association's invoices: open invoices, payments, agency invoices."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from attunement.associations.access import coordinator_required
from attunement.lib.http import StaffRequest
from attunement.payments import actions
from attunement.payments.access import get_invoice_for_user
from attunement.payments.models import Invoice, InvoiceStatus, PaymentMethod
from attunement.people.models import User

PAGE_SIZE = 100


@coordinator_required
@require_GET
def invoices(request: StaffRequest) -> HttpResponse:
    status = request.GET.get("status", InvoiceStatus.OPEN)
    rows = Invoice.objects.filter(association=request.association)
    if status in InvoiceStatus.values:
        rows = rows.filter(status=status)
    # select_related: each row names who is billed; prefetch: its lines for the total.
    page = list(rows.select_related("billed_to").prefetch_related("lines").order_by("-issued_at", "-id")[:PAGE_SIZE])
    return render(
        request,
        "payments/invoices.html",
        {"invoices": page, "status": status, "statuses": InvoiceStatus.choices, "methods": PaymentMethod.choices},
    )


@coordinator_required
@require_POST
def record(request: StaffRequest, number: str) -> HttpResponse:
    invoice = get_invoice_for_user(request.user, request.association, number)
    try:
        amount = Decimal(request.POST.get("amount", ""))
        actions.record_payment(actor=request.user, invoice=invoice, method=request.POST.get("method", ""), amount=amount,
                               reference=request.POST.get("reference", ""), reason=request.POST.get("reason", ""))  # fmt: skip
    except InvalidOperation:
        messages.error(request, _("Enter an amount such as 25.00."))
    except (ValidationError, ValueError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(request, _("Payment recorded."))
    return redirect("payments:invoices", association_slug=request.association.slug)


@coordinator_required
@require_POST
def combine(request: StaffRequest) -> HttpResponse:
    chosen = list(Invoice.objects.filter(association=request.association, number__in=request.POST.getlist("invoice")))
    contact = User.objects.filter(email__iexact=request.POST.get("contact", "").strip()).first()
    agency = request.POST.get("agency", "").strip()
    if len(chosen) < 2 or contact is None or not agency:
        messages.error(
            request, _("Tick two or more invoices and give the agency's name and its contact's account email.")
        )
        return redirect("payments:invoices", association_slug=request.association.slug)
    try:
        combined = actions.combine_for_agency(
            actor=request.user, association=request.association, invoices=chosen, contact=contact, agency=agency
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Agency invoice %(number)s issued.") % {"number": combined.number})
    return redirect("payments:invoices", association_slug=request.association.slug)
