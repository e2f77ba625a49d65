"""Helpers shared by the credentials tests and the permission table."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from attunement.endorsement.models import Credential


def holder_credential(person: Any, association: Any, category: str = "IFS", **fields: Any) -> Credential:
    """The person's current credential of ``category`` (made once)."""
    existing = Credential.objects.filter(person=person, association=association, category=category).first()
    if existing is not None:
        return existing
    values = {"since": date(2022, 3, 1), "valid_through": timezone.localdate() + timedelta(days=200), **fields}
    return Credential.objects.create(person=person, association=association, category=category, **values)


def holder_code(ctx: dict[str, Any]) -> dict[str, Any]:
    """Permission-table kwargs: the applicant's own credential's code."""
    portfolio = ctx["portfolio"]
    return {"code": holder_credential(portfolio.person, portfolio.association).public_code}


def issuing_status_list(ctx: dict[str, Any]) -> dict[str, Any]:
    """Permission-table kwargs: Riverbend's revocation list, once it has a signing key."""
    from attunement.associations.models import Association
    from attunement.credentials.actions import current_key

    current_key(Association.objects.get(slug="riverbend"))
    return {"association_slug": "riverbend", "purpose": "revocation"}
