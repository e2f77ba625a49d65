"""The one way to write an audit event. Call it inside the action whose change it records."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import models

from attunement.audit.models import AuditEvent
from attunement.lib import context

if TYPE_CHECKING:
    from attunement.associations.models import Association
    from attunement.people.models import User


def target_key(obj: models.Model) -> tuple[str, str]:
    """``(type, id)`` naming an object in the trail: its model label and its public id
    (``public_id``, else ``slug``) where it has one, else its primary key."""
    public = getattr(obj, "public_id", None) or getattr(obj, "slug", None)
    return obj._meta.label_lower, str(public if public is not None else obj.pk)


def _event(
    actor: User | None, verb: str, association_id: int | None, target: models.Model | None, data: dict[str, Any]
) -> AuditEvent:
    target_type, target_id = target_key(target) if target is not None else ("", "")
    actor_user = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent(
        actor=actor_user,
        actor_label=actor_user.email if actor_user else "",
        association_id=association_id,
        verb=verb,
        target_type=target_type,
        target_id=target_id,
        target_label=str(target)[:200] if target is not None else "",
        data=data,
        request_id=context.request_id.get(),
    )


def record(
    *,
    actor: User | None,
    verb: str,
    association: Association | None = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    event = _event(actor, verb, association.pk if association is not None else None, target, data or {})
    if association is not None:
        event.association = association  # the caller's object, not a query when read back
    event.save(force_insert=True)
    return event


def record_each(
    *, actor: User | None, verb: str, events: Iterable[tuple[int | None, models.Model, dict[str, Any]]]
) -> int:
    """One event per ``(association_id, target, data)``, written in one insert (for an action
    that changes many objects at once, e.g. hours posted to many portfolios). Each target's
    ``str()`` must not need a query (select what it names beforehand)."""
    rows = [_event(actor, verb, association_id, target, data) for association_id, target, data in events]
    AuditEvent.objects.bulk_create(rows)
    return len(rows)
