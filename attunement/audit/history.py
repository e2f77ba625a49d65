"""Which objects have a history page, and how a staff page finds them.

An app registers a resolver per model label; the resolver returns the object if it
belongs to the association (and the person may see it) and raises Http404 otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from attunement.associations.models import Association

Resolver = Callable[[Any, "Association", str], models.Model]
_resolvers: dict[str, Resolver] = {}


def register(model_label: str) -> Callable[[Resolver], Resolver]:
    def decorator(resolver: Resolver) -> Resolver:
        _resolvers[model_label] = resolver
        return resolver

    return decorator


def resolve(user: Any, association: Association, target_type: str, target_id: str) -> models.Model:
    resolver = _resolvers.get(target_type)
    if resolver is None:
        raise Http404
    return resolver(user, association, target_id)


def registered_types() -> frozenset[str]:
    return frozenset(_resolvers)
