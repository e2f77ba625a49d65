"""A person's own training pages: the transcript (page, CSV, PDF), claiming records of
sessions attended before the portfolio existed, and a private calendar feed."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from attunement.lib.errors import ActionRefused
from attunement.lib.exports import csv_writer
from attunement.lib.http import SignedInRequest
from attunement.training import actions, feeds, ical, selectors
from attunement.training.access import get_own_certificate
from attunement.training.documents import attendance_pdf, verification_url
from attunement.training.feeds import feed_token
from attunement.training.pdf import render_transcript
from attunement.training.selectors import num
from attunement.training.views import site_url


@require_GET
def transcript(request: SignedInRequest) -> HttpResponse:
    data = selectors.transcript(request.user)
    token = feed_token(request.user)
    feed_url = site_url(request) + reverse("training_me:feed", kwargs={"token": token}) if token else ""
    return render(request, "training/transcript.html", {"transcript": data, "feed_url": feed_url})


@require_POST
def rotate_feed(request: SignedInRequest) -> HttpResponse:
    feeds.rotate_calendar_feed(actor=request.user)
    messages.success(request, _("Your calendar has a new private address; the old one no longer works."))
    return redirect(reverse("training_me:transcript") + "#calendar")


@require_POST
def revoke_feed(request: SignedInRequest) -> HttpResponse:
    try:
        feeds.revoke_calendar_feed(actor=request.user)
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your calendar address is turned off; it no longer works."))
    return redirect(reverse("training_me:transcript") + "#calendar")


@require_GET
def transcript_csv(request: SignedInRequest) -> HttpResponse:
    data = selectors.transcript(request.user)
    actions.record_transcript_export(actor=request.user, kind="csv", rows=len(data.entries))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="training-transcript.csv"'
    response["Cache-Control"] = "private, no-store"
    writer = csv_writer(response)
    writer.writerow(["date", "title", "provider", "hours", "dei", "about_rsc", "domains", "source", "verification"])
    for e in data.entries:
        writer.writerow([e.date.isoformat(), e.title, e.provider, num(e.hours), "yes" if e.dei else "no",
                         "yes" if e.about_rsc else "no", " ".join(e.domains), e.provenance, e.verification])  # fmt: skip
    writer.writerow(["total", "", "", num(data.total), num(data.dei), num(data.about_rsc), "", "",
                     f"verified {num(data.verified)}; self-reported {num(data.self_reported)}"])  # fmt: skip
    return response


@require_GET
def transcript_pdf(request: SignedInRequest) -> HttpResponse:
    data = selectors.transcript(request.user)
    actions.record_transcript_export(actor=request.user, kind="pdf", rows=len(data.entries))
    response = HttpResponse(render_transcript(request.user, data), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="training-transcript.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def claim(request: SignedInRequest) -> HttpResponse:
    try:
        count = actions.claim_training(actor=request.user)
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("%(n)s training records added to your portfolio.") % {"n": count})
    return redirect("training_me:transcript")


@login_not_required
@require_GET
def feed(request: HttpRequest, token: str) -> HttpResponse:
    person = feeds.person_for_token(token)
    if person is None:
        raise Http404
    body = ical.calendar(_("My training"), selectors.person_calendar(person), site_url(request))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def certificate(request: SignedInRequest, registration_id: uuid.UUID) -> HttpResponse:
    registration = get_own_certificate(request.user, registration_id)
    url = verification_url(registration, site_url(request))
    response = HttpResponse(attendance_pdf(registration, url), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="attendance-{registration.certificate_code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
