"""The person's workforce profile and yearly check-in: consent, prefill, one row per year,
the figures waiting for the refresh task."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from attunement.associations.models import Association
from attunement.audit.models import AuditEvent
from attunement.lib.errors import ActionRefused
from attunement.workforce.actions import refresh_workforce, save_workforce_profile, submit_checkin
from attunement.workforce.models import CheckinResponse, IndicatorSnapshot, WorkforceProfile

pytestmark = pytest.mark.django_db
PROFILE = reverse("workforce_me:profile")
CHECKIN = reverse("workforce_me:checkin")
YEAR = timezone.localdate().year


def _profile_post(**more: Any) -> dict[str, Any]:
    return {"role": "home_visitor", "sector": "home_visiting", "service_level": "prevention", "region": "North",
            "paid_hours_week": "40", "worked_hours_week": "46", "annual_salary": "48000", "caseload": "12", **more}  # fmt: skip


def test_a_profile_counts_in_this_years_figures_without_race_unless_consented(
    applicant_portfolio: Any, personas: dict[str, Any], riverbend: Association, client_for: Any
) -> None:
    alex = personas["applicant"]
    client = client_for(alex)
    assert client.get(PROFILE).status_code == 200
    response = client.post(PROFILE, _profile_post(race_ethnicity=["hispanic_latino"]))
    # race without consent is refused, naming the field, and nothing is saved
    assert response.status_code == 400
    assert "Tick the consent box first" in response.content.decode()
    assert not WorkforceProfile.objects.exists()

    assert client.post(PROFILE, _profile_post()).status_code == 302
    row = CheckinResponse.objects.get(association=riverbend, year=YEAR)
    assert (row.source, row.role, row.region, row.race_ethnicity, row.endorsed) == (
        "profile",
        "home_visitor",
        "North",
        None,
        False,
    )
    assert row.respondent_id == WorkforceProfile.objects.get(person=alex).respondent_id
    assert "Alex" not in row.respondent_id
    assert str(alex.public_id) not in row.respondent_id
    # the year's first answer is counted at once
    assert not IndicatorSnapshot.objects.get(association=riverbend, year=YEAR).stale

    client.post(PROFILE, _profile_post(demographics_consent="on", race_ethnicity=["hispanic_latino", "white"]))
    row.refresh_from_db()
    assert row.race_ethnicity == ["hispanic_latino", "white"]
    assert IndicatorSnapshot.objects.get(association=riverbend, year=YEAR).stale  # waits for the refresh
    # withdrawing consent deletes the answer, from the profile and from every row
    client.post(PROFILE, _profile_post())
    row.refresh_from_db()
    assert row.race_ethnicity is None
    assert WorkforceProfile.objects.get(person=alex).race_ethnicity is None
    assert CheckinResponse.objects.count() == 1
    assert AuditEvent.objects.filter(verb="workforce.profile_saved").count() == 3
    assert "hispanic" not in str(list(AuditEvent.objects.values_list("data", flat=True)))


def test_the_check_in_is_prefilled_and_sending_again_replaces_it(
    applicant_portfolio: Any, personas: dict[str, Any], riverbend: Association, client_for: Any
) -> None:
    alex = personas["applicant"]
    client = client_for(alex)
    client.post(PROFILE, _profile_post())
    page = client.get(CHECKIN).content.decode()
    assert '<option value="home_visitor" selected>' in page
    assert 'value="North"' in page
    answers = {"association": "riverbend", "role": "home_visitor", "region": "North", "specialized_training_foundations": "yes",
               "ebt_trained": ["none"], "received_rs": "no", "barriers": ["cost", "time"], "desired_topics": ["attachment"],
               "paid_hours_week": "40", "worked_hours_week": "45", "languages": ["en", "es"]}  # fmt: skip
    assert client.post(CHECKIN, answers).status_code == 302
    row = CheckinResponse.objects.get(association=riverbend, year=YEAR)
    assert (row.source, row.barriers, row.ebt_trained, row.received_rs) == (
        "checkin",
        ["cost", "time"],
        ["none"],
        False,
    )
    assert row.languages == ["en", "es"]
    assert "You have checked in" in client.get(CHECKIN).content.decode()
    # the second answer prefills from the first, and replaces it
    again = client.get(CHECKIN).content.decode()
    assert re.search(r'<input type="checkbox" name="barriers" value="cost"[^>]*\bchecked\b', again)
    assert not re.search(r'<input type="checkbox" name="barriers" value="language"[^>]*\bchecked\b', again)
    client.post(CHECKIN, {**answers, "barriers": ["language"]})
    assert list(CheckinResponse.objects.values_list("barriers", flat=True)) == [["language"]]
    # a bad answer names its field; nothing changes
    response = client.post(CHECKIN, {**answers, "ebt_trained": ["none", "cpp"], "worked_hours_week": "200"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "cannot be combined" in body
    assert "168" in body
    assert list(CheckinResponse.objects.values_list("barriers", flat=True)) == [["language"]]
    assert AuditEvent.objects.filter(verb="workforce.checkin_submitted").count() == 2


def test_no_association_no_check_in(personas: dict[str, Any], cascade: Association, client_for: Any) -> None:
    alex = personas["applicant"]
    assert "You have none yet" in client_for(alex).get(CHECKIN).content.decode()
    with pytest.raises(ActionRefused):
        submit_checkin(actor=alex, person=alex, association=cascade, answers={"role": "clinician"})
    assert not CheckinResponse.objects.exists()


def test_the_refresh_counts_what_waited(
    applicant_portfolio: Any, personas: dict[str, Any], riverbend: Association
) -> None:
    alex = personas["applicant"]
    save_workforce_profile(actor=alex, person=alex, values={"role": "clinician", "demographics_consent": False})
    IndicatorSnapshot.objects.filter(association=riverbend).update(stale=True, figures={"respondents": 99})
    result = refresh_workforce(riverbend)
    assert (result.years, result.rollups) == (1, 3)
    snapshot = IndicatorSnapshot.objects.get(association=riverbend, year=YEAR)
    assert not snapshot.stale
    assert snapshot.figures["respondents"] is None  # one respondent: suppressed, not 99
    assert "rs_reach_by_role" in snapshot.extra
    # nothing stale: the figures are left alone, the roll-ups recomputed
    assert refresh_workforce(riverbend).years == 0
    call_command("workforce", "refresh")
    assert refresh_workforce(riverbend, stale_only=False).years == 1
