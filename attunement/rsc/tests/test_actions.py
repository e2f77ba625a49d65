from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from attunement.audit.models import AuditEvent
from attunement.endorsement.eligibility import judge
from attunement.lib.errors import ActionRefused
from attunement.portfolios.models import RSC, Provenance
from attunement.rsc import actions
from attunement.rsc.models import Attendance, Group, Meeting, Membership, MembershipStatus, Programme
from attunement.rsc.tests.conftest import World
from attunement.rsc.tests.fixtures import make_group, make_provider

pytestmark = pytest.mark.django_db


def events(verb: str) -> int:
    return AuditEvent.objects.filter(verb=verb).count()


def test_a_provider_saves_a_profile_once_and_changes_it(personas: dict[str, Any], riverbend: Any) -> None:
    tom = personas["trainer"]
    profile = actions.save_provider_profile(actor=tom, person=tom, association=riverbend, accepting_new=True,
                                            offers_group=True, languages=["en", "vi"], fee_range="$60–90")  # fmt: skip
    assert events("rsc.provider.created") == 1
    again = actions.save_provider_profile(actor=tom, person=tom, association=riverbend, accepting_new=False)
    assert again.pk == profile.pk
    assert not again.accepting_new
    assert again.languages == ["en", "vi"]
    assert events("rsc.provider.changed") == 1
    with pytest.raises(ValidationError) as error:
        actions.save_provider_profile(actor=tom, person=tom, association=riverbend, languages=["klingon"])
    assert "languages" in error.value.message_dict
    with pytest.raises(ValueError, match="vetted"):
        actions.save_provider_profile(actor=tom, person=tom, association=riverbend, vetted=True)


@pytest.mark.django_db(transaction=True)
def test_a_profile_saved_twice_at_once_is_made_once(personas: dict[str, Any], riverbend: Any) -> None:
    """Issue 16.1: two first saves at once make one profile and one change, not an error."""
    from attunement.lib.testing import race
    from attunement.rsc.models import ProviderProfile

    tom = personas["trainer"]

    def save(accepting: bool) -> Any:
        return lambda: actions.save_provider_profile(
            actor=tom, person=tom, association=riverbend, accepting_new=accepting
        )

    outcome = race(save(True), save(False))
    assert outcome.errors == []
    assert ProviderProfile.objects.filter(person=tom, association=riverbend).count() == 1
    assert events("rsc.provider.created") == 1
    assert events("rsc.provider.changed") == 1


def test_staff_vet_a_provider_and_withdraw_it(world: World, personas: dict[str, Any]) -> None:
    coordinator = personas["coordinator"]
    actions.vet_provider(actor=coordinator, profile=world.provider, vetted=True)
    world.provider.refresh_from_db()
    assert world.provider.vetted
    assert world.provider.vetted_by == coordinator
    assert events("rsc.provider.vetted") == 1
    with pytest.raises(ActionRefused):
        actions.vet_provider(actor=coordinator, profile=world.provider, vetted=True)
    actions.vet_provider(actor=coordinator, profile=world.provider, vetted=False)
    assert events("rsc.provider.unvetted") == 1
    assert events("rsc.provider.vetted") == 1


def test_a_group_needs_a_provider_of_its_association(world: World, cascade: Any, personas: dict[str, Any]) -> None:
    fields = {"name": "G", "schedule": "Weekly", "starts": date(2026, 1, 1), "ends": date(2026, 6, 30),
              "meeting_hours": Decimal("1.5"), "capacity": 6, "language": "en"}  # fmt: skip
    group = actions.create_group(actor=personas["coordinator"], association=world.group.association,
                                 provider=world.provider, **fields)  # fmt: skip
    assert events("rsc.group.created") == 1
    assert group.provider == world.provider
    with pytest.raises(ValidationError) as error:
        actions.create_group(actor=personas["outsider"], association=cascade, provider=world.provider, **fields)
    assert "provider" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.create_group(actor=personas["coordinator"], association=world.group.association, provider=world.provider,
                             **{**fields, "ends": date(2025, 12, 1)})  # fmt: skip
    assert events("rsc.group.created") == 1


