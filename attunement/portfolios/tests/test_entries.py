"""Entries: forms that name the bad field, uploads checked by content, staff verification."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from attunement.audit.models import AuditEvent
from attunement.lib.testing import assert_constant_queries
from attunement.portfolios.models import Education, Training, Verification
from conftest import PDF_BYTES, png_bytes


def test_a_date_in_the_future_is_refused_by_field(
    personas: dict[str, Any], client_for: Any, applicant_portfolio: Any
) -> None:
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client_for(personas["applicant"]).post(
        reverse("portfolio:section", kwargs={"section": "training"}),
        {"title": "Course", "date": tomorrow, "hours": "3"},
    )
    assert response.status_code == 400
    assert "date" in response.context["form"].errors
    assert not Training.objects.exists()


def test_an_end_before_its_start_is_refused(
    personas: dict[str, Any], client_for: Any, applicant_portfolio: Any
) -> None:
    response = client_for(personas["applicant"]).post(
        reverse("portfolio:section", kwargs={"section": "work"}),
        {"employer": "X", "title": "Y", "start": "2024-05-01", "end": "2024-04-01", "service_level": "prevention",
         "ages": "infant", "fte": "1", "families_served": "3"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "end" in response.context["form"].errors


def test_a_transcript_must_be_a_pdf_or_an_image_by_its_content(
    personas: dict[str, Any], client_for: Any, applicant_portfolio: Any
) -> None:
    client = client_for(personas["applicant"])
    url = reverse("portfolio:section", kwargs={"section": "education"})
    data = {"level": "master", "field": "Social work", "conferred": "2020-05-01"}
    fake = SimpleUploadedFile(
        "transcript.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf"
    )
    response = client.post(url, {**data, "transcript": fake})
    assert response.status_code == 400
    assert "transcript" in response.context["form"].errors
    truncated = SimpleUploadedFile("transcript.pdf", PDF_BYTES[:20], content_type="application/pdf")
    assert client.post(url, {**data, "transcript": truncated}).status_code == 400
    real = SimpleUploadedFile("../../x.exe", PDF_BYTES, content_type="application/octet-stream")
    assert client.post(url, {**data, "transcript": real}).status_code == 302
    entry = Education.objects.get(level="master")
    assert str(entry.transcript.name).startswith("transcripts/")
    assert str(entry.transcript.name).endswith(".pdf")
    image = SimpleUploadedFile("scan.png", png_bytes(), content_type="image/png")
    assert client.post(url, {**data, "field": "Scan", "transcript": image}).status_code == 302


def test_a_transcript_is_served_to_its_owner_and_the_associations_staff_only(
    personas: dict[str, Any], client_for: Any, applicant_portfolio: Any
) -> None:
    entry = applicant_portfolio.education_entries.get()
    own = client_for(personas["applicant"]).get(
        reverse("portfolio:file", kwargs={"section": "education", "entry_id": entry.public_id})
    )
    assert own.status_code == 200
    assert own["Content-Type"] == "application/pdf"
    assert own["Cache-Control"] == "private, no-store"
    staff_url = reverse(
        "portfolio_staff:file",
        kwargs={
            "association_slug": "riverbend",
            "portfolio_id": applicant_portfolio.public_id,
            "section": "education",
            "entry_id": entry.public_id,
        },
    )
    assert client_for(personas["coordinator"]).get(staff_url).status_code == 200
    assert client_for(personas["outsider"]).get(staff_url).status_code == 404
    cascade_url = staff_url.replace("/riverbend/", "/cascade/")
    assert client_for(personas["outsider"]).get(cascade_url).status_code == 404


def test_staff_verify_an_entry_and_the_owner_can_no_longer_change_it(
    personas: dict[str, Any], client_for: Any, applicant_portfolio: Any
) -> None:
    entry = applicant_portfolio.education_entries.get()
    url = reverse(
        "portfolio_staff:verify",
        kwargs={
            "association_slug": "riverbend",
            "portfolio_id": applicant_portfolio.public_id,
            "section": "education",
            "entry_id": entry.public_id,
        },
    )
    assert (
        client_for(personas["coordinator"]).post(url, {"verification": "needs_changes", "reason": ""}).status_code
        == 302
    )
    entry.refresh_from_db()
    assert entry.verification == Verification.UNVERIFIED  # a reason is required to ask for changes
    client_for(personas["coordinator"]).post(url, {"verification": "verified", "reason": ""})
    entry.refresh_from_db()
    assert (entry.verification, entry.verified_by) == (Verification.VERIFIED, personas["coordinator"])
    assert (
        AuditEvent.objects.filter(verb="portfolios.education.verification", actor=personas["coordinator"]).count() == 1
    )
    owner = client_for(personas["applicant"])
    delete = reverse("portfolio:delete", kwargs={"section": "education", "entry_id": entry.public_id})
    owner.post(delete)
    assert Education.objects.filter(pk=entry.pk).exists()


def test_the_staff_list_costs_the_same_with_5_and_50_portfolios(
    personas: dict[str, Any], client_for: Any, riverbend: Any
) -> None:
    from attunement.people.models import User
    from attunement.portfolios.models import Portfolio

    def grow(n: int) -> None:
        while Portfolio.objects.count() < n:
            person = User.objects.create_user(f"p{Portfolio.objects.count()}@example.org")
            Portfolio.objects.create(person=person, association=riverbend, aim="IFS")

    # Every portfolio is for coordinators and admins (issue 27.4); a reviewer gets a 403.
    client = client_for(personas["coordinator"])
    url = reverse("portfolio_staff:list", kwargs={"association_slug": "riverbend"})
    # session, user, staff status, association+policy, the coordinator's roles, the page.
    assert assert_constant_queries(grow, lambda: client.get(url)) == 6
    assert "p1@example.org" in client.get(url).content.decode()
    assert client_for(personas["reviewer"]).get(url).status_code == 403
