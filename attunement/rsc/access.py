"""The ways into RS/C objects.

A group's management pages: its provider, and the association's coordinators and admins (not
for recording attendance: that is the provider's word). Another association's group, or a
person with no part in it, gets a 404; staff without the role get a 403. Staff pages reach a
provider's profile and a programme of their association (the page's decorator checks the
role); a person reaches their own membership, and a provider the sessions and requests made
to them."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from attunement.associations.access import roles_of
from attunement.associations.models import Association, Role
from attunement.rsc.models import Group, IndividualRequest, IndividualSession, Membership, Programme, ProviderProfile
from attunement.rsc.selectors import get_group


def get_group_for_user(
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


def get_membership_for_user(
    user: Any, association: Association, group_id: uuid.UUID, public_id: uuid.UUID
) -> Membership:
    """A membership of a group the user manages (``get_group_for_user``); another group's is a 404."""
    group = get_group_for_user(user, association, group_id)
    return get_object_or_404(Membership, group=group, public_id=public_id)


def get_profile_for_user(user: Any, association: Association, public_id: uuid.UUID) -> ProviderProfile:
    """A provider's profile at ``association`` for its staff; another association's is a 404."""
    return get_object_or_404(ProviderProfile, association=association, public_id=public_id)


def get_programme_for_user(user: Any, association: Association, public_id: uuid.UUID) -> Programme:
    """A programme of ``association`` for its staff; another association's is a 404."""
    return get_object_or_404(Programme, association=association, public_id=public_id)


def get_own_membership(user: Any, group: Group) -> Membership:
    """The person's own membership of ``group`` (a 404 without one)."""
    return get_object_or_404(Membership, group=group, supervisee=user)


def get_own_individual_session(user: Any, public_id: uuid.UUID) -> IndividualSession:
    """A session logged with the user as its provider; anyone else's is a 404."""
    return get_object_or_404(IndividualSession, public_id=public_id, provider__person=user)


def get_own_individual_request(user: Any, public_id: uuid.UUID) -> IndividualRequest:
    """A request for individual RS/C made to the user as provider; anyone else's is a 404."""
    return get_object_or_404(IndividualRequest, public_id=public_id, provider__person=user)


def is_coordinator(user: Any, association: Association) -> bool:
    return bool(roles_of(user, association) & {Role.ADMIN, Role.COORDINATOR})