def test_joining_approving_declining_leaving(world: World, personas: dict[str, Any]) -> None:
    tom = personas["trainer"]
    membership = actions.request_to_join(actor=tom, group=world.group)
    assert membership.status == MembershipStatus.REQUESTED
    assert events("rsc.membership.requested") == 1
    with pytest.raises(ActionRefused):
        actions.request_to_join(actor=tom, group=world.group)
    with pytest.raises(ActionRefused):
        actions.request_to_join(actor=world.provider.person, group=world.group)
    actions.decide_membership(actor=world.provider.person, membership=membership, approve=True)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.joined_on is not None
    with pytest.raises(ActionRefused):
        actions.decide_membership(actor=world.provider.person, membership=membership, approve=False)
    actions.leave_group(actor=tom, membership=membership)
    with pytest.raises(ActionRefused):
        actions.leave_group(actor=tom, membership=membership)
    again = actions.request_to_join(actor=tom, group=world.group)
    actions.decide_membership(actor=personas["coordinator"], membership=again, approve=False)
    assert Membership.objects.get(pk=again.pk).status == MembershipStatus.DECLINED
    assert events("rsc.membership.approved") == 1
    assert events("rsc.membership.declined") == 1
    assert events("rsc.membership.left") == 1
    assert events("rsc.membership.requested") == 2


def test_a_full_group_refuses_and_an_ended_group_cannot_be_joined(world: World, personas: dict[str, Any]) -> None:
    Group.objects.filter(pk=world.group.pk).update(capacity=2)
    request = actions.request_to_join(actor=personas["trainer"], group=world.group)
    with pytest.raises(ActionRefused, match="full"):
        actions.decide_membership(actor=world.provider.person, membership=request, approve=True)
    ended = make_group(world.provider, starts=date(2024, 1, 1), ends=date(2024, 6, 1))
    with pytest.raises(ActionRefused, match="ended"):
        actions.request_to_join(actor=personas["trainer"], group=ended)
    assert events("rsc.membership.approved") == 0


def record(world: World, day: date, present: list[Any], hours: str = "1.5") -> Meeting:
    return actions.record_attendance(actor=world.provider.person, group=world.group, day=day, hours=Decimal(hours),
                                     present=[m.public_id for m in present])  # fmt: skip


def test_attendance_becomes_confirmed_group_rsc_with_the_providers_credential(world: World, yesterday: date) -> None:
    meeting = record(world, yesterday, [world.alex_member, world.robin_member])
    assert events("rsc.meeting.recorded") == 1
    entry = RSC.objects.get(portfolio=world.alex_portfolio)
    assert (entry.format, entry.start, entry.end, entry.hours) == ("group", yesterday, yesterday, Decimal("1.5"))
    assert entry.provenance == Provenance.RSC_PROVIDER
    assert entry.confirmed
    assert (entry.provider_category, entry.provider_since) == ("IFRS", date(2020, 1, 1))
    assert entry.provider_email == world.provider.person.email
    assert Attendance.objects.filter(meeting=meeting, present=True).count() == 2


def test_the_entry_names_the_highest_credential_that_qualifies_for_the_member(world: World, yesterday: date) -> None:
    from attunement.endorsement.models import Credential

    Credential.objects.create(person=world.provider.person, association=world.group.association, category="IMHS",
                              since=date(2021, 1, 1))  # fmt: skip
    Credential.objects.create(person=world.provider.person, association=world.group.association, category="ERS",
                              since=date(2021, 1, 1))  # fmt: skip
    record(world, yesterday, [world.alex_member, world.robin_member])
    assert RSC.objects.get(portfolio=world.robin_portfolio).provider_category == "IMHS"
    assert RSC.objects.get(portfolio=world.alex_portfolio).provider_category == "IMHS"


