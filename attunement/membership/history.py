"""History pages for membership types (see attunement.audit.history)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404

from attunement.associations.models import Association
from attunement.audit import history
from attunement.membership.models import MembershipType


@history.register("membership.membershiptype")
def _membership_type(user: Any, association: Association, target_id: str) -> MembershipType:
    try:
        key = uuid.UUID(target_id)
    except ValueError:
        raise Http404 from None
    return get_object_or_404(MembershipType, association=association, public_id=key)
