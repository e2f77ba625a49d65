"""What other parts of Attunement hear about credentials.

``credentials_changed`` is sent *inside* the transaction that changed the credentials, after
the change, so a receiver's own writes (a webhook outbox row, a status-list bump) commit or
roll back with it. Receivers must not do network work here; queue it instead.

Keyword arguments:
- ``association``: the Association the credentials belong to;
- ``event``: one of EVENTS;
- ``credential_ids``: list of Credential primary keys that changed (a batch for the daily job).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.dispatch import Signal

EVENTS = (
    "issued",
    "renewed",
    "lapsed",
    "reinstated",
    "inactive",
    "reactivated",
    "archived",
    "emeritus",
    "suspended",
    "revoked",
    "restored",
)

credentials_changed = Signal()


def send_credentials_changed(association: Any, event: str, credential_ids: Iterable[int]) -> None:
    assert event in EVENTS, event
    ids = list(credential_ids)
    if ids:
        credentials_changed.send(sender=None, association=association, event=event, credential_ids=ids)
