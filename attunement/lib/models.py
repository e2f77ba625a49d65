"""Models shared by every app."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class StoredDocument(models.Model):
    """A generated file (a certificate PDF) kept until what it shows changes: ``fingerprint``
    is the hash of everything printed on it, so a changed name or date is never served stale.
    Made by a task when the facts change; a download finds it ready (see lib.documents)."""

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    file = models.FileField(upload_to="documents/")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="one_stored_document")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"
