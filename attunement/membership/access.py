"""The way into membership types: staff of the type's association (the page's decorator checks
the role). Another association's type, or an unknown one, is a 404."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404
from django.shortcuts import get_object_or_404

from attunement.associations.models import Association
from attunement.membership.models import MembershipType


def get_membership_type_for_user(user: Any, association: Association, public_id: str | uuid.UUID) -> MembershipType:
    """A membership type of ``association`` by its public id; another association's is a 404."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404 from None
    return get_object_or_404(MembershipType, association=association, public_id=key)
