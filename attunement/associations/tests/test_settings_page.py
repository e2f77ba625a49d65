"""An association admin edits details, logo and policy; bad input names its field.

Each form posts to its own address; a refused one comes back on the settings page (400)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from attunement.associations.models import Association, AssociationPolicy
from attunement.audit.models import AuditEvent
from conftest import png_bytes

SLUG = {"association_slug": "riverbend"}
URL = reverse("associations:save_policy", kwargs=SLUG)
DETAILS_URL = reverse("associations:save_details", kwargs=SLUG)
LOGO_URL = reverse("associations:save_logo", kwargs=SLUG)


def policy_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "policy-languages_offered": ["en", "es"],
        "policy-residency_rule": "residents",
        "policy-membership_cutoff_month": "9",
        "policy-membership_cutoff_day": "1",
        "policy-renewal_due_month": "12",
        "policy-renewal_due_day": "15",
        "policy-renewal_grace_days": "45",
        "policy-reviewers_per_application": "1",
        "policy-public_directory": "on",
        "policy-review_schedule": "quarterly",
        "policy-review_dates": "",
        "policy-application_window_days": "90",
        "policy-exam_approval_days": "365",
        "policy-exam_retake_wait_days": "365",
        "policy-renewal_audit_percent": "10",
        "policy-reminder_days": "[90, 30, 7, 0, -7]",
    }
    data.update(overrides)
    return data


def test_an_admin_changes_the_policy_and_the_change_is_audited(personas: dict[str, Any], client_for: Any) -> None:
    response = client_for(personas["admin"]).post(URL, policy_data())
    assert response.status_code == 302
    policy = AssociationPolicy.objects.get(association__slug="riverbend")
    assert (policy.membership_cutoff_month, policy.renewal_due_day, policy.reviewers_per_application) == (9, 15, 1)
    event = AuditEvent.objects.get(verb="association.policy.updated")
    assert event.actor == personas["admin"]
    assert event.data["before"]["renewal_due_day"] == 31
    assert event.data["after"]["renewal_due_day"] == 15


def test_an_impossible_date_names_the_field_and_saves_nothing(personas: dict[str, Any], client_for: Any) -> None:
    response = client_for(personas["admin"]).post(
        URL, policy_data(**{"policy-renewal_due_month": "2", "policy-renewal_due_day": "30"})
    )
    assert response.status_code == 400
    assert "renewal_due_day" in response.context["policy"].errors
    policy = AssociationPolicy.objects.get(association__slug="riverbend")
    assert (policy.renewal_due_month, policy.renewal_due_day) == (12, 31)
    assert not AuditEvent.objects.filter(verb="association.policy.updated").exists()


def test_three_reviewers_are_refused(personas: dict[str, Any], client_for: Any) -> None:
    response = client_for(personas["admin"]).post(URL, policy_data(**{"policy-reviewers_per_application": "3"}))
    assert response.status_code == 400
    assert "reviewers_per_application" in response.context["policy"].errors


def test_saving_unchanged_details_writes_no_event(
    personas: dict[str, Any], client_for: Any, riverbend: Association
) -> None:
    data = {
        "details-name": riverbend.name,
        "details-short_name": "",
        "details-state": "VT",
        "details-country": "US",
        "details-contact_email": riverbend.contact_email,
        "details-contact_phone": "",
        "details-website": "",
        "details-time_zone": riverbend.time_zone,
    }
    assert client_for(personas["admin"]).post(DETAILS_URL, data).status_code == 302
    assert not AuditEvent.objects.filter(verb="association.updated").exists()
    data["details-name"] = "Riverbend AIMH"
    data["details-time_zone"] = "Mars/Olympus"
    response = client_for(personas["admin"]).post(DETAILS_URL, data)
    assert response.status_code == 400
    assert "time_zone" in response.context["details"].errors
    riverbend.refresh_from_db()
    assert riverbend.name != "Riverbend AIMH"


def test_a_logo_is_checked_by_content_and_served_as_an_image(personas: dict[str, Any], client_for: Any) -> None:
    client = client_for(personas["admin"])
    fake = SimpleUploadedFile("logo.png", b"<html><script>alert(1)</script></html>", content_type="image/png")
    response = client.post(LOGO_URL, {"logo-logo": fake})
    assert response.status_code == 400
    assert "logo" in response.context["logo"].errors
    assert not Association.objects.get(slug="riverbend").logo

    real = SimpleUploadedFile("../../etc/passwd.gif", png_bytes(), content_type="image/gif")
    assert client.post(LOGO_URL, {"logo-logo": real}).status_code == 302
    stored = str(Association.objects.get(slug="riverbend").logo.name)
    assert stored.startswith("logos/")
    assert stored.endswith(".png")
    assert "passwd" not in stored
    served = client_for(None).get(reverse("associations:logo", kwargs={"association_slug": "riverbend"}))
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == png_bytes()


def test_an_oversized_logo_is_refused(personas: dict[str, Any], client_for: Any, settings: Any) -> None:
    settings.ASSOCIATION_LOGO_MAX_BYTES = 100
    big = SimpleUploadedFile("logo.png", png_bytes((64, 64)), content_type="image/png")
    response = client_for(personas["admin"]).post(LOGO_URL, {"logo-logo": big})
    assert response.status_code == 400
    assert "logo" in response.context["logo"].errors


def test_a_logo_file_missing_from_storage_is_a_404_not_an_error(
    personas: dict[str, Any], client_for: Any, logo_upload: Any
) -> None:
    from pathlib import Path

    from attunement.associations import actions

    riverbend = Association.objects.get(slug="riverbend")
    actions.set_association_logo(actor=personas["admin"], association=riverbend, logo=logo_upload)
    riverbend.refresh_from_db()
    Path(riverbend.logo.path).unlink()
    assert (
        client_for(None).get(reverse("associations:logo", kwargs={"association_slug": "riverbend"})).status_code == 404
    )


def test_fixed_review_dates_are_read_and_a_bad_one_is_named(personas: dict[str, Any], client_for: Any) -> None:
    client = client_for(personas["admin"])
    bad = client.post(
        URL, policy_data(**{"policy-review_schedule": "fixed", "policy-review_dates": "2026-03-01, March 9"})
    )
    assert bad.status_code == 400
    assert "review_dates" in bad.context["policy"].errors
    ok = client.post(URL, policy_data(**{"policy-review_schedule": "fixed", "policy-review_dates": "2026-09-01, 2026-03-01",
                                         "policy-categories_offered": ["IFA", "IFS"]}))  # fmt: skip
    assert ok.status_code == 302
    policy = AssociationPolicy.objects.get(association__slug="riverbend")
    assert (policy.review_dates, policy.categories_offered) == (["2026-03-01", "2026-09-01"], ["IFA", "IFS"])
