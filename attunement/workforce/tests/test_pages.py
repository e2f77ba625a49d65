"""The workforce indicators page: aggregates only, small cells suppressed, fixed query count."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from attunement.associations.models import Association
from attunement.audit.models import AuditEvent
from attunement.lib.testing import assert_constant_queries, run_tasks
from attunement.workforce.actions import import_checkins
from attunement.workforce.models import CheckinImport, CheckinResponse, ImportStatus
from attunement.workforce.tests.test_indicators import _csv, _rows

pytestmark = pytest.mark.django_db
URL = reverse("workforce:indicators", kwargs={"association_slug": "riverbend"})


def test_the_analyst_sees_figures_and_never_a_respondent(
    personas: dict[str, Any], riverbend: Association, cascade: Association, client_for: Any
) -> None:
    import_checkins(riverbend, _csv(_rows()), actor=None)
    other = [{**row, "respondent_id": f"cascade-{row['respondent_id']}", "year": "2024"} for row in _rows()]
    import_checkins(cascade, _csv(other), actor=None)
    page = client_for(personas["analyst"]).get(URL).content.decode()
    assert "<td>43.8</td>" in page  # specialised training, 7 of 16
    assert "<td>6.3</td>" in page  # endorsed, 1 of 16
    assert "r01" not in page
    assert "2024" not in page  # Cascade's year is not Riverbend's
    # region south has 5 respondents: suppressed, not shown as a number
    south = page[page.index('<th scope="row">south</th>') :].split("</tr>")[0]
    assert south.count("suppressed") == 3


def test_year_choice_and_csv_export(personas: dict[str, Any], riverbend: Association, client_for: Any) -> None:
    rows = _rows()
    import_checkins(riverbend, _csv(rows), actor=None)
    later = [{**row, "year": "2024", "endorsed": "yes"} for row in rows[:10]]
    import_checkins(riverbend, _csv(later), actor=None)
    client = client_for(personas["coordinator"])
    assert "<td>100.0</td>" in client.get(URL).content.decode()  # newest year first: all 10 endorsed
    assert "<td>6.3</td>" in client.get(URL, {"year": "2019"}).content.decode()
    assert "<td>100.0</td>" in client.get(URL, {"year": "nonsense"}).content.decode()
    response = client.get(URL, {"year": "2019", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0] == ["indicator", "key", "value"]
    assert ["pct_endorsed", "", "6.3"] in table
    assert ["region_respondents", "south", "suppressed"] in table
    assert ["desired_topics_ranked", "1", "assessment"] in table
    assert AuditEvent.objects.filter(verb="workforce.indicators_exported", association=riverbend).count() == 1


def test_nothing_imported_says_how(personas: dict[str, Any], riverbend: Association, client_for: Any) -> None:
    page = client_for(personas["admin"]).get(URL).content.decode()
    assert "No check-in answers yet." in page


def test_the_page_costs_the_same_with_20_and_200_respondents(
    personas: dict[str, Any], riverbend: Association, client_for: Any
) -> None:
    client = client_for(personas["analyst"])

    def grow(n: int) -> None:
        rows = [{**row, "respondent_id": f"{row['respondent_id']}-{k}"} for k in range(n // 20) for row in _rows()]
        import_checkins(riverbend, _csv(rows), actor=None)

    # session, user, staff status, association+policy, viewer's roles, the years held, the year's rows
    assert assert_constant_queries(grow, lambda: client.get(URL), sizes=(20, 200)) == 7


IMPORT = reverse("workforce:import", kwargs={"association_slug": "riverbend"})


def test_staff_upload_a_survey(personas: dict[str, Any], riverbend: Association, client_for: Any) -> None:
    client = client_for(personas["coordinator"])
    upload = SimpleUploadedFile("survey.csv", _csv(_rows()).encode(), content_type="text/csv")
    queued = client.post(IMPORT, {"checkins": upload}, follow=True)
    assert "being imported in the background" in queued.content.decode()
    assert not CheckinResponse.objects.exists()  # the request only stored the file
    job = CheckinImport.objects.get()
    assert job.file.name
    assert run_tasks() == 1
    page = client.get(queued.redirect_chain[-1][0]).content.decode()
    assert "Imported 20 answers (20 new, 0 replaced)." in page
    job.refresh_from_db()
    assert (job.status, job.rows, job.file.name) == (ImportStatus.DONE, 20, "")  # the stored file is gone
    assert (
        "<td>43.8</td>"
        in client.get(reverse("workforce:indicators", kwargs={"association_slug": "riverbend"})).content.decode()
    )
    event = AuditEvent.objects.get(verb="workforce.checkins_imported")
    assert event.actor == personas["coordinator"]


def test_a_bad_upload_imports_nothing_and_names_every_problem(
    personas: dict[str, Any], riverbend: Association, client_for: Any
) -> None:
    rows = _rows()
    rows[3]["role"] = "wizard"
    rows[4]["caseload"] = "many"
    upload = SimpleUploadedFile("survey.csv", _csv(rows).encode(), content_type="text/csv")
    admin = client_for(personas["admin"])
    queued = admin.post(IMPORT, {"checkins": upload}, follow=True)
    run_tasks()
    page = admin.get(queued.redirect_chain[-1][0]).content.decode()
    assert "Nothing was imported: the file has 2 problems." in page
    assert "row 5, column &#x27;role&#x27;: unknown value &#x27;wizard&#x27;" in page
    assert "row 6, column &#x27;caseload&#x27;" in page
    assert not CheckinResponse.objects.exists()
    latin1 = SimpleUploadedFile(
        "survey.csv", "respondent_id,year,role,region\nx,2019,other,Peñasco\n".encode("latin-1")
    )
    page = client_for(personas["admin"]).post(IMPORT, {"checkins": latin1}, follow=True).content.decode()
    assert "not UTF-8 text" in page


def test_errors_in_spanish_for_a_spanish_speaker(
    personas: dict[str, Any], riverbend: Association, client_for: Any
) -> None:
    client = client_for(personas["coordinator"])
    client.cookies["django_language"] = "es"
    upload = SimpleUploadedFile("survey.csv", b"respondent_id,year,role\nx,2019,wizard\n", content_type="text/csv")
    queued = client.post(IMPORT, {"checkins": upload}, follow=True)
    with translation.override("en"):  # the worker's language; the problems are in the uploader's
        run_tasks()
    page = client.get(queued.redirect_chain[-1][0]).content.decode()
    assert "No se importó nada" in page
    assert "valor desconocido &#x27;wizard&#x27;" in page


def test_an_import_task_run_twice_imports_once_and_a_crash_is_recorded(
    personas: dict[str, Any], riverbend: Association, monkeypatch: Any
) -> None:
    from attunement.workforce.actions import import_checkin_file, queue_checkin_import

    job = queue_checkin_import(actor=personas["coordinator"], association=riverbend,
                               content=_csv(_rows()).encode(), file_name="survey.csv")  # fmt: skip
    import_checkin_file.enqueue(job.pk)  # the same import enqueued twice
    assert run_tasks() == 2
    job.refresh_from_db()
    assert (job.status, job.rows) == (ImportStatus.DONE, 20)
    assert CheckinResponse.objects.count() == 20
    assert AuditEvent.objects.filter(verb="workforce.checkins_imported").count() == 1

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("attunement.workforce.actions.refresh_indicators", broken)
    others = [{**row, "respondent_id": f"{row['respondent_id']}-b"} for row in _rows()]  # 20 new people
    again = queue_checkin_import(actor=personas["coordinator"], association=riverbend,
                                 content=_csv(others).encode(), file_name="again.csv")  # fmt: skip
    run_tasks()
    again.refresh_from_db()
    assert again.status == ImportStatus.FAILED
    assert "nothing was imported" in again.problems[0]
    assert again.file.name == ""
    assert CheckinResponse.objects.count() == 20  # rolled back
