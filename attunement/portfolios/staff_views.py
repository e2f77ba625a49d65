"""Staff pages of an association's portfolios: list, one portfolio, verification, messages."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from attunement.associations.access import staff_required
from attunement.associations.models import Role
from attunement.lib.http import StaffRequest
from attunement.portfolios import actions
from attunement.portfolios.access import (
    LISTING_ROLES,
    PORTFOLIO_ROLES,
    get_entry,
    get_portfolio_for_user,
)
from attunement.portfolios.forms import CommentForm, StandingForm, VerifyForm
from attunement.portfolios.models import RSC, Portfolio, Reference, Section
from attunement.portfolios.views import ENTRY_SECTIONS, serve_entry_file

PAGE_SIZE = 50


@staff_required(*LISTING_ROLES)
@require_GET
def portfolio_list(request: StaffRequest) -> HttpResponse:
    """Every portfolio of the association, for coordinators and admins (reviewers reach theirs
    from their assignments); one's own is not listed: staff pages are not the way into it."""
    # select_related: each row shows the person. Keyset pagination on the id.
    rows = (
        Portfolio.objects.filter(association=request.association)
        .exclude(person=request.user)
        .select_related("person")
        .order_by("-id")
    )
    before = request.GET.get("before", "")
    if before.isdigit():
        rows = rows.filter(id__lt=int(before))
    page = list(rows[: PAGE_SIZE + 1])
    more = len(page) > PAGE_SIZE
    page = page[:PAGE_SIZE]
    return render(
        request, "portfolios/staff_list.html", {"portfolios": page, "next_before": page[-1].id if more else None}
    )


@staff_required(Role.ADMIN, Role.COORDINATOR)
@require_POST
def verify(request: StaffRequest, portfolio_id: str, section: str, entry_id: str) -> HttpResponse:
    portfolio = get_portfolio_for_user(request.user, request.association, portfolio_id, write=True)
    if section not in ENTRY_SECTIONS:
        raise Http404
    entry = get_entry(ENTRY_SECTIONS[section][0], portfolio, entry_id)
    form = VerifyForm(request.POST)
    if form.is_valid():
        actions.verify_entry(
            actor=request.user,
            entry=entry,
            verification=form.cleaned_data["verification"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("Saved."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(
        "portfolio_staff:detail", association_slug=request.association.slug, portfolio_id=portfolio.public_id
    )


@staff_required(*PORTFOLIO_ROLES)
@require_POST
def staff_comment(request: StaffRequest, portfolio_id: str, section: str) -> HttpResponse:
    portfolio = get_portfolio_for_user(request.user, request.association, portfolio_id)
    form = CommentForm(request.POST)
    if section not in Section.values:
        raise Http404
    if form.is_valid():
        actions.add_comment(actor=request.user, portfolio=portfolio, section=section, body=form.cleaned_data["body"])
        messages.success(request, _("Message sent."))
    return redirect(
        "portfolio_staff:detail", association_slug=request.association.slug, portfolio_id=portfolio.public_id
    )


@staff_required(Role.ADMIN, Role.COORDINATOR)
@require_POST
def reference_bounced(request: StaffRequest, portfolio_id: str, reference_id: str) -> HttpResponse:
    """Staff record that a rater's address bounced, so the applicant knows to change it."""
    portfolio = get_portfolio_for_user(request.user, request.association, portfolio_id, write=True)
    reference = get_entry(Reference, portfolio, reference_id)
    try:
        actions.mark_reference_bounced(actor=request.user, reference=reference)
    except actions.ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Marked as bounced; the applicant is asked to check the address."))
    return redirect(
        "portfolio_staff:detail", association_slug=request.association.slug, portfolio_id=portfolio.public_id
    )


@staff_required(*PORTFOLIO_ROLES)
@require_GET
def staff_file(request: StaffRequest, portfolio_id: str, section: str, entry_id: str) -> FileResponse:
    portfolio = get_portfolio_for_user(request.user, request.association, portfolio_id)
    if section not in {Section.EDUCATION, Section.TRAINING}:
        raise Http404
    entry = get_entry(ENTRY_SECTIONS[section][0], portfolio, entry_id)
    return serve_entry_file(entry)


@staff_required(Role.ADMIN, Role.COORDINATOR)
@require_POST
def verify_standing(request: StaffRequest, portfolio_id: str, section: str, entry_id: str) -> HttpResponse:
    """A coordinator settles the standing of the RS/C provider or rater who answered a link,
    after checking them against the registry: the RS/C or the rating counts, or it does not."""
    portfolio = get_portfolio_for_user(request.user, request.association, portfolio_id, write=True)
    if section not in {Section.RSC, Section.REFERENCES}:
        raise Http404
    form = StandingForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        data = form.cleaned_data
        values = {"actor": request.user, "verified": data["decision"] == "verified", "category": data["category"],
                  "since": data["since"], "reason": data["reason"]}  # fmt: skip
        try:
            if section == Section.RSC:
                actions.verify_provider_standing(entry=get_entry(RSC, portfolio, entry_id), **values)
            else:
                actions.verify_rater_standing(reference=get_entry(Reference, portfolio, entry_id), **values)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        except actions.ActionRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Saved."))
    return redirect(
        "portfolio_staff:detail", association_slug=request.association.slug, portfolio_id=portfolio.public_id
    )
