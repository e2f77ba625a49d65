"""The pages: catalog (filters, keyset pages, fixed query count), session, roster (fixed query
count, upload errors, finalise), transcript (page, CSV, PDF) and the iCal feeds."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from attunement.audit.models import AuditEvent
from attunement.lib.testing import assert_constant_queries, pin_queries
from attunement.portfolios.models import Training
from attunement.training import ical
from attunement.training.me_views import feed_token
from attunement.training.models import CourseStatus, Registration, RegistrationStatus
from attunement.training.tests.fixtures import make_course, make_provider, make_session

pytestmark = pytest.mark.django_db
counter = itertools.count()


@pytest.fixture
def provider(riverbend: Any, personas: dict[str, Any]) -> Any:
    return make_provider(riverbend, personas["trainer"])


def catalog(client: Any, **params: str) -> Any:
    return client.get(reverse("training:catalog", kwargs={"association_slug": "riverbend"}), params)


def titles(response: Any) -> set[str]:
    return {s.course.title for s in response.context["rows"]}


def test_the_catalog_lists_approved_upcoming_sessions_only(provider: Any, client_for: Any, cascade: Any) -> None:
    make_session(make_course(provider, title="Approved and coming"))
    make_session(make_course(provider, CourseStatus.SUBMITTED, title="Not approved"))
    make_session(make_course(provider, title="Already over"), days=-30)
    make_session(make_course(make_provider(cascade), title="Another association's"))
    response = catalog(client_for(None))
    assert response.status_code == 200
    assert titles(response) == {"Approved and coming"}


def test_the_catalog_filters(provider: Any, client_for: Any) -> None:
    make_session(make_course(provider, title="Attachment", topics=["attachment"], domains=["reflection"]),
                 region="Rutland County", delivery="in_person", fee_cents=2500)  # fmt: skip
    make_session(make_course(provider, title="DC:0-5", topics=["dc0_5_diagnosis"], language="es"),
                 region="Chittenden County", delivery="virtual", days=40)  # fmt: skip
    client = client_for(None)
    assert titles(catalog(client, topic="attachment")) == {"Attachment"}
    assert titles(catalog(client, topic="dc0_5_diagnosis")) == {"DC:0-5"}
    assert titles(catalog(client, domain="reflection")) == {"Attachment"}
    assert titles(catalog(client, language="es")) == {"DC:0-5"}
    assert titles(catalog(client, region="rutland")) == {"Attachment"}
    assert titles(catalog(client, virtual="yes")) == {"DC:0-5"}
    assert titles(catalog(client, free="yes")) == {"DC:0-5"}
    later = timezone.localdate() + timedelta(days=20)
    assert titles(catalog(client, **{"from": later.isoformat()})) == {"DC:0-5"}
    assert titles(catalog(client, topic="nonsense")) == {"Attachment", "DC:0-5"}


def test_the_catalog_pages_by_keyset(provider: Any, client_for: Any) -> None:
    course = make_course(provider)
    for day in range(1, 26):
        make_session(course, days=day)
    client = client_for(None)
    first = catalog(client)
    assert len(first.context["rows"]) == 20
    assert first.context["more"]
    after = dict(part.split("=") for part in first.context["more"].split("&"))["after"]
    second = catalog(client, after=after.replace("%2C", ","))
    assert len(second.context["rows"]) == 5
    assert not {s.pk for s in first.context["rows"]} & {s.pk for s in second.context["rows"]}


def test_the_catalog_costs_the_same_queries_with_5_and_50_sessions(
    provider: Any, client_for: Any, personas: dict[str, Any]
) -> None:
    course = make_course(provider)
    client = client_for(personas["applicant"])

    def grow(n: int) -> None:
        from attunement.training.models import Session

        while Session.objects.count() < n:
            session = make_session(course, days=next(counter) % 30 + 1)
            Registration.objects.create(session=session, person=personas["applicant"], status="registered")

    assert assert_constant_queries(grow, lambda: catalog(client, topic="attachment")) == CATALOG_QUERIES
    with pin_queries(CATALOG_QUERIES):
        assert len(catalog(client).context["rows"]) == 20


# Signed in: session, user, staff MFA check; association, roles; the page of sessions, the
# seats taken on it; the domain filter (own framework, public framework, domains).
CATALOG_QUERIES = 10
# Session, user, staff MFA check, association, roles; the session; parts, registrations, attendance.
ROSTER_QUERIES = 9


def test_the_roster_costs_the_same_queries_with_5_and_50_people(
    provider: Any, client_for: Any, personas: dict[str, Any], make_person: Any
) -> None:
    session = make_session(make_course(provider), parts=3, days=-1, capacity=100, trainer=personas["trainer"])
    client = client_for(personas["trainer"])
    url = reverse("training_staff:roster", kwargs={"association_slug": "riverbend", "session_id": session.public_id})

    def grow(n: int) -> None:
        from attunement.training.models import Attendance

        while session.registrations.count() < n:
            person = make_person(f"r{next(counter)}@example.org")
            reg = Registration.objects.create(session=session, person=person, status="registered")
            part = session.parts.get(position=1)
            Attendance.objects.create(registration=reg, part=part, present=True, hours=part.hours)

    assert assert_constant_queries(grow, lambda: client.get(url)) == ROSTER_QUERIES
    response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["roster"].rows) == 50


def test_registering_and_cancelling_from_the_session_page(
    provider: Any, client_for: Any, personas: dict[str, Any]
) -> None:
    session = make_session(make_course(provider), capacity=1)
    kwargs = {"association_slug": "riverbend", "session_id": session.public_id}
    alex = client_for(personas["applicant"])
    assert alex.get(reverse("training:session", kwargs=kwargs)).status_code == 200
    alex.post(reverse("training:register", kwargs=kwargs))
    other = client_for(personas["reviewer"])
    other.post(reverse("training:register", kwargs=kwargs))
    page = other.get(reverse("training:session", kwargs=kwargs))
    assert "number 1 on the waitlist" in page.content.decode()
    alex.post(reverse("training:cancel", kwargs=kwargs))
    assert Registration.objects.get(person=personas["reviewer"]).status == RegistrationStatus.REGISTERED


def test_a_draft_courses_session_is_hidden_from_the_public(provider: Any, client_for: Any) -> None:
    session = make_session(make_course(provider, CourseStatus.DRAFT))
    url = reverse("training:session", kwargs={"association_slug": "riverbend", "session_id": session.public_id})
    assert client_for(None).get(url).status_code == 404


def test_a_bad_file_shows_each_row_and_column_and_changes_nothing(
    provider: Any, client_for: Any, personas: dict[str, Any], applicant_portfolio: Any
) -> None:
    session = make_session(make_course(provider), days=-1, trainer=personas["trainer"])
    Registration.objects.create(session=session, person=personas["applicant"], status="registered")
    kwargs = {"association_slug": "riverbend", "session_id": session.public_id}
    bad = SimpleUploadedFile(
        "a.csv", b"email,hours\napplicant@example.org,2\nwho@example.org,1\napplicant@example.org,1\n"
    )
    response = client_for(personas["trainer"]).post(reverse("training_staff:upload", kwargs=kwargs), {"file": bad})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Row 3, column email" in body
    assert "Row 4, column email" in body
    assert not session.registrations.get().attendance.exists()


def test_the_trainer_finalises_from_the_roster_and_alexs_needs_page_changes(
    provider: Any, client_for: Any, personas: dict[str, Any], applicant_portfolio: Any
) -> None:
    session = make_session(make_course(provider, clock_hours=Decimal(6)), hours=6, days=-1, trainer=personas["trainer"])
    reg = Registration.objects.create(session=session, person=personas["applicant"], status="registered")
    alex = client_for(personas["applicant"])
    needs = reverse("portfolio:needs")
    before = alex.get(needs).content.decode()
    assert "Complete 30 more training hours" in before
    trainer = client_for(personas["trainer"])
    kwargs = {"association_slug": "riverbend", "session_id": session.public_id}
    trainer.post(reverse("training_staff:attendance", kwargs=kwargs), {"present": [f"{reg.public_id}:1"]})
    trainer.post(reverse("training_staff:finalise", kwargs=kwargs))
    assert Training.objects.filter(portfolio=applicant_portfolio, hours=6).exists()
    after = alex.get(needs).content.decode()
    assert before != after
    assert "Complete 24 more training hours" in after


def test_the_transcript_page_csv_and_pdf(
    provider: Any, client_for: Any, personas: dict[str, Any], applicant_portfolio: Any
) -> None:
    from datetime import date

    Training.objects.create(portfolio=applicant_portfolio, title="Self-study, with a comma", date=date(2025, 1, 5),
                            hours=Decimal(2), dei=True)  # fmt: skip
    Training.objects.create(portfolio=applicant_portfolio, title="Attachment", date=date(2025, 2, 5),
                            hours=Decimal(6), verification="verified", provenance="training")  # fmt: skip
    client = client_for(personas["applicant"])
    page = client.get(reverse("training_me:transcript"))
    data = page.context["transcript"]
    assert (data.total, data.verified, data.self_reported, data.dei) == (8, 6, 2, 2)
    csv_text = client.get(reverse("training_me:transcript_csv")).content.decode()
    assert '"Self-study, with a comma"' in csv_text
    assert "verified 6; self-reported 2" in csv_text
    pdf = client.get(reverse("training_me:transcript_pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(verb="training.transcript.exported").count() == 2


def test_the_association_feed_is_valid_icalendar(provider: Any, client_for: Any) -> None:
    make_session(make_course(provider, title="Attachment; love, and play", description="Line one\nline two"),
                 parts=2, place="Rutland Library, room 2")  # fmt: skip
    response = client_for(None).get(reverse("training:feed", kwargs={"association_slug": "riverbend"}))
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert body.endswith("END:VCALENDAR\r\n")
    assert body.count("BEGIN:VEVENT") == 2
    assert "SUMMARY:Attachment\\; love\\, and play (1/2)" in body
    assert "LOCATION:Rutland Library\\, room 2" in body
    assert "DESCRIPTION:Line one\\nline two" in body
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_long_lines_fold_at_75_octets_without_splitting_a_character() -> None:
    folded = ical.fold("SUMMARY:" + "é" * 100)
    lines = folded.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert all(line.startswith(" ") for line in lines[1:])
    assert "".join(line[1:] if i else line for i, line in enumerate(lines)) == "SUMMARY:" + "é" * 100


def test_a_persons_feed_lists_their_sessions_behind_a_secret_link(
    provider: Any, client_for: Any, personas: dict[str, Any]
) -> None:
    session = make_session(make_course(provider, title="My course"))
    make_session(make_course(provider, title="Not mine"))
    Registration.objects.create(session=session, person=personas["applicant"], status="registered")
    url = reverse("training_me:feed", kwargs={"token": feed_token(personas["applicant"])})
    body = client_for(None).get(url).content.decode()
    assert "SUMMARY:My course" in body
    assert "Not mine" not in body
    forged = reverse("training_me:feed", kwargs={"token": str(personas["applicant"].public_id) + ":forged"})
    assert client_for(None).get(forged).status_code == 404


def test_the_course_approval_page(provider: Any, client_for: Any, personas: dict[str, Any]) -> None:
    course = make_course(provider, CourseStatus.SUBMITTED, title="Reflective practice 101")
    client = client_for(personas["coordinator"])
    page = client.get(reverse("training_staff:courses", kwargs={"association_slug": "riverbend"}))
    assert "Reflective practice 101" in page.content.decode()
    client.post(reverse("training_staff:approve_course", kwargs={"association_slug": "riverbend",
                                                                 "course_id": course.public_id}))  # fmt: skip
    course.refresh_from_db()
    assert course.status == CourseStatus.APPROVED


def test_a_trainer_proposes_a_course_and_creates_a_series(
    provider: Any, client_for: Any, personas: dict[str, Any]
) -> None:
    client = client_for(personas["trainer"])
    slug = {"association_slug": "riverbend"}
    response = client.post(reverse("training_staff:course_new", kwargs=slug), {
        "provider": provider.public_id, "title": "Assessment in infancy", "topics": ["assessment"],
        "clock_hours": "6", "language": "en", "cost": "25.50", "scholarship_seats": "2",
    })  # fmt: skip
    assert response.status_code == 302
    course = provider.courses.get(title="Assessment in infancy")
    assert (course.status, course.cost_cents, course.topics) == (CourseStatus.SUBMITTED, 2550, ["assessment"])
    bad = client.post(reverse("training_staff:session_new", kwargs=slug),
                      {"course": course.public_id, "parts": "next tuesday", "delivery": "virtual", "capacity": "5"})  # fmt: skip
    assert bad.status_code == 400
    assert "Line 1" in bad.content.decode()
    response = client.post(reverse("training_staff:session_new", kwargs=slug), {
        "course": course.public_id, "parts": "2030-03-14 09:00 3\n2030-03-21 09:00 3", "delivery": "virtual",
        "capacity": "5",
    })  # fmt: skip
    assert response.status_code == 302
    session = course.sessions.get()
    assert [str(p.hours) for p in session.parts.order_by("position")] == ["3.00", "3.00"]
    assert session.fee_cents == 2550
    assert session.trainer == personas["trainer"]


def test_an_attendance_certificate_and_its_public_check(
    provider: Any, client_for: Any, personas: dict[str, Any], applicant_portfolio: Any
) -> None:
    from attunement.training import actions

    session = make_session(make_course(provider), days=-2, trainer=personas["trainer"])
    reg = Registration.objects.create(session=session, person=personas["applicant"], status="registered")
    actions.mark_attendance(actor=personas["trainer"], session=session, present=[(str(reg.public_id), 1)])
    actions.finalise_session(actor=personas["trainer"], session=session)
    reg.refresh_from_db()
    alex = client_for(personas["applicant"])
    page = alex.get(reverse("training_me:transcript")).content.decode()
    url = reverse("training_me:certificate", kwargs={"registration_id": reg.public_id})
    assert url in page
    pdf = alex.get(url)
    assert pdf.content.startswith(b"%PDF")
    assert client_for(personas["reviewer"]).get(url).status_code == 404
    # Finalising enqueued the certificates (issue 17.1): the worker makes them in the person's
    # language; a download in that language streams the stored file.
    from attunement.lib.models import StoredDocument
    from attunement.lib.testing import run_tasks

    assert run_tasks() == 1
    stored = StoredDocument.objects.get(
        kind="training.certificate", key=f"{reg.certificate_code}:{personas['applicant'].preferred_language}"
    )
    assert stored.file.name
    check = reverse("training:certificate_check", kwargs={"association_slug": "riverbend",
                                                          "code": reg.certificate_code.lower()})  # fmt: skip
    assert "Alex Rivera" in client_for(None).get(check).content.decode()
    wrong = reverse("training:certificate_check", kwargs={"association_slug": "cascade", "code": reg.certificate_code})
    assert client_for(None).get(wrong).status_code == 404


def test_the_other_pages_cost_the_same_queries_with_5_and_50_rows(
    provider: Any, client_for: Any, personas: dict[str, Any], applicant_portfolio: Any
) -> None:
    from datetime import date

    from attunement.training.models import Course, Session

    alex, coordinator = client_for(personas["applicant"]), client_for(personas["coordinator"])
    slug = {"association_slug": "riverbend"}

    def entries(n: int) -> None:
        while Training.objects.filter(portfolio=applicant_portfolio).count() < n:
            Training.objects.create(portfolio=applicant_portfolio, title="T", date=date(2025, 1, 1), hours=1)

    # Session, user, MFA check; portfolio, its training entries, the finalised registrations;
    # the calendar feed's row (its rotated secret, or off).
    assert assert_constant_queries(entries, lambda: alex.get(reverse("training_me:transcript"))) == 7
    course = make_course(provider)

    def sessions(n: int) -> None:
        while Session.objects.count() < n:
            make_session(course, days=next(counter) % 20 + 1)

    sessions_url = reverse("training_staff:sessions", kwargs=slug)
    # Session, user, MFA check, association, roles; the sessions.
    assert assert_constant_queries(sessions, lambda: coordinator.get(sessions_url)) == 6

    def submitted(n: int) -> None:
        while Course.objects.filter(status=CourseStatus.SUBMITTED).count() < n:
            make_course(provider, CourseStatus.SUBMITTED, title=f"C{next(counter)}")

    courses_url = reverse("training_staff:courses", kwargs=slug)
    # Session, user, MFA check, association, roles; courses waiting, courses decided.
    assert assert_constant_queries(submitted, lambda: coordinator.get(courses_url)) == 7
    session = Session.objects.first()
    assert session is not None
    url = reverse("training:session", kwargs={**slug, "session_id": session.public_id})
    with pin_queries(9):  # session, user, MFA check, association, roles, the session, own, seats, parts
        assert alex.get(url).status_code == 200


def test_the_association_feed_lists_only_its_public_upcoming_sessions(
    provider: Any, client_for: Any, cascade: Any
) -> None:
    make_session(make_course(provider, title="Public one"))
    make_session(make_course(provider, CourseStatus.SUBMITTED, title="Waiting one"))
    make_session(make_course(make_provider(cascade), title="Cascade one"))
    body = client_for(None).get(reverse("training:feed", kwargs={"association_slug": "riverbend"})).content.decode()
    assert "SUMMARY:Public one" in body
    assert "Waiting one" not in body
    assert "Cascade one" not in body


def test_coordinators_keep_the_training_providers(personas: dict[str, Any], riverbend: Any, client_for: Any) -> None:
    from attunement.training.models import Provider

    url = reverse("training_staff:providers", kwargs={"association_slug": "riverbend"})
    coordinator = client_for(personas["coordinator"])
    trainer = personas["trainer"]
    response = coordinator.post(
        url, {"name": "Early Years Institute", "trainers": f"{trainer.email}, nobody@example.org"}
    )
    assert response.status_code == 400
    assert "Nobody signs in with nobody@example.org" in response.content.decode()
    assert not Provider.objects.exists()
    assert coordinator.post(url, {"name": "Early Years Institute", "website": "eyi.example.org",
                                  "trainers": trainer.email.upper()}).status_code == 302  # fmt: skip
    provider = Provider.objects.get()
    assert (provider.website, list(provider.trainers.all())) == ("https://eyi.example.org", [trainer])
    again = coordinator.post(url, {"name": "early years institute"})
    assert "already a provider with this name" in again.content.decode()
    assert AuditEvent.objects.filter(verb="training.provider.created").count() == 1
    with pin_queries(7):  # session, user, staff, association, roles, providers, their trainers
        page = coordinator.get(url)
    assert trainer.display_name in page.content.decode()
