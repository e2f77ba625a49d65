"""The public directory of endorsed people (the Endorsement Registry), per association and
across the deployment; a holder's listing; the public verification page; the holder's own
"my listing" settings."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from attunement.associations.access import association_page
from attunement.associations.models import Association
from attunement.endorsement.models import CredentialStatus
from attunement.lib.categories import category_choices
from attunement.lib.http import AssociationPageRequest, SignedInRequest
from attunement.people.languages import WORK_LANGUAGES
from attunement.registry import actions, selectors
from attunement.registry.forms import ListingForm
from attunement.registry.models import Listing

CODE = re.compile(r"^[A-Z0-9]{6,12}$")
CURRENT = [CredentialStatus.ACTIVE, CredentialStatus.EMERITUS]


def _directory(request: HttpRequest, association: Association | None) -> HttpResponse:
    filters = selectors.Filters.from_request(request.GET)
    page = selectors.directory_page(association, filters)
    keep = {"q": filters.query, "category": filters.category, "region": filters.region, "language": filters.language}
    if filters.accepting:
        keep["accepting"] = "yes"
    more = urlencode({**{k: v for k, v in keep.items() if v}, "after": page.after}) if page.after else ""
    response = render(
        request,
        "registry/directory.html",
        {
            "credentials": page.credentials,
            "filters": filters,
            "categories": category_choices(),
            "languages": WORK_LANGUAGES,
            "more": more,
            "deployment": association is None,
            # The old template variables, kept for pages that include them.
            "query": filters.query,
            "category": filters.category,
            "after": page.after,
        },
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


@association_page
@require_safe
def directory(request: AssociationPageRequest) -> HttpResponse:
    """One association's directory."""
    return _directory(request, request.association)


@login_not_required
@require_safe
def all_directory(request: HttpRequest) -> HttpResponse:
    """Every association's directory on this deployment."""
    return _directory(request, None)


def _code(raw: str) -> str:
    code = raw.strip().upper()
    return code if CODE.match(code) else ""


@login_not_required
@require_safe
def listing(request: HttpRequest, code: str) -> HttpResponse:
    """A holder's directory page: name, category, status, dates, and what they chose to show."""
    clean = _code(code)
    credential = selectors.listed_credential(clean) if clean else None
    if credential is None:
        response = render(request, "registry/not_listed.html", status=404)
    else:
        shown: Listing | None = getattr(credential.person, "listing", None)
        names = dict(WORK_LANGUAGES)
        languages = [names[c] for c in shown.language_codes if c in names] if shown else []
        response = render(
            request, "registry/listing.html", {"credential": credential, "listing": shown, "languages": languages}
        )
    response["Cache-Control"] = "public, max-age=300"
    return response


@login_not_required
@require_safe
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Anyone checks a credential by its code (the QR code of the certificate leads here).
    Current, not current (with the status), or no such credential (404, telling nothing)."""
    clean = _code(code)
    credential = selectors.credential_by_code(clean) if clean else None
    if credential is None:
        response = render(request, "registry/verify_unknown.html", status=404)
    else:
        response = render(
            request, "registry/verify.html", {"credential": credential, "current": credential.status in CURRENT}
        )
    # Short: a revocation or suspension shows within a minute.
    response["Cache-Control"] = "public, max-age=60"
    return response


def my_listing(request: SignedInRequest) -> HttpResponse:
    """What the signed-in person shows in the directory."""
    person = request.user
    existing = Listing.objects.filter(person=person).first()
    if request.method == "POST":
        form = ListingForm(request.POST, instance=existing or Listing(person=person))
        if form.is_valid():
            actions.save_listing(actor=person, person=person, values=form.cleaned_data)
            messages.success(request, _("Your directory listing is saved."))
            return redirect("registry_me:listing")
        status = 400
    else:
        initial = {} if existing else {"region": person.region, "languages": list(person.languages or [])}
        form = ListingForm(instance=existing or Listing(person=person), initial=initial)
        status = 200
    credentials = person.credentials.filter(status__in=CURRENT).select_related("association")
    return render(request, "registry/my_listing.html", {"form": form, "credentials": credentials}, status=status)
