"""Public pages of the training hub: an association's catalog, a session (register, cancel)
and the association's calendar feed."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from attunement.associations.access import association_page, get_association
from attunement.competencies.selectors import framework_for
from attunement.lib.errors import ActionRefused
from attunement.lib.http import AssociationPageRequest, SignedInRequest
from attunement.people.languages import WORK_LANGUAGES
from attunement.training import actions, ical, selectors
from attunement.training.access import can_manage, get_session_for_user
from attunement.training.forms import RegisterForm
from attunement.workforce.labels import TOPIC_LABELS


def site_url(request: HttpRequest) -> str:
    return getattr(settings, "SITE_URL", "") or request.build_absolute_uri("/").rstrip("/")


def domain_choices(association: object) -> list[tuple[str, str]]:
    framework = framework_for(association)  # type: ignore[arg-type]
    if framework is None:
        return []
    return list(framework.domains.order_by("position").values_list("slug", "name"))


@association_page
@require_GET
def catalog(request: AssociationPageRequest) -> HttpResponse:
    filters = selectors.CatalogFilters.from_params(request.GET)
    today = timezone.localdate()
    rows, more = selectors.catalog(request.association, filters, today)
    params = {k: v for k, v in request.GET.items() if k != "after"}
    return render(
        request,
        "training/catalog.html",
        {
            "association": request.association,
            "association_roles": request.association_roles,
            "rows": rows,
            "filters": filters,
            "more": urlencode({**params, "after": more}) if more else "",
            "topics": list(TOPIC_LABELS.items()),
            "domains": domain_choices(request.association),
            "languages": WORK_LANGUAGES,
        },
    )


@association_page
@require_GET
def session_detail(request: AssociationPageRequest, session_id: uuid.UUID) -> HttpResponse:
    session = get_session_for_user(request.user, request.association, session_id)
    own = selectors.own_registration(session, request.user)
    manager = request.user.is_authenticated and can_manage(request.user, session, request.association_roles)
    if not session.course.approved and own is None and not manager:
        # Only approved courses are public; a draft's session is seen by those who run it.
        raise Http404
    taken = selectors.seats_taken(session)
    return render(
        request,
        "training/session.html",
        {
            "association": request.association,
            "association_roles": request.association_roles,
            "session": session,
            "course": session.course,
            "parts": list(session.parts.order_by("position")),
            "taken": taken,
            "left": max(0, session.capacity - taken),
            "own": own,
            "manager": manager,
            "form": RegisterForm(),
            "topics": [TOPIC_LABELS.get(t, t) for t in session.course.topics],
        },
    )


@require_POST
def register(request: SignedInRequest, association_slug: str, session_id: uuid.UUID) -> HttpResponse:
    association = get_association(association_slug)
    session = get_session_for_user(request.user, association, session_id)
    if not session.course.approved:
        raise Http404
    form = RegisterForm(request.POST)
    if form.is_valid():
        try:
            registration = actions.register_for_session(
                actor=request.user, session=session, scholarship=form.cleaned_data["scholarship"]
            )
        except ActionRefused as exc:
            messages.error(request, str(exc))
        else:
            if registration.status == "waitlisted":
                messages.info(
                    request,
                    _("The session is full: you are number %(n)s on the waitlist. We will write if a seat opens.")
                    % {"n": registration.position},
                )
            else:
                messages.success(request, _("You are registered."))
    return redirect("training:session", association_slug=association.slug, session_id=session.public_id)


@require_POST
def cancel(request: SignedInRequest, association_slug: str, session_id: uuid.UUID) -> HttpResponse:
    association = get_association(association_slug)
    session = get_session_for_user(request.user, association, session_id)
    own = selectors.own_registration(session, request.user)
    if own is None:
        raise Http404
    try:
        actions.cancel_registration(actor=request.user, registration=own)
    except ActionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your registration is cancelled."))
    return redirect("training:session", association_slug=association.slug, session_id=session.public_id)


@association_page
@require_GET
def feed(request: AssociationPageRequest) -> HttpResponse:
    sessions = selectors.association_calendar(request.association, timezone.localdate())
    name = _("Training at %(name)s") % {"name": request.association.name}
    response = HttpResponse(
        ical.calendar(name, sessions, site_url(request)), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{request.association.slug}-training.ics"'
    return response


@association_page
@require_GET
def certificate_check(request: AssociationPageRequest, code: str) -> HttpResponse:
    """Anyone holding a certificate's code can check it here."""
    registration = selectors.certificate(code[:20], request.association)
    if registration is None:
        raise Http404
    return render(
        request,
        "training/certificate_check.html",
        {"association": request.association, "association_roles": request.association_roles,
         "registration": registration, "session": registration.session},
    )  # fmt: skip
