"""Part 1 scores from a file: every row or none, problems named by row and column, and the
same file twice changes nothing (the shared table reader, lib.tables)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from attunement.audit.models import AuditEvent
from attunement.endorsement.actions.part1_import import import_part1_scores
from attunement.endorsement.models import Application, ExamSitting, State
from attunement.lib.tables import TableError


@pytest.fixture
def sitting(ready: Any) -> ExamSitting:
    application = Application.objects.create(
        portfolio=ready, association=ready.association, category="IFS", state=State.APPROVED_FOR_EXAM, review_round=1
    )
    return ExamSitting.objects.create(application=application, approved_until=timezone.localdate() + timedelta(days=30))


def test_a_file_records_each_score_once_and_again_changes_nothing(
    sitting: ExamSitting, personas: dict[str, Any]
) -> None:
    today = timezone.localdate().isoformat()
    email = sitting.application.portfolio.person.email.upper()  # addresses compare without case
    data = f"\ufeffemail,part1_percent,taken_on\n{email},86.5,{today}\n".encode()
    done = import_part1_scores(actor=personas["coordinator"], association=sitting.application.association, data=data)
    assert (done.recorded, done.unchanged) == (1, 0)
    sitting.refresh_from_db()
    assert (sitting.part1_percent, sitting.taken_on) == (Decimal("86.50"), date.fromisoformat(today))
    again = import_part1_scores(actor=personas["coordinator"], association=sitting.application.association, data=data)
    assert (again.recorded, again.unchanged) == (0, 1)
    assert AuditEvent.objects.filter(verb="endorsement.exam.part1").count() == 1


def test_every_problem_is_named_by_row_and_column_and_nothing_is_recorded(
    sitting: ExamSitting, personas: dict[str, Any]
) -> None:
    email = sitting.application.portfolio.person.email
    data = (
        "taken_on,email,part1_percent\n"  # any column order
        f"2025-13-01,{email},86\n"
        f"2025-01-01,nobody@example.org,101\n"
        ",,\n"
        f"2025-01-01,{email},80\n"
        f"2025-01-01,{email}\n"
    )
    with pytest.raises(TableError) as refused:
        import_part1_scores(actor=personas["coordinator"], association=sitting.application.association, data=data)
    assert [(p.row, p.column) for p in refused.value.problems] == [
        (2, "taken_on"),
        (3, "part1_percent"),
        (6, ""),
    ]
    assert str(refused.value.problems[0]) == "Row 2, column taken_on: a date YYYY-MM-DD."
    sitting.refresh_from_db()
    assert sitting.part1_percent is None


def test_the_header_an_unknown_person_and_a_duplicate_are_refused(
    sitting: ExamSitting, personas: dict[str, Any]
) -> None:
    association = sitting.application.association
    with pytest.raises(TableError, match="Row 1: The columns must be email,part1_percent,taken_on"):
        import_part1_scores(actor=personas["coordinator"], association=association, data="email,score\n")
    email = sitting.application.portfolio.person.email
    data = f"email,part1_percent,taken_on\nnobody@example.org,70,2025-01-01\n{email},90,2025-01-01\n{email},91,2025-01-01\n"
    with pytest.raises(TableError) as refused:
        import_part1_scores(actor=personas["coordinator"], association=association, data=data)
    assert [str(p) for p in refused.value.problems] == [
        "Row 2, column email: nobody approved to sit the exam has that address.",
        "Row 4, column email: A duplicate of row 3.",
    ]
    with pytest.raises(TableError, match="not UTF-8"):
        import_part1_scores(actor=personas["coordinator"], association=association, data=b"\xff\xfe\x00")
    assert not AuditEvent.objects.filter(verb="endorsement.exam.part1").exists()


def test_a_row_the_exam_refuses_rolls_back_the_whole_file(sitting: ExamSitting, personas: dict[str, Any]) -> None:
    late = (sitting.approved_until + timedelta(days=1)).isoformat()
    email = sitting.application.portfolio.person.email
    with pytest.raises(TableError) as refused:
        import_part1_scores(
            actor=personas["coordinator"],
            association=sitting.application.association,
            data=f"email,part1_percent,taken_on\n{email},90,{late}\n",
        )
    assert [(p.row, p.column) for p in refused.value.problems] == [(2, "taken_on")]


def test_the_staff_page_reports_the_outcome(sitting: ExamSitting, personas: dict[str, Any], client_for: Any) -> None:
    url = reverse("endorsement_staff:import_part1", kwargs={"association_slug": "riverbend"})
    client = client_for(personas["coordinator"])
    bad = SimpleUploadedFile("scores.csv", b"email,part1_percent,taken_on\nnobody@example.org,70,2025-01-01\n")
    page = client.post(url, {"scores": bad}, follow=True)
    shown = [str(m) for m in page.context["messages"]]
    assert shown == ["Row 2, column email: nobody approved to sit the exam has that address.", "Nothing was imported."]
    email = sitting.application.portfolio.person.email
    today = timezone.localdate().isoformat()
    good = SimpleUploadedFile("scores.csv", f"email,part1_percent,taken_on\n{email},75,{today}\n".encode())
    page = client.post(url, {"scores": good}, follow=True)
    assert [str(m) for m in page.context["messages"]] == ["1 Part 1 scores imported; 0 were already recorded."]
    assert [str(m) for m in client.post(url, {}, follow=True).context["messages"]] == ["Choose a CSV file."]
