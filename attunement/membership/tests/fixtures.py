"""Objects the permission table needs from this app."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def membership_type(ctx: dict[str, Any]) -> dict[str, Any]:
    """Riverbend's Individual membership, reached on the staff pages by its public id."""
    from attunement.associations.models import Association
    from attunement.membership.models import MembershipType

    riverbend = Association.objects.get(slug="riverbend")
    offered, _created = MembershipType.objects.get_or_create(
        association=riverbend, name="Individual", active=True, defaults={"kind": "individual", "price": Decimal("40")}
    )
    return {"association_slug": "riverbend", "type_id": offered.public_id}
