"""When things are due (reads, no writes): an application's next review date, a credential's
renewal due dates and what a person holds (their renewal reports: ``eligibility``)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from django.db.models import Min

from attunement.associations.models import Association, ReviewSchedule
from attunement.endorsement.models import Credential, CredentialStatus
from attunement.people.models import User

HELD = [CredentialStatus.ACTIVE, CredentialStatus.EMERITUS]


def next_review_date(association: Association, today: date) -> date | None:
    policy = association.policy
    if policy.review_schedule == ReviewSchedule.MONTHLY:
        return date(today.year + (today.month == 12), today.month % 12 + 1, 1)
    if policy.review_schedule == ReviewSchedule.QUARTERLY:
        for month in (1, 4, 7, 10):
            if date(today.year, month, 1) > today:
                return date(today.year, month, 1)
        return date(today.year + 1, 1, 1)
    if policy.review_schedule == ReviewSchedule.FIXED:
        upcoming = sorted(d for d in (date.fromisoformat(x) for x in policy.review_dates) if d >= today)
        return upcoming[0] if upcoming else None
    if policy.review_schedule == ReviewSchedule.COHORT:
        return today + timedelta(days=policy.application_window_days)
    return None


def due_in(association: Association, year: int) -> date:
    policy = association.policy
    month = policy.renewal_due_month
    return date(year, month, min(policy.renewal_due_day, calendar.monthrange(year, month)[1]))


def first_due(association: Association, since: date) -> date:
    """A new credential is first renewed at the due date of the following year."""
    return due_in(association, since.year + 1)


def held_credentials(person: User, association: Association) -> list[Credential]:
    return list(Credential.objects.filter(person=person, association=association, status__in=HELD).order_by("category"))


def next_renewal_due(person: User, association: Association) -> date | None:
    value = Credential.objects.filter(person=person, association=association, status__in=HELD).aggregate(
        due=Min("valid_through")
    )["due"]
    return value
