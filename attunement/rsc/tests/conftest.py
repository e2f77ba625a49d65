from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from attunement.portfolios import actions as portfolio_actions
from attunement.portfolios.models import Education, Portfolio
from attunement.rsc.models import Group, Membership, MembershipStatus, ProviderProfile
from attunement.rsc.tests.fixtures import make_group, make_provider


@dataclass
class World:
    provider: ProviderProfile
    group: Group
    alex: Any  # aims at IFS
    robin: Any  # aims at IMHS
    alex_portfolio: Portfolio
    robin_portfolio: Portfolio
    alex_member: Membership
    robin_member: Membership


def join_active(group: Group, person: Any) -> Membership:
    return Membership.objects.create(group=group, supervisee=person, status=MembershipStatus.ACTIVE,
                                     joined_on=group.starts)  # fmt: skip


@pytest.fixture
def world(personas: dict[str, Any], riverbend: Any, applicant_portfolio: Portfolio, make_person: Any) -> World:
    """Keisha (the reviewer persona) holds IFRS and runs a group; Alex (aims at IFS) and Robin
    (a master's, aims at IMHS) are members."""
    provider = make_provider(personas["reviewer"], riverbend)
    group = make_group(provider)
    robin = make_person("robin@example.org", legal_name="Robin Ellis")
    robin_portfolio = portfolio_actions.start_portfolio(actor=robin, person=robin, association=riverbend, aim="IMHS")
    Education.objects.create(portfolio=robin_portfolio, level="master", field="Social work", conferred=date(2019, 5, 1))
    return World(provider, group, personas["applicant"], robin, applicant_portfolio, robin_portfolio,
                 join_active(group, personas["applicant"]), join_active(group, robin))  # fmt: skip


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def yesterday(today: date) -> date:
    return today - timedelta(days=1)
