"""What endorsement tells portfolios (``portfolios.hooks``): a reviewer reads the portfolio of
an application in their round, and the registry of credentials vouches for raters."""

from __future__ import annotations

from typing import Any

from django.db import models

from attunement.endorsement.eligibility import registry_credentials
from attunement.endorsement.models import Assignment, State
from attunement.portfolios.hooks import held_lookup, reader_check
from attunement.portfolios.models import Portfolio


@reader_check
def reviewing(user: Any, portfolio: Portfolio) -> bool:
    """Whether ``user`` reviews an application on ``portfolio`` now: assigned in the current
    round of an application under review (submitted or not; until the round is decided)."""
    return Assignment.objects.filter(
        reviewer=user,
        application__portfolio=portfolio,
        application__state=State.UNDER_REVIEW,
        review_round=models.F("application__review_round"),
    ).exists()


held_lookup(registry_credentials)
