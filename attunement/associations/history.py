"""History pages for association objects (see attunement.audit.history)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from attunement.associations.access import get_staff_role_for_user
from attunement.associations.models import Association, StaffRole
from attunement.audit import history


@history.register("associations.association")
def _association(user: Any, association: Association, target_id: str) -> Association:
    if target_id != association.slug:
        raise Http404
    return association


@history.register("associations.staffrole")
def _staff_role(user: Any, association: Association, target_id: str) -> StaffRole:
    return get_staff_role_for_user(user, association, target_id)