def test_recording_the_same_meeting_again_updates_instead_of_adding(world: World, yesterday: date) -> None:
    record(world, yesterday, [world.alex_member, world.robin_member])
    record(world, yesterday, [world.alex_member, world.robin_member], hours="2")
    assert Meeting.objects.count() == 1
    assert RSC.objects.filter(portfolio=world.alex_portfolio).count() == 1
    assert RSC.objects.get(portfolio=world.alex_portfolio).hours == Decimal(2)
    record(world, yesterday, [world.alex_member])  # Robin was absent after all
    assert not RSC.objects.filter(portfolio=world.robin_portfolio).exists()
    assert RSC.objects.filter(portfolio=world.alex_portfolio).count() == 1
    assert events("rsc.meeting.recorded") == 3
    # Each change went through the portfolio's actions and left the portfolio's event.
    assert events("portfolios.rsc.credited") == 2
    assert events("portfolios.rsc.credit_changed") == 3  # both members, then Alex again
    withdrawn = AuditEvent.objects.get(verb="portfolios.rsc.credit_withdrawn")
    assert withdrawn.target_id == str(world.robin_portfolio.public_id)
    assert withdrawn.data["source"].startswith("rsc.meeting:")


def test_only_the_provider_records_and_only_for_members_on_group_dates(
    world: World, personas: dict[str, Any], today: date, yesterday: date
) -> None:
    with pytest.raises(ActionRefused):
        actions.record_attendance(actor=personas["coordinator"], group=world.group, day=yesterday,
                                  hours=Decimal(1), present=[])  # fmt: skip
    with pytest.raises(ValidationError) as error:
        record(world, world.group.starts - timedelta(days=1), [])
    assert "date" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record(world, today + timedelta(days=1), [])
    assert "date" in error.value.message_dict
    stranger = Membership.objects.create(group=make_group(world.provider), supervisee=personas["trainer"],
                                         status=MembershipStatus.ACTIVE, joined_on=world.group.starts)  # fmt: skip
    with pytest.raises(ValidationError) as error:
        record(world, yesterday, [stranger])
    assert "present" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        record(world, yesterday, [], hours="0")
    assert "hours" in error.value.message_dict
    assert Meeting.objects.count() == 0
    assert not RSC.objects.exists()
    assert events("rsc.meeting.recorded") == 0


def rsc_have(portfolio: Any, category: str) -> float:
    report = judge(portfolio, category).report
    req = next(r for r in report["requirements"] if r["id"] == "rsc")
    return float(req["progress"]["have"])


def test_recording_attendance_changes_the_supervisees_engine_report(world: World, yesterday: date) -> None:
    """The issue's 'done when': the meeting's hours reach Alex's 'what do I still need'."""
    assert rsc_have(world.alex_portfolio, "IFS") == 0
    record(world, yesterday, [world.alex_member, world.robin_member])
    record(world, yesterday - timedelta(days=14), [world.alex_member, world.robin_member])
    assert rsc_have(world.alex_portfolio, "IFS") == 3.0
    # Robin aims at IMHS: an IFRS provider's hours are in the ledger but do not count.
    assert RSC.objects.filter(portfolio=world.robin_portfolio).count() == 2
    assert rsc_have(world.robin_portfolio, "IMHS") == 0


def test_a_programme_creates_many_groups_sharing_the_providers(
    world: World, personas: dict[str, Any], riverbend: Any
) -> None:
    other = make_provider(personas["trainer"], riverbend, category="IMHS")
    programme = actions.create_programme(
        actor=personas["coordinator"], association=riverbend, name="Home visiting", sector="Home visiting", count=23,
        providers=[world.provider, other], schedule="Twice monthly for six months", starts=date(2026, 1, 5),
        ends=date(2026, 6, 30), meeting_hours=Decimal("1.5"), capacity=8, language="en", virtual=True, region="",
    )  # fmt: skip
    groups = list(Group.objects.filter(programme=programme).order_by("id"))
    assert len(groups) == 23
    assert {g.provider_id for g in groups} == {world.provider.pk, other.pk}
    assert sum(1 for g in groups if g.provider_id == world.provider.pk) == 12
    assert events("rsc.programme.created") == 1
    with pytest.raises(ValidationError) as error:
        actions.create_programme(actor=personas["coordinator"], association=riverbend, name="Bad", sector="", count=0,
                                 providers=[other], schedule="x", starts=date(2026, 1, 5), ends=date(2026, 6, 30))  # fmt: skip
    assert "count" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.create_programme(actor=personas["coordinator"], association=riverbend, name="Bad", sector="", count=2,
                                 providers=[other], schedule="x", starts=date(2026, 1, 5), ends=date(2025, 6, 30),
                                 meeting_hours=Decimal("1.5"))  # fmt: skip
    assert "ends" in error.value.message_dict or "__all__" in error.value.message_dict
    assert Programme.objects.count() == 1
    assert Group.objects.filter(programme__isnull=False).count() == 23


