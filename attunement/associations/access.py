"""The one way into an association's pages and objects.

Every association page resolves its association here. The rule, from the conventions:
an unknown association, or a protected object of another association, is a 404; a person
with a role in the association but not the one a page needs gets a 403; a person with no
role in it at all gets a 404, so staff pages do not reveal more than the public ones.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404

from attunement.associations.models import Association, Role, StaffRole

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def get_association(slug: str) -> Association:
    # select_related: the policy is shown or used on every association page.
    return get_object_or_404(Association.objects.select_related("policy"), slug=slug, is_active=True)


def roles_of(user: Any, association: Association) -> frozenset[str]:
    """The current roles of ``user`` in ``association`` (one query, cached per object pair)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cache: dict[int, frozenset[str]] = user.__dict__.setdefault("_association_roles", {})
    if association.pk not in cache:
        cache[association.pk] = frozenset(
            StaffRole.objects.current().filter(user=user, association=association).values_list("role", flat=True)
        )
    return cache[association.pk]


def association_page[View: Callable[..., HttpResponseBase]](view: View) -> View:
    """A public page of an association: resolves ``association_slug`` into ``request.association``."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, association_slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        request.association = get_association(association_slug)  # type: ignore[attr-defined]
        request.association_roles = roles_of(request.user, request.association)  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return cast(View, login_not_required(wrapper))


def staff_required(*roles: Role) -> Callable[[View], View]:
    """A staff page of an association, open to the given roles (any of them)."""
    allowed = frozenset(roles)
    if not allowed:
        raise ValueError("staff_required needs at least one role")

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, association_slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            association = get_association(association_slug)
            held = roles_of(request.user, association)
            if not held:
                raise Http404
            if not held & allowed:
                raise PermissionDenied
            request.association = association  # type: ignore[attr-defined]
            request.association_roles = held  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return cast(View, wrapper)

    return decorator


def admin_required[View: Callable[..., HttpResponse]](view: View) -> View:
    return staff_required(Role.ADMIN)(view)


def coordinator_required[View: Callable[..., HttpResponse]](view: View) -> View:
    return staff_required(Role.ADMIN, Role.COORDINATOR)(view)


def any_staff_required[View: Callable[..., HttpResponse]](view: View) -> View:
    return staff_required(*Role)(view)


def get_staff_role_for_user(
    user: Any, association: Association, public_id: str | uuid.UUID, *, write: bool = False
) -> StaffRole:
    """A staff role of ``association`` by its public id. Coordinators and admins may see
    roles, only admins change them; another association's role is a 404."""
    held = roles_of(user, association)
    if not held:
        raise Http404
    if not held & ({Role.ADMIN} if write else {Role.ADMIN, Role.COORDINATOR}):
        raise PermissionDenied
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404 from None
    return get_object_or_404(
        # select_related: the role's person and association are shown and audited.
        StaffRole.objects.select_related("user", "association"),
        association=association,
        public_id=key,
    )
