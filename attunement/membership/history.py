"""History pages for membership types (see attunement.audit.history)."""

from __future__ import annotations

from typing import Any

from attunement.associations.models import Association
from attunement.audit import history
from attunement.membership.access import get_membership_type_for_user
from attunement.membership.models import MembershipType


@history.register("membership.membershiptype")
def _membership_type(user: Any, association: Association, target_id: str) -> MembershipType:
    return get_membership_type_for_user(user, association, target_id)
