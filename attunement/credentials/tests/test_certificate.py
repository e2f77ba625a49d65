"""The certificate PDF: names in any script DejaVu Sans covers, a QR code to the verification page."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from attunement.credentials.certificate import CertificateFacts, render_certificate
from attunement.endorsement.models import Credential, CredentialStatus


def facts(name: str) -> CertificateFacts:
    return CertificateFacts(
        holder_name=name,
        category="Infant Family Specialist (IFS)",
        emerging=False,
        association="Riverbend Association for Infant Mental Health",
        since=date(2022, 3, 1),
        valid_through=date(2027, 6, 30),
        code="ABCDEFGH23",
        verification_url="http://127.0.0.1:8000/verify/ABCDEFGH23/",
    )


def unicode_in_pdf(pdf: bytes) -> set[int]:
    """The characters the PDF's ToUnicode maps name: what a reader extracts as text."""
    text = pdf.decode("latin-1")
    return {int(code, 16) for code in re.findall(r"<[0-9A-F]{4}> <([0-9A-F]{4,8})>", text)}


@pytest.mark.parametrize("name", ["María José González Ortiz", "Мария Ивановна Петрова", "Ελένη Παπαδοπούλου"])
def test_names_outside_latin_1_are_printed_with_their_own_letters(name: str) -> None:
    pdf = render_certificate(facts(name), compress=False)
    assert pdf.startswith(b"%PDF-")
    assert b"+DejaVuSans" in pdf
    assert {ord(c) for c in name if not c.isspace()} <= unicode_in_pdf(pdf)


def test_the_holder_downloads_a_certificate_with_a_qr_image(
    credential: Credential, client_for: Callable[..., Any], personas: dict[str, Any]
) -> None:
    url = reverse("credentials_me:certificate", kwargs={"code": credential.public_code})
    response = client_for(personas["applicant"]).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert b"/Subtype /Image" in response.content
    assert f"certificate-IFS-{credential.public_code}.pdf" in response["Content-Disposition"]


def test_no_certificate_for_a_credential_that_is_not_current(
    credential: Credential, client_for: Callable[..., Any], personas: dict[str, Any]
) -> None:
    Credential.objects.filter(pk=credential.pk).update(status=CredentialStatus.SUSPENDED)
    url = reverse("credentials_me:certificate", kwargs={"code": credential.public_code})
    response = client_for(personas["applicant"]).get(url)
    assert response.status_code == 302


def test_my_credentials_page_lists_the_downloads(
    credential: Credential, client_for: Callable[..., Any], personas: dict[str, Any]
) -> None:
    page = client_for(personas["applicant"]).get(reverse("credentials_me:mine")).content.decode()
    for what in ("jwt", "bundle", "certificate"):
        assert reverse(f"credentials_me:{what}", kwargs={"code": credential.public_code}) in page
    assert reverse("verify", kwargs={"code": credential.public_code}) in page


def test_the_certificate_is_made_by_a_task_when_the_credential_changes_and_never_served_stale(
    credential: Credential, client_for: Callable[..., Any], personas: dict[str, Any], monkeypatch: Any
) -> None:
    """Issue 17.1 (PDF generation as tasks): a change enqueues the rendering; the download then
    streams the stored file; a corrected name is printed at once, never the stored one."""
    from attunement.endorsement.signals import send_credentials_changed
    from attunement.lib.models import StoredDocument
    from attunement.lib.testing import run_tasks
    from attunement.people.models import User

    alex = personas["applicant"]
    send_credentials_changed(credential.association, "renewed", [credential.pk])
    assert run_tasks() == 1
    [stored] = StoredDocument.objects.filter(kind="credentials.certificate")
    assert stored.key == f"{credential.public_code}:{alex.preferred_language}"  # the holder's language

    made: list[str] = []

    def counting(facts: CertificateFacts, **kwargs: Any) -> bytes:
        made.append(facts.holder_name)
        return render_certificate(facts, **kwargs)

    monkeypatch.setattr("attunement.credentials.documents.render_certificate", counting)
    client = client_for(alex)
    client.cookies["django_language"] = alex.preferred_language
    url = reverse("credentials_me:certificate", kwargs={"code": credential.public_code})
    with stored.file.open("rb") as handle:
        assert client.get(url).content == handle.read()
    assert made == []  # streamed from the store
    User.objects.filter(pk=alex.pk).update(legal_name="Alexandra Rivera-Soto")
    fresh = client.get(url)
    assert made == ["Alexandra Rivera-Soto"]
    assert fresh.content.startswith(b"%PDF-")
    stored.refresh_from_db()
    with stored.file.open("rb") as handle:
        assert handle.read() == fresh.content  # kept for the next download
    assert StoredDocument.objects.filter(kind="credentials.certificate").count() == 1
