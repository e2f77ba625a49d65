"""The ways into applications and the reviewers' work: staff of the application's association
(``get_application_for_user``), the applicant's own (``get_own_application``), and a reviewer's
own assignment or Part 2 reading (``get_own_assignment``, ``get_own_reading``). Another
association's object, or anyone else's, is a 404; staff without the role get a 403; nobody
handles their own application as staff (a 403)."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from attunement.associations.access import roles_of
from attunement.associations.models import Association, Role
from attunement.endorsement.models import Application, Assignment, Part2Score


def _key(public_id: Any) -> uuid.UUID:
    try:
        return uuid.UUID(str(public_id))
    except ValueError:
        raise Http404 from None


def get_application_for_user(
    user: Any, association: Association, public_id: Any, *, roles: frozenset[str] | None = None
) -> Application:
    """An application of ``association`` for its coordinators and admins (or ``roles``);
    another association's is a 404."""
    held = roles_of(user, association)
    if not held:
        raise Http404
    if not held & (roles or {Role.ADMIN, Role.COORDINATOR}):
        raise PermissionDenied
    key = _key(public_id)
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


def get_own_application(user: Any, public_id: Any) -> Application:
    """One of the applicant's own applications; anyone else's is a 404."""
    key = _key(public_id)
    # select_related: the page shows the association, its policy and the person.
    return get_object_or_404(
        Application.objects.select_related("association__policy", "portfolio__person", "rule_set"),
        public_id=key,
        portfolio__person=user,
    )


def get_own_assignment(user: Any, association: Association, public_id: Any) -> Assignment:
    """One of the reviewer's own assignments at ``association``; anyone else's is a 404."""
    key = _key(public_id)
    return get_object_or_404(
        Assignment.objects.select_related(
            "application__portfolio__person", "application__association", "application__rule_set"
        ),
        public_id=key,
        reviewer=user,
        application__association=association,
    )


def get_own_reading(user: Any, association: Association, public_id: Any) -> Part2Score:
    """A Part 2 reading given to the user at ``association``; anyone else's is a 404."""
    key = _key(public_id)
    return get_object_or_404(
        Part2Score.objects.select_related("sitting"),
        public_id=key,
        reader=user,
        sitting__application__association=association,
    )
