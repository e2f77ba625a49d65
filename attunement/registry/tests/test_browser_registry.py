"""In Debian's Chromium: someone checks a professional with the keyboard only, under the
strict CSP: the directory finds "José García" from "jose garcia", the holder's page leads to
the verification page, and after a revocation that page says "Not current"."""

from __future__ import annotations

import shutil
from datetime import date
from typing import Any

import pytest

from attunement.endorsement.actions.credential import revoke_credential
from attunement.endorsement.models import Credential
from attunement.tests.test_browser import browser, page  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed (apt-get install chromium)"),
    pytest.mark.django_db(transaction=True),
]


def test_find_and_verify_a_professional_by_keyboard(
    page: Any,  # noqa: F811
    live_server: Any,
    riverbend: Any,
    make_person: Any,
    personas: dict[str, Any],
) -> None:
    person = make_person("jose.garcia@example.org", legal_name="José García")
    credential = Credential.objects.create(
        person=person, association=riverbend, category="IMHS", since=date(2021, 3, 1), valid_through=date(2030, 6, 30)
    )
    page.goto(f"{live_server.url}/directory/")
    page.focus("#q")
    page.keyboard.type("jose garcia")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    result = page.get_by_role("link", name="José García")
    assert result.count() == 1
    result.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "José García"
    page.get_by_role("link", name="Verify this credential").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=1).inner_text() == "Current"
    assert "José García holds a current Endorsement" in page.get_by_role("status").inner_text()

    revoke_credential(actor=personas["admin"], credential=credential, reason="Found to have misrepresented hours")
    page.reload()
    assert page.get_by_role("heading", level=1).inner_text() == "Not current"
    assert "Revoked" in page.get_by_role("status").inner_text()
    assert page.csp_violations == []
