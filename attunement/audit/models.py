"""Append-only audit events.

Events are written by actions (``attunement.audit.actions.record``) inside the same
transaction as the change they describe. They cannot be changed or deleted through the
ORM (this module), the admin (read-only) or the API (there is none that writes them); a
trigger refuses UPDATE and DELETE on PostgreSQL and UPDATE on SQLite (migration 0002).
"""

from __future__ import annotations

from typing import Any, ClassVar, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit event."""

    def __init__(self) -> None:
        super().__init__("Audit events are append-only: they cannot be changed or deleted.")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError

    def delete(self) -> NoReturn:
        raise AppendOnlyError

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError

    def for_target(self, target_type: str, target_id: str) -> AuditEventQuerySet:
        return self.filter(target_type=target_type, target_id=target_id)


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # PROTECT: people and associations with history are deactivated, never deleted, so
    # the trail keeps who did what; a SET_NULL would be an UPDATE the trigger refuses.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("actor as shown then"), max_length=254, blank=True)
    association = models.ForeignKey(
        "associations.Association",
        verbose_name=_("association"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    verb = models.CharField(_("what happened"), max_length=100)
    target_type = models.CharField(_("object type"), max_length=100, blank=True)
    target_id = models.CharField(_("object id"), max_length=64, blank=True)
    target_label = models.CharField(_("object as shown then"), max_length=200, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)

    objects: ClassVar[AuditEventQuerySet] = AuditEventQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # Both follow the pages' keyset order (newest id first), so a page reads one index range.
            models.Index(fields=["target_type", "target_id", "-id"], name="audit_target_id_idx"),
            models.Index(fields=["association", "-id"], name="audit_association_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.verb} {self.target_label}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise AppendOnlyError
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError
