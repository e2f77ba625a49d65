"""Helpers shared by the RS/C tests and the permission table: Riverbend's reviewer persona is
also an RS/C provider (holding IFRS) with a group the applicant asked to join."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from attunement.endorsement.models import Credential
from attunement.rsc.models import Group, IndividualRequest, IndividualSession, Membership, Programme, ProviderProfile


def make_provider(person: Any, association: Any, category: str = "IFRS", **fields: Any) -> ProviderProfile:
    """``person`` holds ``category`` (since 2020, valid for 200 more days) and provides RS/C."""
    if not Credential.objects.filter(person=person, category=category).exists():
        Credential.objects.create(person=person, association=association, category=category, since=date(2020, 1, 1),
                                  valid_through=timezone.localdate() + timedelta(days=200))  # fmt: skip
    defaults = {"offers_group": True, "languages": ["en"], "virtual": True, "regions": "Rutland County", **fields}
    profile, _created = ProviderProfile.objects.get_or_create(person=person, association=association, defaults=defaults)
    return profile


def make_group(profile: ProviderProfile, **fields: Any) -> Group:
    today = timezone.localdate()
    values = {"name": "Home visitors' group", "schedule": "Twice monthly for six months", "starts": today - timedelta(days=60),
              "ends": today + timedelta(days=120), "meeting_hours": Decimal("1.5"), "capacity": 8, **fields}  # fmt: skip
    return Group.objects.create(association=profile.association, provider=profile, **values)


def rsc_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """The reviewer's profile and group; the applicant asked to join it; a session the applicant
    logged with the reviewer, one with a provider without an account, and a programme."""
    if "rsc" in ctx:
        return ctx["rsc"]
    portfolio = ctx["portfolio"]
    association = portfolio.association
    profile = make_provider(ctx["staff_role"].user, association)
    group = make_group(profile)
    applicant = portfolio.person
    membership = Membership.objects.create(group=group, supervisee=applicant)
    today = timezone.localdate()
    session = IndividualSession.objects.create(supervisee=applicant, provider=profile, provider_name="Keisha",
                                               provider_email=profile.person.email, date=today, hours=Decimal(1))  # fmt: skip
    outside = IndividualSession.objects.create(supervisee=applicant, provider_name="Ruth Okafor",
                                               provider_email="ruth@example.org", date=today, hours=Decimal(1),
                                               link_nonce="nonce-rsc")  # fmt: skip
    programme = Programme.objects.create(association=association, name="Home visiting 2026", sector="Home visiting")
    request = IndividualRequest.objects.create(provider=profile, supervisee=applicant, message="Tuesdays suit me.")
    ctx["rsc"] = {"profile": profile, "group": group, "membership": membership, "session": session,
                  "outside": outside, "programme": programme, "request": request}  # fmt: skip
    return ctx["rsc"]


def kw(ctx: dict[str, Any], *names: str, **more: Any) -> dict[str, Any]:
    """Permission-table kwargs naming RS/C objects by public id."""
    world = rsc_world(ctx)
    keys = {"profile": "profile_id", "group": "group_id", "membership": "membership_id", "session": "session_id",
            "programme": "programme_id", "request": "request_id"}  # fmt: skip
    return {**{keys[n]: world[n].public_id for n in names}, **more}


def confirm_token(ctx: dict[str, Any]) -> dict[str, Any]:
    from attunement.rsc.actions import session_token

    return {"token": session_token(rsc_world(ctx)["outside"])}


def attendance_data(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"date": timezone.localdate().isoformat(), "hours": "1.5"}
