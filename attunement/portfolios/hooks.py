"""What only the apps above portfolios can say about one, asked without depending on them.

Portfolios sit below endorsement, which judges them. Two questions have their answer there:

- May a staff member who is neither coordinator nor admin (a reviewer) read this portfolio?
  Endorsement answers "yes, while an application on it is in the reviewer's round".
- Which Endorsements does the person at an address hold here, highest first? It decides
  whether a rater is vouched for by the registry.

Each answering app registers its function when it starts (``AppConfig.ready``); with nothing
registered, nobody else may read a portfolio and nobody is vouched for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from attunement.portfolios.models import Portfolio

ReaderCheck = Callable[[Any, "Portfolio"], bool]
HeldLookup = Callable[[str, date], list[tuple[str, date]]]

READER_CHECKS: list[ReaderCheck] = []
HELD_LOOKUPS: list[HeldLookup] = []


def reader_check(check: ReaderCheck) -> ReaderCheck:
    """Register ``check(user, portfolio)``: whether ``user`` may read ``portfolio`` as staff."""
    if check not in READER_CHECKS:
        READER_CHECKS.append(check)
    return check


def held_lookup(lookup: HeldLookup) -> HeldLookup:
    """Register ``lookup(address, on)``: ``(category, since)`` held on ``on``, highest first."""
    if lookup not in HELD_LOOKUPS:
        HELD_LOOKUPS.append(lookup)
    return lookup


def may_read(user: Any, portfolio: Portfolio) -> bool:
    return any(check(user, portfolio) for check in READER_CHECKS)


def held_by_address(address: str, on: date) -> list[tuple[str, date]]:
    for lookup in HELD_LOOKUPS:
        if held := lookup(address, on):
            return held
    return []
