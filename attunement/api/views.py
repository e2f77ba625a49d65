"""The association admin's pages for API clients: organisations, keys, quotas, webhooks."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from attunement.api import actions, keys, selectors
from attunement.api.forms import ClientForm, KeyForm, QuotaForm, WebhookForm
from attunement.api.models import ApiClient, ApiKey, WebhookEndpoint
from attunement.associations.access import admin_required, roles_of
from attunement.associations.models import Association, Role
from attunement.lib.errors import ActionRefused
from attunement.lib.http import StaffRequest


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Http404 from None


def get_client_for_user(user: Any, association: Association, public_id: str) -> ApiClient:
    """An API client of ``association``: admins only; another association's is a 404."""
    if Role.ADMIN not in roles_of(user, association):
        raise Http404
    # select_related: the association is audited and shown with the client.
    return get_object_or_404(
        ApiClient.objects.select_related("association"), association=association, public_id=_uuid(public_id)
    )


def _form_errors(form: Any, error: ValidationError) -> None:
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


@admin_required
@require_GET
def clients(request: StaffRequest) -> HttpResponse:
    return _clients_page(request, ClientForm())


def _clients_page(request: StaffRequest, form: ClientForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "api/clients.html",
        {"clients": selectors.clients_of(request.association), "form": form},
        status=status,
    )


@admin_required
@require_POST
def create_client(request: StaffRequest) -> HttpResponse:
    form = ClientForm(request.POST)
    if not form.is_valid():
        return _clients_page(request, form, status=400)
    try:
        client = actions.create_client(actor=request.user, association=request.association, **form.cleaned_data)
    except ValidationError as error:
        _form_errors(form, error)
        return _clients_page(request, form, status=400)
    messages.success(request, _("Organisation added. Issue it a key."))
    return redirect("api_admin:client", association_slug=request.association.slug, client_id=client.public_id)


def _client_page(request: StaffRequest, client: ApiClient, status: int = 200, **forms: Any) -> HttpResponse:
    context = {
        "client": client,
        "key_form": forms.get("key_form") or KeyForm(),
        "quota_form": forms.get("quota_form") or QuotaForm(initial={"quota": client.quota_per_minute}),
        "webhook_form": forms.get("webhook_form") or WebhookForm(),
        **selectors.client_page(client),
    }
    return render(request, "api/client.html", context, status=status)


@admin_required
@require_GET
def client_detail(request: StaffRequest, client_id: str) -> HttpResponse:
    return _client_page(request, get_client_for_user(request.user, request.association, client_id))


@admin_required
@require_POST
def issue_key(request: StaffRequest, client_id: str) -> HttpResponse:
    client = get_client_for_user(request.user, request.association, client_id)
    form = KeyForm(request.POST)
    if not form.is_valid():
        return _client_page(request, client, status=400, key_form=form)
    issued = actions.issue_key(actor=request.user, client=client, label=form.cleaned_data["label"])
    response = render(request, "api/key_issued.html", {"client": client, "key": issued.key, "token": issued.token})
    response["Cache-Control"] = "no-store"
    return response


@admin_required
@require_POST
def revoke_key(request: StaffRequest, client_id: str, key_id: str) -> HttpResponse:
    client = get_client_for_user(request.user, request.association, client_id)
    key = get_object_or_404(
        ApiKey.objects.select_related("client__association"), client=client, public_id=_uuid(key_id)
    )
    try:
        actions.revoke_key(actor=request.user, key=key)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Key revoked: it no longer works."))
    return redirect("api_admin:client", association_slug=request.association.slug, client_id=client.public_id)


@admin_required
@require_POST
def set_quota(request: StaffRequest, client_id: str) -> HttpResponse:
    client = get_client_for_user(request.user, request.association, client_id)
    form = QuotaForm(request.POST)
    if not form.is_valid():
        return _client_page(request, client, status=400, quota_form=form)
    key = None
    if form.cleaned_data["key"]:
        key = get_object_or_404(ApiKey, client=client, public_id=_uuid(form.cleaned_data["key"]))
    actions.set_quota(actor=request.user, client=client, key=key, quota=form.cleaned_data["quota"])
    messages.success(request, _("Quota saved."))
    return redirect("api_admin:client", association_slug=request.association.slug, client_id=client.public_id)


@admin_required
@require_POST
def add_webhook(request: StaffRequest, client_id: str) -> HttpResponse:
    client = get_client_for_user(request.user, request.association, client_id)
    form = WebhookForm(request.POST)
    if not form.is_valid():
        return _client_page(request, client, status=400, webhook_form=form)
    try:
        added = actions.add_webhook(
            actor=request.user, client=client, url=form.cleaned_data["url"], events=form.cleaned_data["events"]
        )
    except ValidationError as error:
        _form_errors(form, error)
        return _client_page(request, client, status=400, webhook_form=form)
    response = render(
        request, "api/webhook_added.html", {"client": client, "endpoint": added.endpoint, "secret": added.secret}
    )
    response["Cache-Control"] = "no-store"
    return response


@admin_required
@require_POST
def remove_webhook(request: StaffRequest, client_id: str, webhook_id: str) -> HttpResponse:
    client = get_client_for_user(request.user, request.association, client_id)
    endpoint = get_object_or_404(
        WebhookEndpoint.objects.select_related("client__association"), client=client, public_id=_uuid(webhook_id)
    )
    try:
        actions.remove_webhook(actor=request.user, endpoint=endpoint)
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Webhook removed; nothing more is sent to it."))
    return redirect("api_admin:client", association_slug=request.association.slug, client_id=client.public_id)


# --- The public page for developers ----------------------------------------------------------


@login_not_required
@require_GET
@cache_control(public=True, max_age=3600)
def developer_guide(request: HttpRequest) -> HttpResponse:
    """How a payer's or employer's system uses the verification API and its webhooks (no
    database query: everything on it is code and settings)."""
    from django.conf import settings

    from attunement.api.models import WEBHOOK_EVENTS
    from attunement.api.roster import MAX_BYTES, MAX_ROWS
    from attunement.api.webhooks import BACKOFF

    base = request.build_absolute_uri("/api/v1/")
    return render(
        request,
        "api/developer_guide.html",
        {
            "base": base,
            "example_code": "K7W2MXQ4PT",
            "quota": settings.API_QUOTA_PER_MINUTE,
            "rows_per_request": keys.ROWS_PER_REQUEST,
            "max_rows": MAX_ROWS,
            "max_megabytes": MAX_BYTES // (1024 * 1024),
            "events": WEBHOOK_EVENTS,
            "backoff": [_duration(step) for step in BACKOFF],
            "key_cache_seconds": keys.KEY_CACHE_SECONDS,
        },
    )


def _duration(step: Any) -> str:
    from django.utils.translation import ngettext

    minutes = int(step.total_seconds() // 60)
    if minutes < 60:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = minutes // 60
    return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