def test_the_programme_report(world: World, personas: dict[str, Any], riverbend: Any, yesterday: date) -> None:
    from attunement.rsc.selectors import programme_report

    programme = Programme.objects.create(association=riverbend, name="P")
    Group.objects.filter(pk=world.group.pk).update(programme=programme)
    record(world, yesterday, [world.alex_member, world.robin_member])
    record(world, yesterday - timedelta(days=14), [world.alex_member])
    actions.leave_group(actor=world.robin, membership=world.robin_member)
    rows, total = programme_report(programme)
    [row] = rows
    assert (row.joined, row.active, row.meetings, row.hours, row.retention) == (2, 1, 2, Decimal("4.5"), 50)
    assert (total.joined, total.meetings, total.hours) == (2, 2, Decimal("4.5"))


def test_asking_a_provider_for_individual_rsc(world: World, personas: dict[str, Any]) -> None:
    from attunement.rsc.models import IndividualRequest, RequestStatus

    request = actions.request_individual(actor=world.robin, provider=world.provider, message="Tuesdays")
    assert request.status == RequestStatus.OPEN
    assert events("rsc.request.sent") == 1
    with pytest.raises(ActionRefused, match="already asked"):
        actions.request_individual(actor=world.robin, provider=world.provider)
    with pytest.raises(ActionRefused):
        actions.request_individual(actor=world.provider.person, provider=world.provider)
    with pytest.raises(ActionRefused):
        actions.answer_individual_request(actor=personas["coordinator"], request=request, accept=True)
    actions.answer_individual_request(actor=world.provider.person, request=request, accept=True)
    assert IndividualRequest.objects.get(pk=request.pk).status == RequestStatus.ACCEPTED
    with pytest.raises(ActionRefused, match="already answered"):
        actions.answer_individual_request(actor=world.provider.person, request=request, accept=False)
    assert events("rsc.request.accepted") == 1
    assert events("rsc.request.declined") == 0
    world.provider.accepting_new = False
    world.provider.save()
    with pytest.raises(ActionRefused, match="does not take"):
        actions.request_individual(actor=world.alex, provider=world.provider)
    assert events("rsc.request.sent") == 1


def test_only_endorsed_or_vetted_providers_run_groups(world: World, personas: dict[str, Any], riverbend: Any) -> None:
    from attunement.rsc.models import ProviderProfile

    tom = personas["trainer"]
    profile = ProviderProfile.objects.create(person=tom, association=riverbend)
    fields = {"name": "G", "schedule": "Weekly", "starts": date(2026, 1, 1), "ends": date(2026, 6, 30),
              "meeting_hours": Decimal("1.5"), "capacity": 6, "language": "en"}  # fmt: skip
    with pytest.raises(ValidationError) as error:
        actions.create_group(actor=tom, association=riverbend, provider=profile, **fields)
    assert "provider" in error.value.message_dict
    with pytest.raises(ValidationError):
        actions.create_programme(actor=personas["coordinator"], association=riverbend, name="P", sector="", count=2,
                                 providers=[world.provider, profile], **{k: v for k, v in fields.items() if k != "name"})  # fmt: skip
    assert not Programme.objects.exists()
    actions.vet_provider(actor=personas["coordinator"], profile=profile, vetted=True)
    profile.refresh_from_db()
    assert actions.create_group(actor=tom, association=riverbend, provider=profile, **fields).pk
