"""Attendance certificates made ahead of the downloads: when a session is finalised a task
renders each credited attendee's certificate; a download streams the stored file unless what
it shows has changed since (a corrected name, say)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.tasks import task
from django.urls import reverse
from django.utils import translation

from attunement.lib.documents import document
from attunement.training.models import Registration
from attunement.training.pdf import render_certificate

KIND = "training.certificate"


def verification_url(registration: Registration, site: str | None = None) -> str:
    return (site if site is not None else settings.SITE_URL) + reverse(
        "training:certificate_check",
        kwargs={"association_slug": registration.session.association.slug, "code": registration.certificate_code},
    )


def _facts(registration: Registration, url: str) -> dict[str, Any]:
    """Everything the certificate prints."""
    session, person = registration.session, registration.person
    return {
        "association": session.association.name,
        "person": person.legal_name or person.display_name,
        "title": session.course.title,
        "provider": session.course.provider.name,
        "days": [session.starts_on, session.ends_on],
        "hours": registration.credited_hours,
        "code": registration.certificate_code,
        "url": url,
    }


def attendance_pdf(registration: Registration, url: str) -> bytes:
    language = translation.get_language() or "en"
    return document(
        KIND,
        f"{registration.certificate_code}:{language}",
        _facts(registration, url),
        lambda: render_certificate(registration, url),
    )


@task(queue_name="default")
def render_attendance_certificates(session_id: int) -> int:
    """After finalising: each credited attendee's certificate, in their language."""
    made = 0
    for registration in (
        Registration.objects.filter(session_id=session_id, credited_hours__gt=0)
        .select_related("person", "session__course__provider", "session__association")
        .order_by("pk")
    ):
        with translation.override(registration.person.preferred_language or "en"):
            attendance_pdf(registration, verification_url(registration))
        made += 1
    return made
