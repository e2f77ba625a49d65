"""Who may run a session: the association's coordinators and admins, its trainers who lead
the session, and the approved trainers its provider lists (who also hold the trainer role).
The ways in: ``get_session_for_user``, ``get_course_for_user`` (staff) and
``get_own_certificate`` (the person's own credited registration)."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from attunement.associations.access import roles_of
from attunement.associations.models import Association, Role
from attunement.training.models import Course, Registration, Session

MANAGERS = frozenset({Role.ADMIN, Role.COORDINATOR})


def can_manage(user: Any, session: Session, roles: frozenset[str] | None = None) -> bool:
    held = roles if roles is not None else roles_of(user, session.association)
    if held & MANAGERS:
        return True
    if Role.TRAINER not in held:
        return False
    return session.trainer_id == user.pk or session.course.provider.trainers.filter(pk=user.pk).exists()


def can_decide_courses(user: Any, association: Association) -> bool:
    return bool(roles_of(user, association) & MANAGERS)


def get_session_for_user(
    user: Any, association: Association, public_id: str | uuid.UUID, *, write: bool = False
) -> Session:
    """A session of ``association``; with ``write``, only for those who run it (403 otherwise).
    Another association's or an unknown session is a 404."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404 from None
    # select_related: the course, its provider and the association are shown on every session page.
    session = (
        Session.objects.select_related("course", "course__provider", "association", "trainer")
        .filter(association=association, public_id=key)
        .first()
    )
    if session is None:
        raise Http404
    if write and not can_manage(user, session):
        raise PermissionDenied
    return session


def get_course_for_user(user: Any, association: Association, public_id: uuid.UUID) -> Course:
    """A course of ``association`` for its staff (the page's decorator checks the role);
    another association's is a 404."""
    return get_object_or_404(Course, association=association, public_id=public_id)


def get_own_certificate(user: Any, public_id: uuid.UUID) -> Registration:
    """The person's own registration with credited hours on a finalised session (what an
    attendance certificate is of); anyone else's, or one without a certificate, is a 404."""
    registration = (
        Registration.objects.select_related("person", "session__course__provider", "session__association")
        .filter(public_id=public_id, person=user, credited_hours__gt=0)
        .exclude(session__finalised_at__isnull=True)
        .first()
    )
    if registration is None:
        raise Http404
    return registration
