"""Request types for views, so the attributes middleware and access helpers set are typed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from attunement.associations.models import Association
    from attunement.people.models import User


class SignedInRequest(HttpRequest):
    """A request that passed LoginRequiredMiddleware."""

    user: User


class AssociationPageRequest(HttpRequest):
    """A public association page: ``association_page`` set these."""

    association: Association
    association_roles: frozenset[str]


class StaffRequest(SignedInRequest):
    """A staff page: ``staff_required`` set these after checking the role."""

    association: Association
    association_roles: frozenset[str]
