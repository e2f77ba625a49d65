"""History pages for applications (see attunement.audit.history)."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from attunement.associations.access import roles_of
from attunement.associations.models import Association, Role
from attunement.audit import history
from attunement.endorsement.models import Application


def get_application_for_staff(
    user: Any, association: Association, public_id: Any, *, roles: frozenset[str] | None = None
) -> Application:
    """An application of ``association``; another association's is a 404."""
    held = roles_of(user, association)
    if not held:
        raise Http404
    if not held & (roles or {Role.ADMIN, Role.COORDINATOR}):
        raise PermissionDenied
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404 from None
    # select_related: the pages show the person, the association's policy and the rule set.
    application = get_object_or_404(
        Application.objects.select_related("portfolio__person", "association__policy", "rule_set", "advisor"),
        association=association,
        public_id=key,
    )
    if application.portfolio.person_id == getattr(user, "pk", None):
        # Nobody handles their own application (or reaches their portfolio) as staff.
        raise PermissionDenied
    return application


@history.register("endorsement.application")
def _application(user: Any, association: Association, target_id: str) -> Application:
    return get_application_for_staff(user, association, target_id)
