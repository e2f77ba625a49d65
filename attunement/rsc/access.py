"""Who may reach a group's management pages: its provider, and the association's coordinators
and admins (not for recording attendance: that is the provider's word). Another association's
group, or a person with no part in it, gets a 404; staff without the role get a 403."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from attunement.associations.access import roles_of
from attunement.associations.models import Association, Role
from attunement.rsc.models import Group
from attunement.rsc.selectors import get_group


def get_group_for_manager(
    user: Any, association: Association, public_id: uuid.UUID, *, provider_only: bool = False
) -> Group:
    group = get_group(association, public_id)
    if group is None:
        raise Http404
    if group.provider.person_id == user.pk:
        return group
    held = roles_of(user, association)
    if not held:
        raise Http404
    if provider_only or not held & {Role.ADMIN, Role.COORDINATOR}:
        raise PermissionDenied
    return group


def is_coordinator(user: Any, association: Association) -> bool:
    return bool(roles_of(user, association) & {Role.ADMIN, Role.COORDINATOR})
