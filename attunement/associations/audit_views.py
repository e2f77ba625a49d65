"""Staff pages over the audit trail: the association's log and one object's history (the
audit app keeps the events; the pages need the association's staff access, so they live here)."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from attunement.associations.access import coordinator_required
from attunement.audit import history
from attunement.audit.actions import target_key
from attunement.audit.models import AuditEvent
from attunement.lib.http import StaffRequest

PAGE_SIZE = 50


def _page(events: QuerySet[AuditEvent], before: str | None) -> tuple[list[AuditEvent], int | None]:
    """Keyset pagination on the id: the cost of a page does not grow with the trail."""
    if before:
        try:
            events = events.filter(id__lt=int(before))
        except ValueError:
            raise BadRequest("before must be a number") from None
    rows = list(events.order_by("-id")[: PAGE_SIZE + 1])
    has_more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return rows, (rows[-1].id if has_more else None)


@coordinator_required
@require_GET
def audit_log(request: StaffRequest) -> HttpResponse:
    association = request.association
    events = AuditEvent.objects.filter(association=association)
    verb = request.GET.get("verb", "").strip()
    if verb:
        events = events.filter(verb__startswith=verb)
    rows, next_before = _page(events, request.GET.get("before"))
    return render(
        request,
        "audit/log.html",
        {"events": rows, "next_before": next_before, "verb": verb, "history_types": history.registered_types()},
    )


@coordinator_required
@require_GET
def object_history(request: StaffRequest, target_type: str, target_id: str) -> HttpResponse:
    association = request.association
    target = history.resolve(request.user, association, target_type, target_id)
    target_type, target_id = target_key(target)
    events = AuditEvent.objects.filter(association=association).for_target(target_type, target_id)
    rows, next_before = _page(events, request.GET.get("before"))
    return render(
        request,
        "audit/history.html",
        {"target": target, "events": rows, "next_before": next_before},
    )
