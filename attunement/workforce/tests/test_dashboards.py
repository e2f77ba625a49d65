"""Dashboards from roll-ups: endorsed workforce over time, the pipeline, coverage against
targets; small cells suppressed on pages and in CSV and XLSX; query counts fixed."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from attunement.associations.models import Association
from attunement.audit.models import AuditEvent
from attunement.endorsement.models import Application, Credential, CredentialStatus, State
from attunement.lib.testing import assert_constant_queries, pin_queries
from attunement.people.models import User
from attunement.portfolios.models import Portfolio
from attunement.workforce import rollups
from attunement.workforce.actions import refresh_workforce, save_programme, set_region_target
from attunement.workforce.dashboards import EndorsedFilters, coverage_tables, endorsed_tables, pipeline_tables
from attunement.workforce.models import WorkforceProfile

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _people(association: Association, n: int, *, start: int = 0, region: str = "North", sector: str = "home_visiting",
            category: str = "IFS", since: date | None = None, status: str = CredentialStatus.ACTIVE,
            valid_through: date | None = None, programme: Any = None) -> list[User]:  # fmt: skip
    people = []
    for i in range(start, start + n):
        person = User.objects.create(email=f"p{i}-{association.slug}@example.org", legal_name=f"Person {i}", region="")
        WorkforceProfile.objects.create(
            person=person, role="clinician", region=region, sector=sector, programme=programme
        )
        Credential.objects.create(person=person, association=association, category=category,
                                  since=since or TODAY.replace(month=1, day=1), status=status,
                                  valid_through=valid_through or TODAY + timedelta(days=200))  # fmt: skip
        people.append(person)
    return people


def test_endorsed_over_time_by_category_region_and_sector(riverbend: Association) -> None:
    last_year = TODAY.year - 1
    _people(riverbend, 12, since=date(last_year - 2, 3, 1))
    _people(riverbend, 4, start=100, region="South", category="IMHS", since=date(last_year, 6, 1))
    # lapsed in the spring of last year: held at the end of the year before, not after
    _people(riverbend, 10, start=200, since=date(last_year - 3, 1, 1), status=CredentialStatus.LAPSED,
            valid_through=date(last_year, 4, 30))  # fmt: skip
    # revoked: never counted
    _people(riverbend, 10, start=300, since=date(last_year - 3, 1, 1), status=CredentialStatus.REVOKED)
    figures = rollups.endorsed(riverbend, TODAY)
    tables = {table.key: table for table in endorsed_tables(figures, EndorsedFilters())}
    over_time = {row[0]: row[1] for row in tables["over_time"].rows}
    assert over_time[last_year - 3] == 10  # only the lapsed ten
    assert over_time[last_year - 2] == 22
    assert over_time[last_year - 1] == 22
    assert over_time[last_year] == 16  # the ten lapsed, four joined
    assert over_time[TODAY.year] == 16
    # four people: suppressed; and North with them, or 16 shown minus North's 12 would give the four away
    assert tables["by_region"].rows == [["North", None], ["South", None]]
    assert ["Infant Mental Health Specialist (IMHS)", None] in tables["by_category"].rows
    north = {table.key: table for table in endorsed_tables(figures, EndorsedFilters(region="South"))}
    assert north["over_time"].rows[-1] == [TODAY.year, None]


def _application(association: Association, i: int, **fields: Any) -> Application:
    person = User.objects.create(email=f"a{i}@example.org", legal_name=f"Applicant {i}")
    portfolio = Portfolio.objects.create(person=person, association=association)
    return Application.objects.create(portfolio=portfolio, association=association, category="IFS", **fields)


def test_pipeline_counts_and_medians(riverbend: Association) -> None:
    now = timezone.now()
    for i in range(12):
        _application(riverbend, i, state=State.ENDORSED, registered_at=now - timedelta(days=100),
                     submitted_at=now - timedelta(days=60 - i), state_changed_at=now - timedelta(days=10))  # fmt: skip
    for i in range(3):
        _application(riverbend, 100 + i, state=State.UNDER_REVIEW, registered_at=now - timedelta(days=30),
                     state_changed_at=now - timedelta(days=5))  # fmt: skip
    figures = rollups.pipeline(riverbend, now)
    tables = {table.key: table for table in pipeline_tables(figures)}
    durations = {row[0]: row[1:] for row in tables["durations"].rows}
    assert durations["Registration to Endorsement"] == [12, 90.0]
    assert durations["Submission to Endorsement"] == [12, 44.5]
    assert durations["Registration to submission"] == [12, 45.5]  # the three under review have not submitted
    under_review = next(row for row in tables["open"].rows if row[0] == "Under review")
    assert under_review == ["Under review", None, None]  # three people: suppressed, the median too
    funnel = {row[0]: row[1:] for row in tables["funnel"].rows}
    year = timezone.localtime(now - timedelta(days=100)).year
    if year == timezone.localtime(now - timedelta(days=30)).year:
        assert funnel[year][0] is None  # 15 registered minus the 12 endorsed would give the three away
    else:
        assert funnel[year][0] == 12
    assert funnel[year][1:3] == [12, 12]
    # by category: every application here is IFS; another category has nothing
    assert [t.rows for t in pipeline_tables(figures, "IFS")] == [t.rows for t in pipeline_tables(figures)]
    assert all(not t.rows for t in pipeline_tables(figures, "IMHS"))


def test_coverage_against_region_and_programme_targets(personas: dict[str, Any], riverbend: Association) -> None:
    coordinator = personas["coordinator"]
    full = save_programme(
        actor=coordinator, association=riverbend, name="Birth to Three North", region="North", endorsed_target=1
    )
    empty = save_programme(
        actor=coordinator, association=riverbend, name="Birth to Three South", region="South", endorsed_target=1
    )
    _people(riverbend, 11, programme=full)
    set_region_target(actor=coordinator, association=riverbend, region="North", endorsed_target=20)
    set_region_target(actor=coordinator, association=riverbend, region="East", endorsed_target=5)
    tables = {table.key: table for table in coverage_tables(rollups.coverage(riverbend))}
    assert tables["regions"].rows == [["East", 0, 5, "No"], ["North", 11, 20, "No"]]
    assert tables["programmes"].rows == [["Birth to Three North", "North", 11, 1, "Yes"],
                                         ["Birth to Three South", "South", 0, 1, "No"]]  # fmt: skip
    assert tables["programmes"].notes == ["1 of 2 programmes meet their target."]
    assert empty.public_id
    with pytest.raises(Exception, match="already a programme"):
        save_programme(
            actor=coordinator, association=riverbend, name="birth to three north", region="", endorsed_target=1
        )


@pytest.mark.parametrize("name", ["endorsed", "pipeline", "coverage"])
def test_dashboard_pages_cost_the_same_at_any_size(
    name: str, personas: dict[str, Any], riverbend: Association, client_for: Any
) -> None:
    client = client_for(personas["analyst"])
    url = reverse(f"workforce:{name}", kwargs={"association_slug": "riverbend"})
    assert "Not computed yet" in client.get(url).content.decode()
    held = [0]

    def grow(size: int) -> None:
        _people(riverbend, size - held[0], start=held[0])
        held[0] = size
        refresh_workforce(riverbend)

    assert_constant_queries(grow, lambda: client.get(url))
    with pin_queries(6):  # session, user, staff check, association, roles, the roll-up
        page = client.get(url)
    assert "Person 1" not in page.content.decode()


def test_exports_are_the_tables_suppressed_and_audited(
    personas: dict[str, Any], riverbend: Association, client_for: Any
) -> None:
    from openpyxl import load_workbook

    _people(riverbend, 12)
    _people(riverbend, 3, start=50, region="South")
    refresh_workforce(riverbend)
    client = client_for(personas["analyst"])
    url = reverse("workforce:endorsed", kwargs={"association_slug": "riverbend"})
    page = client.get(url).content.decode()
    assert f'<th scope="row">{TODAY.year}</th><td>15</td>' in page
    # South's three are suppressed, and North's twelve with them (15 - 12 = 3)
    assert '<th scope="row">North</th><td><span class="muted">suppressed</span></td>' in page
    assert '<th scope="row">South</th><td><span class="muted">suppressed</span></td>' in page
    csv_text = client.get(url, {"format": "csv"}).content.decode()
    assert "South,suppressed" in csv_text
    assert "North,suppressed" in csv_text
    assert f"{TODAY.year},15" in csv_text
    response = client.get(url, {"format": "xlsx", "region": "South"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    cells = [value for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for value in row]
    assert "suppressed" in cells
    assert 3 not in cells
    assert 15 not in cells
    assert AuditEvent.objects.filter(verb="workforce.dashboard_exported").count() == 2


def test_coordinators_keep_programmes_and_targets_analysts_cannot(
    personas: dict[str, Any], riverbend: Association, client_for: Any
) -> None:
    url = reverse("workforce:save_programme", kwargs={"association_slug": "riverbend"})
    coordinator = client_for(personas["coordinator"])
    coordinator.post(url, {"name": "Birth to Three East", "region": "East", "endorsed_target": "2"})
    page = coordinator.get(reverse("workforce:coverage", kwargs={"association_slug": "riverbend"})).content.decode()
    assert "Birth to Three East" in page
    response = coordinator.post(url, {"name": "X", "endorsed_target": "zero"}, follow=True)
    assert "endorsed_target: Give a whole number from 1 to 10000." in response.content.decode()
    target = reverse("workforce:region_target", kwargs={"association_slug": "riverbend"})
    coordinator.post(target, {"region": "East", "endorsed_target": "4"})
    assert client_for(personas["analyst"]).post(target, {"region": "East", "endorsed_target": "9"}).status_code == 403
    from attunement.workforce.models import Programme, RegionTarget

    assert list(RegionTarget.objects.values_list("region", "endorsed_target")) == [("East", 4)]
    programme = Programme.objects.get()
    odd = coordinator.post(url, {"programme": "not-a-uuid", "remove": "1"}, follow=True)
    assert "This programme was already removed." in odd.content.decode()
    coordinator.post(url, {"programme": str(programme.public_id), "remove": "1"})
    assert not Programme.objects.exists()
    assert AuditEvent.objects.filter(verb__startswith="workforce.programme").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_staff_saving_one_programme_name_at_once_make_one(personas: dict[str, Any], riverbend: Association) -> None:
    """Issue 16.1: the name is looked up with the association locked, whatever its case."""
    from django.core.exceptions import ValidationError

    from attunement.lib.testing import race
    from attunement.workforce.models import Programme

    def saving(actor: Any, name: str) -> Any:
        return lambda: save_programme(actor=actor, association=riverbend, name=name, region="North", endorsed_target=3)

    outcome = race(saving(personas["coordinator"], "Early Head Start"), saving(personas["admin"], "early head start"))
    assert len(outcome.results) == 1
    [refusal] = outcome.errors
    assert isinstance(refusal, ValidationError)
    assert "name" in refusal.message_dict
    assert Programme.objects.filter(association=riverbend, name__iexact="early head start").count() == 1
    assert AuditEvent.objects.filter(verb="workforce.programme_saved").count() == 1
