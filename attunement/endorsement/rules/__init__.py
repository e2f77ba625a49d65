"""The pure heart of Attunement: portfolios, rule sets and the eligibility engine.

Nothing here imports Django; the same functions serve pages, renewals, batch checks and
the command line.
"""

from attunement.endorsement.rules.engine import evaluate
from attunement.endorsement.rules.portfolio import Portfolio, PortfolioError
from attunement.endorsement.rules.reading import parse_portfolio
from attunement.endorsement.rules.ruleset import RuleSet, RuleSetError, load_raw, load_shipped

__all__ = [
    "Portfolio",
    "PortfolioError",
    "RuleSet",
    "RuleSetError",
    "evaluate",
    "load_raw",
    "load_shipped",
    "parse_portfolio",
]
