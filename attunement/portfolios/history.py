"""History pages for portfolios (see attunement.audit.history)."""

from __future__ import annotations

from typing import Any

from attunement.associations.models import Association
from attunement.audit import history
from attunement.portfolios.access import get_portfolio_for_user
from attunement.portfolios.models import Portfolio


@history.register("portfolios.portfolio")
def _portfolio(user: Any, association: Association, target_id: str) -> Portfolio:
    return get_portfolio_for_user(user, association, target_id)
