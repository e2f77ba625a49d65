"""Issue 27, item 1: RS/C hours cannot be self-confirmed. A person's own addresses are refused
as a provider; a provider who confirms through the link without an Endorsement here is "an
unverified provider" whose hours do not count until staff verify their standing; a provider
who holds an Endorsement here is verified from the registry; hours per session, per day and
per provider stay within the association's limits (rsc.models.RSCPolicy)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from attunement.audit.models import AuditEvent
from attunement.endorsement.eligibility import judge
from attunement.endorsement.models import Credential
from attunement.lib.testing import race
from attunement.portfolios.actions import verify_provider_standing
from attunement.portfolios.models import RSC, Provenance
from attunement.rsc import actions
from attunement.rsc.models import IndividualSession, RSCPolicy, SessionStatus
from attunement.rsc.tests.conftest import World

pytestmark = pytest.mark.django_db

OTHER_MAILBOX = "alex.private@example.net"  # a mailbox Alex controls that no account lists


def log_form(client: Any, day: date, hours: str, email: str, name: str = "Dr. A. Provider") -> Any:
    return client.post(reverse("rsc_me:log_session"),
                       {"date": day.isoformat(), "hours": hours, "provider_name": name, "provider_email": email})  # fmt: skip


def confirm_by_link(client: Any, session: IndividualSession, **answer: str) -> Any:
    url = reverse("rsc_confirm", kwargs={"token": actions.session_token(session)})
    return client.post(url, {"answer": "confirm", **answer})


def rsc_requirement(world: World) -> dict[str, Any]:
    report = judge(world.alex_portfolio, "IFS").report
    return next(r for r in report["requirements"] if r["id"] == "rsc")


def test_the_applicants_own_addresses_are_refused_as_provider(
    world: World, client_for: Any, django_capture_on_commit_callbacks: Any, yesterday: date
) -> None:
    from django.core import mail

    alex = world.alex
    alex.secondary_email = "alex.home@example.com"
    alex.save(update_fields=["secondary_email"])
    EmailAddress.objects.create(user=alex, email="a.rivera@work.example", verified=False, primary=False)
    page = client_for(alex)
    for own in (alex.email.upper(), "Alex.Home@Example.com", "a.rivera@WORK.example",
                alex.email.replace("@", "+rsc@")):  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            response = log_form(page, yesterday, "1", own)
        assert response.status_code == 200
        assert "one of your own email addresses" in " ".join(response.context["form"].errors["provider_email"])
    assert not IndividualSession.objects.exists()
    assert not RSC.objects.filter(portfolio=world.alex_portfolio).exists()
    assert mail.outbox == []


def test_self_confirmed_hours_through_the_link_do_not_count_until_staff_verify_the_providers_standing(
    world: World, client: Any, client_for: Any, personas: dict[str, Any], today: date
) -> None:
    """The reproduction: Alex names a second mailbox as a provider without an account, opens
    the link, declares IMHM-C since 2005 and confirms. Before the fix: provider provenance and
    the RS/C requirement counted the hours."""
    sessions = []
    for weeks in range(9):  # 9 x 4 h = 36 h over a year
        day = today - timedelta(days=7 + 45 * weeks)
        sessions.append(actions.log_session(actor=world.alex, portfolio=world.alex_portfolio, day=day,
                                            hours=Decimal(4), provider_name="Dr. A. Provider",
                                            provider_email=OTHER_MAILBOX))  # fmt: skip
    for session in sessions:
        response = confirm_by_link(client, session, category="IMHM-C", since="2005-01-01")
        assert "Thank you" in response.content.decode()
    entries = list(RSC.objects.filter(portfolio=world.alex_portfolio))
    assert len(entries) == 9
    assert {e.provenance for e in entries} == {Provenance.RSC_LINK}
    assert not any(e.confirmed for e in entries)
    assert {e.provider_category for e in entries} == {"IMHM-C"}  # what they said is kept for staff
    req = rsc_requirement(world)
    assert req["status"] == "unmet"
    assert req["progress"]["have"] == 0
    assert {x["why"] for x in req["excluded"]} == {
        "confirmed by an unverified provider: it counts once staff verify the provider's standing"
    }
    # Alex is told why in "what do I still need".
    needs = client_for(world.alex).get(reverse("portfolio:needs"))
    [rsc] = [n for n in needs.context["needs"] if n.id == "rsc"]
    assert "36 RS/C hours were confirmed by a provider whose standing staff have not verified yet" in rsc.next_step
    # Staff see it as such, with the action to settle it.
    url = reverse("portfolio_staff:detail",
                  kwargs={"association_slug": "riverbend", "portfolio_id": world.alex_portfolio.public_id})  # fmt: skip
    coordinator = client_for(personas["coordinator"])
    page = coordinator.get(url).content.decode()
    assert "Confirmed by an unverified provider" in page
    assert "Save standing" in page
    # The coordinator checks the registry: the provider is not there.
    standing = reverse("portfolio_staff:standing", kwargs={"association_slug": "riverbend",
                       "portfolio_id": world.alex_portfolio.public_id, "section": "rsc",
                       "entry_id": entries[0].public_id})  # fmt: skip
    assert coordinator.post(standing, {"decision": "rejected", "reason": ""}).status_code == 302
    assert RSC.objects.get(pk=entries[0].pk).provenance == Provenance.RSC_LINK  # a reason is needed
    assert coordinator.post(standing, {"decision": "rejected", "reason": "Not on any registry"}).status_code == 302
    rejected = RSC.objects.get(pk=entries[0].pk)
    assert (rejected.verification, rejected.verification_reason) == ("rejected", "Not on any registry")
    assert rsc_requirement(world)["progress"]["have"] == 0
    assert AuditEvent.objects.filter(verb="portfolios.rsc.standing_rejected").count() == 1
    # A reviewer may read portfolios but not settle standing.
    other = reverse("portfolio_staff:standing", kwargs={"association_slug": "riverbend",
                    "portfolio_id": world.alex_portfolio.public_id, "section": "rsc",
                    "entry_id": entries[1].public_id})  # fmt: skip
    assert client_for(personas["reviewer"]).post(other, {"decision": "verified"}).status_code == 403


def test_staff_verifying_the_providers_standing_makes_the_hours_count(
    world: World, client: Any, client_for: Any, personas: dict[str, Any], today: date
) -> None:
    session = actions.log_session(actor=world.alex, portfolio=world.alex_portfolio, day=today - timedelta(days=2),
                                  hours=Decimal(3), provider_name="Ruth Okafor", provider_email="ruth@example.org")  # fmt: skip
    confirm_by_link(client, session, category="IMHM-C", since="2012-01-01")
    entry = RSC.objects.get(rsc_session=session)
    assert rsc_requirement(world)["progress"]["have"] == 0
    url = reverse("portfolio_staff:standing", kwargs={"association_slug": "riverbend",
                  "portfolio_id": world.alex_portfolio.public_id, "section": "rsc", "entry_id": entry.public_id})  # fmt: skip
    response = client_for(personas["coordinator"]).post(
        url, {"decision": "verified", "category": "IMHS", "since": "2014-06-01"}
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.provenance == Provenance.RSC_PROVIDER
    assert entry.confirmed
    assert (entry.provider_category, entry.provider_since) == ("IMHS", date(2014, 6, 1))  # what the registry says
    assert rsc_requirement(world)["progress"]["have"] == 3
    [event] = AuditEvent.objects.filter(verb="portfolios.rsc.standing_verified")
    assert event.actor == personas["coordinator"]
    with pytest.raises(actions.ActionRefused):  # settled once
        verify_provider_standing(actor=personas["coordinator"], entry=entry, verified=True)
    assert AuditEvent.objects.filter(verb__startswith="portfolios.rsc.standing").count() == 1


def test_a_provider_endorsed_here_is_verified_from_the_registry_not_from_what_they_say(
    world: World, client: Any, make_person: Any, riverbend: Any, today: date
) -> None:
    ruth = make_person("ruth.okafor@mentors.example", legal_name="Ruth Okafor")
    Credential.objects.create(person=ruth, association=riverbend, category="IMHS", since=date(2016, 2, 1))
    EmailAddress.objects.create(user=ruth, email="r.okafor@home.example", verified=True, primary=False)
    for address, declared in (("Ruth.Okafor@mentors.example", "IMHM-C"), ("r.okafor@home.example", "")):
        session = actions.log_session(actor=world.alex, portfolio=world.alex_portfolio, day=today - timedelta(days=1),
                                      hours=Decimal(2), provider_name="Ruth Okafor", provider_email=address)  # fmt: skip
        confirm_by_link(client, session, category=declared, since="2001-01-01" if declared else "")
        entry = RSC.objects.get(rsc_session=session)
        assert entry.provenance == Provenance.RSC_PROVIDER
        assert (entry.provider_category, entry.provider_since) == ("IMHS", date(2016, 2, 1))
    assert rsc_requirement(world)["progress"]["have"] == 4


def test_an_address_the_applicant_adds_after_logging_cannot_confirm(world: World, client: Any, today: date) -> None:
    session = actions.log_session(actor=world.alex, portfolio=world.alex_portfolio, day=today - timedelta(days=1),
                                  hours=Decimal(2), provider_name="Someone", provider_email=OTHER_MAILBOX)  # fmt: skip
    world.alex.secondary_email = OTHER_MAILBOX
    world.alex.save(update_fields=["secondary_email"])
    response = confirm_by_link(client, session, category="IMHM-C", since="2005-01-01")
    assert response.status_code == 410
    assert "cannot confirm their own" in response.content.decode()
    assert IndividualSession.objects.get(pk=session.pk).status == SessionStatus.LOGGED
    assert RSC.objects.get(rsc_session=session).provenance == Provenance.SELF


def test_a_declined_session_leaves_the_portfolio(world: World, client: Any, today: date) -> None:
    session = actions.log_session(actor=world.alex, portfolio=world.alex_portfolio, day=today - timedelta(days=1),
                                  hours=Decimal(2), provider_name="Ruth", provider_email="ruth@example.org")  # fmt: skip
    assert RSC.objects.filter(portfolio=world.alex_portfolio).count() == 1
    confirm_by_link(client, session, answer="decline")
    session.refresh_from_db()
    assert session.status == SessionStatus.DECLINED
    assert session.entry is None
    assert not RSC.objects.filter(portfolio=world.alex_portfolio).exists()
    assert AuditEvent.objects.filter(verb="rsc.session.declined").count() == 1


def test_three_sessions_of_12_hours_on_one_date_are_refused(world: World, client_for: Any, yesterday: date) -> None:
    """The reproduction: 3 x 12 h on one date were accepted. Defaults: at most 4 h a session,
    8 h a day for a person, 8 h a day for one provider."""
    page = client_for(world.alex)
    response = log_form(page, yesterday, "12", "ruth@example.org")
    assert "One session lasts at most 4 hours here." in response.context["form"].errors["hours"]
    assert log_form(page, yesterday, "4", "ruth@example.org").status_code == 302
    assert log_form(page, yesterday, "4", "lee@example.org").status_code == 302
    third = log_form(page, yesterday, "1", "kim@example.org")
    assert "at most 8 hours a day are accepted" in " ".join(third.context["form"].errors["hours"])
    assert sum(s.hours for s in IndividualSession.objects.filter(supervisee=world.alex)) == 8
    assert AuditEvent.objects.filter(verb="rsc.session.logged").count() == 2


def test_one_provider_gives_at_most_the_limit_a_day_across_supervisees(world: World, yesterday: date) -> None:
    for who, portfolio in ((world.alex, world.alex_portfolio), (world.robin, world.robin_portfolio)):
        actions.log_session(actor=who, portfolio=portfolio, day=yesterday, hours=Decimal(4), provider_name="Ruth",
                            provider_email="ruth@example.org")  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        actions.log_session(actor=world.alex, portfolio=world.alex_portfolio, day=yesterday, hours=Decimal(1),
                            provider_name="Ruth", provider_email="Ruth+again@Example.org")  # fmt: skip
    assert "This provider would have given 9 hours" in caught.value.message_dict["hours"][0]


def test_the_limits_are_the_associations_policy(world: World, riverbend: Any, yesterday: date) -> None:
    RSCPolicy.objects.create(association=riverbend, max_session_hours=Decimal(6), max_hours_per_day=Decimal(6),
                             max_provider_hours_per_day=Decimal(20))  # fmt: skip
    actions.log_session(actor=world.alex, portfolio=world.alex_portfolio, day=yesterday, hours=Decimal(6),
                        provider_name="Ruth", provider_email="ruth@example.org")  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        actions.log_session(actor=world.alex, portfolio=world.alex_portfolio, day=yesterday, hours=Decimal("0.5"),
                            provider_name="Lee", provider_email="lee@example.org")  # fmt: skip
    assert "at most 6 hours a day" in caught.value.message_dict["hours"][0]


def test_group_hours_on_the_same_date_count_toward_the_daily_limit(world: World, yesterday: date) -> None:
    actions.record_attendance(actor=world.provider.person, group=world.group, day=yesterday, hours=Decimal(6),
                              present=[world.alex_member.public_id])  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        actions.log_session(actor=world.alex, portfolio=world.alex_portfolio, day=yesterday, hours=Decimal(3),
                            provider_name="Ruth", provider_email="ruth@example.org")  # fmt: skip
    assert "You would have 9 hours of RS/C" in caught.value.message_dict["hours"][0]


@pytest.mark.django_db(transaction=True)
def test_two_sessions_logged_at_once_cannot_pass_the_daily_limit_together(
    personas: dict[str, Any], riverbend: Any, applicant_portfolio: Any
) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    alex = personas["applicant"]

    def log(email: str) -> Any:
        return lambda: actions.log_session(actor=alex, portfolio=applicant_portfolio, day=yesterday,
                                           hours=Decimal(4), provider_name="P", provider_email=email)  # fmt: skip

    actions.log_session(actor=alex, portfolio=applicant_portfolio, day=yesterday, hours=Decimal(3),
                        provider_name="P", provider_email="first@example.org")  # fmt: skip
    result = race(log("a@example.org"), log("b@example.org"))
    assert len(result.results) == 1
    assert len(result.errors) == 1
    assert isinstance(result.errors[0], ValidationError)
    assert IndividualSession.objects.filter(supervisee=alex).count() == 2
    assert AuditEvent.objects.filter(verb="rsc.session.logged").count() == 2
