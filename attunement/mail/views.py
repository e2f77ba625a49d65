"""The one page of the mail app anyone reaches: turning off a kind of mail from its link."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from attunement.mail import actions

KINDS = {"renewal_reminder": _("renewal reminders")}


@csrf_exempt  # the signed link is the authority; mail programs post to it without a form (RFC 8058)
@login_not_required
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        data = signing.loads(token, salt=actions.UNSUBSCRIBE_SALT)
        addresses, purpose = [str(a) for a in data["a"]], str(data["p"])
    except (signing.BadSignature, KeyError, TypeError):
        return render(request, "mail/unsubscribe.html", {"invalid": True}, status=404)
    if purpose not in actions.UNSUBSCRIBABLE:
        return render(request, "mail/unsubscribe.html", {"invalid": True}, status=404)
    context = {"addresses": addresses, "kind": KINDS.get(purpose, purpose), "done": False}
    if request.method == "POST":
        actions.opt_out(addresses=addresses, purpose=purpose)
        context["done"] = True
    response = render(request, "mail/unsubscribe.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
