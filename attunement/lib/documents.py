"""Generated documents kept between downloads.

``document(kind, key, facts, render)`` answers the stored file when it was made from the same
facts, and otherwise renders it now and keeps it. Tasks call the same function ahead of the
downloads (a certificate when a credential is issued or renewed, attendance certificates when
a session is finalised), so at the busy moments the web workers only stream a file."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

import orjson
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from attunement.lib.models import StoredDocument

logger = logging.getLogger(__name__)


def fingerprint(facts: Any) -> str:
    """The hash of everything a document shows (dataclasses, dates and strings included)."""
    return hashlib.sha256(orjson.dumps(facts, default=str, option=orjson.OPT_SORT_KEYS)).hexdigest()


def document(kind: str, key: str, facts: Any, render: Callable[[], bytes]) -> bytes:
    wanted = fingerprint(facts)
    stored = StoredDocument.objects.filter(kind=kind, key=key).first()
    if stored is not None and stored.fingerprint == wanted:
        try:
            with stored.file.open("rb") as handle:
                return bytes(handle.read())
        except OSError:
            logger.warning("stored document %s:%s is missing its file; rendering again", kind, key)
    content = render()
    _keep(kind, key, wanted, content, stored)
    return content


def _keep(kind: str, key: str, wanted: str, content: bytes, stored: StoredDocument | None) -> None:
    old_name = stored.file.name if stored is not None and stored.file else None
    row = stored or StoredDocument(kind=kind, key=key)
    row.fingerprint = wanted
    row.file.save(f"{kind}.pdf", ContentFile(content), save=False)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # made at the same moment by another request or task: theirs stands
        if row.file.name:
            row.file.storage.delete(row.file.name)
        return
    if old_name and old_name != row.file.name:
        row.file.storage.delete(old_name)
