"""The public directory of an association's endorsed people (the Endorsement Registry).

Only current credentials are listed: a lapsed, inactive, archived, suspended or revoked one
leaves the directory the day its status changes (the daily job lapses at the removal date)."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from attunement.associations.access import association_page
from attunement.endorsement.models import CATEGORY_CHOICES, Credential, CredentialStatus
from attunement.lib.http import AssociationPageRequest

LISTED = [CredentialStatus.ACTIVE, CredentialStatus.EMERITUS]
PAGE_SIZE = 50


@association_page
@require_GET
def directory(request: AssociationPageRequest) -> HttpResponse:
    association = request.association
    rows = Credential.objects.filter(association=association, status__in=LISTED).select_related("person")
    query = request.GET.get("q", "").strip()[:100]
    category = request.GET.get("category", "")
    if query:
        rows = rows.filter(Q(person__legal_name__icontains=query) | Q(person__preferred_name__icontains=query))
    if category in dict(CATEGORY_CHOICES):
        rows = rows.filter(category=category)
    # Keyset pagination in name order: the cost of a page does not grow with the registry.
    after_name, _sep, after_id = request.GET.get("after", "").rpartition("|")
    if after_id.isdigit():
        rows = rows.filter(
            Q(person__legal_name__gt=after_name) | Q(person__legal_name=after_name, id__gt=int(after_id))
        )
    page = list(rows.order_by("person__legal_name", "id")[: PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    after = f"{page[-1].person.legal_name}|{page[-1].id}" if more else ""
    response = render(
        request,
        "registry/directory.html",
        {"credentials": page, "query": query, "category": category, "categories": CATEGORY_CHOICES, "after": after},
    )
    response["Cache-Control"] = "public, max-age=300"
    return response
