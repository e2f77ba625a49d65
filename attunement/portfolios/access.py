"""The ways into portfolios: the owner's own (``get_own_portfolio``, ``get_own_reference``), and
staff of the portfolio's association (``get_portfolio_for_user``); an entry of a portfolio
reached either way through ``get_entry``.

Coordinators and admins see every portfolio of their association; a reviewer sees one only
when an app above says so (endorsement: through an active review assignment, an application on
it under review in the reviewer's round; see ``portfolios.hooks``). Exam readers get none: they
read blind. Nobody reaches their own portfolio through the staff pages, whatever their roles:
they see it as its owner."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404

from attunement.associations.access import roles_of
from attunement.associations.models import Association, Role
from attunement.portfolios.hooks import may_read
from attunement.portfolios.models import Portfolio, Reference

# Roles that may come into a portfolio's staff pages at all (a reviewer only through an assignment).
PORTFOLIO_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR, Role.REVIEWER})
# Roles that see (list) every portfolio of the association and verify entries.
VERIFYING_ROLES = frozenset({Role.ADMIN, Role.COORDINATOR})
LISTING_ROLES = VERIFYING_ROLES


def get_portfolio_for_user(
    user: Any, association: Association, public_id: str | uuid.UUID, *, write: bool = False
) -> Portfolio:
    """A portfolio of ``association`` by its public id: another association's is a 404; one's
    own is a 403 (staff pages are not the way into it); a reviewer without an active
    assignment on it gets a 404."""
    held = roles_of(user, association)
    if not held:
        raise Http404
    if not held & (VERIFYING_ROLES if write else PORTFOLIO_ROLES):
        raise PermissionDenied
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404 from None
    # select_related: the page shows the person and the association.
    portfolio = get_object_or_404(
        Portfolio.objects.select_related("person", "association"), association=association, public_id=key
    )
    if portfolio.person_id == user.pk:
        raise PermissionDenied
    if not held & VERIFYING_ROLES and not may_read(user, portfolio):
        raise Http404
    return portfolio


def get_entry[M: models.Model](model: type[M], portfolio: Portfolio, public_id: str | uuid.UUID) -> M:
    """An entry of ``portfolio`` (reached through one of the helpers here); another
    portfolio's is a 404."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404 from None
    return get_object_or_404(model, portfolio=portfolio, public_id=key)


def get_own_portfolio(user: Any) -> Portfolio | None:
    """The person's own portfolio, or None before they start one."""
    # select_related: every portfolio page shows the association and uses its rule set.
    return Portfolio.objects.select_related("association", "person").filter(person=user).first()


def get_own_reference(user: Any, public_id: str | uuid.UUID) -> Reference:
    """A reference asked for on the person's own portfolio; anyone else's is a 404."""
    portfolio = get_own_portfolio(user)
    if portfolio is None:
        raise Http404
    return get_entry(Reference, portfolio, public_id)
