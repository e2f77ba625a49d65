"""The demo's part for RS/C (registered in demo/loader.py PARTS).

Jordan Okafor holds IFRS and runs group RS/C in Riverbend's home visiting programme (23 groups
meeting twice monthly for six months, shared with Keisha, who holds IMHS). Alex (aims at IFS)
and three members belong to Jordan's first group, whose past meetings are recorded; today's
meeting is left for the provider to record in the demo. Robin Ellis aims at
IMHS: opening Jordan's group, Robin is warned that it will not count. One individual session
Alex logged with an outside provider waits for confirmation through the signed link."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from attunement.associations.models import Association
from attunement.endorsement.models import Credential
from attunement.people import actions as people_actions
from attunement.people.models import User
from attunement.portfolios import actions as portfolio_actions
from attunement.portfolios.models import Education, Portfolio
from attunement.rsc import actions
from attunement.rsc.models import Group, IndividualSession, Membership, MembershipStatus, Programme, ProviderProfile

if TYPE_CHECKING:
    from attunement.demo.base import Demo

PROGRAMME = "Home visiting reflective groups 2026"
PROVIDER_EMAIL = "rsc.provider@riverbend.example"
SUPERVISEE_EMAIL = "rsc.supervisee@riverbend.example"


def _person(demo: Demo, email: str, legal_name: str, preferred_name: str, languages: list[str]) -> User:
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        return existing
    return people_actions.create_person(actor=demo.operator, email=email, password=demo.password, email_verified=True,
                                        legal_name=legal_name, preferred_name=preferred_name, languages=languages,
                                        region="Addison County", preferred_language="en")  # fmt: skip


def _profile(person: User, association: Association, **fields: Any) -> ProviderProfile:
    existing = ProviderProfile.objects.filter(person=person, association=association).first()
    if existing is not None:
        return existing
    return actions.save_provider_profile(actor=person, person=person, association=association, **fields)


def rsc_demo(demo: Demo) -> None:
    riverbend = demo.associations["riverbend"]
    today = timezone.localdate()
    jordan = _person(demo, PROVIDER_EMAIL, "Jordan Okafor", "Jordan", ["en", "es"])
    if not Credential.objects.filter(person=jordan).exists():
        Credential.objects.create(person=jordan, association=riverbend, category="IFRS", since=date(2021, 4, 1),
                                  valid_through=today + timedelta(days=300))  # fmt: skip
    provider = _profile(jordan, riverbend, accepting_new=True, offers_individual=True, offers_group=True,
                        languages=["en", "es"], virtual=True, regions="Addison County, Chittenden County",
                        fee_range="No fee for programme staff; $70 a session otherwise",
                        focus="Home visitors and early intervention staff; groups in English and Spanish.")  # fmt: skip
    keisha = _profile(demo.personas["reviewer"], riverbend, accepting_new=True, offers_individual=True,
                      offers_group=True, languages=["en"], virtual=False, regions="Rutland County",
                      fee_range="$90–120 a session", focus="Clinical RS/C for IMHS and IMHM-C candidates.")  # fmt: skip
    robin = _person(demo, SUPERVISEE_EMAIL, "Robin Ellis", "Robin", ["en"])
    if not Portfolio.objects.filter(person=robin).exists():
        portfolio = portfolio_actions.start_portfolio(actor=robin, person=robin, association=riverbend, aim="IMHS")
        Education.objects.create(portfolio=portfolio, level="master", field="Clinical social work",
                                 institution="University of Vermont", conferred=date(2020, 5, 16))  # fmt: skip
    if Programme.objects.filter(association=riverbend, name=PROGRAMME).exists():
        return
    starts = today - timedelta(days=70)
    coordinator = demo.personas["coordinator"]
    programme = actions.create_programme(
        actor=coordinator, association=riverbend, name=PROGRAMME, sector="Home visiting", count=23,
        providers=[provider, keisha], schedule="Twice monthly for six months, Tuesdays 10:00–11:30",
        starts=starts, ends=starts + timedelta(days=182), meeting_hours=Decimal("1.5"), capacity=8, language="en",
        virtual=True, region="Addison County",
    )  # fmt: skip
    group = Group.objects.filter(programme=programme, provider=provider).order_by("id").first()
    assert group is not None
    people = [demo.personas["applicant"], *demo.members.get("riverbend", [])[5:8]]
    for person in people[1:]:
        if not Portfolio.objects.filter(person=person).exists():
            portfolio_actions.start_portfolio(actor=person, person=person, association=riverbend, aim="IFS")
    members = []
    for person in people:
        membership = actions.request_to_join(actor=person, group=group)
        members.append(actions.decide_membership(actor=jordan, membership=membership, approve=True))
    Membership.objects.filter(pk__in=[m.pk for m in members]).update(joined_on=starts)
    meeting_days = [starts + timedelta(days=14 * i) for i in range(5)]  # the sixth, today, is recorded in the demo
    for i, day in enumerate(meeting_days):
        present = [m.public_id for j, m in enumerate(members) if (i + j) % 4 != 3]  # someone misses now and then
        actions.record_attendance(actor=jordan, group=group, day=day, hours=Decimal("1.5"), present=present)
    # A member of another group left early: the programme report shows retention below 100%.
    other = Group.objects.filter(programme=programme, provider=keisha).order_by("id").first()
    if other is not None:
        for person in demo.members.get("riverbend", [])[8:11]:
            membership = actions.request_to_join(actor=person, group=other)
            actions.decide_membership(actor=coordinator, membership=membership, approve=True)
        last = Membership.objects.filter(group=other, status=MembershipStatus.ACTIVE).order_by("id").last()
        if last is not None:
            actions.leave_group(actor=last.supervisee, membership=last)
    alex_portfolio = Portfolio.objects.filter(person=demo.personas["applicant"]).first()
    if alex_portfolio is not None and not IndividualSession.objects.filter(supervisee=alex_portfolio.person).exists():
        actions.log_session(actor=alex_portfolio.person, portfolio=alex_portfolio, day=today - timedelta(days=3),
                            hours=Decimal(1), provider_name="Dr. Ruth Okafor",
                            provider_email="r.okafor@mentors.example", site_url="")  # fmt: skip
