"""The payer's own invoice actions (paying by card), under /me/invoices/."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from attunement.lib.http import SignedInRequest
from attunement.payments import actions
from attunement.payments.access import get_own_invoice


@require_POST
def pay(request: SignedInRequest, number: str) -> HttpResponse:
    """Pay one of the person's own invoices by card, then back to the page it was paid on."""
    invoice = get_own_invoice(request.user, number)
    try:
        actions.pay_by_card(actor=request.user, invoice=invoice, token=request.POST.get("card", "").strip())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Paid. Thank you."))
    # Back to the page the payment was made on, if it is one of the person's own pages.
    back = str(request.POST.get("next", ""))
    return redirect(back if back.startswith("/me/") and "//" not in back else "application:list")
