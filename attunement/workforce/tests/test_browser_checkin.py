"""In Debian's Chromium: a Spanish-speaking person answers the yearly check-in with the
keyboard only, under the strict CSP, and the answer is kept."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from attunement.tests.test_browser import browser, page  # noqa: F401  (fixtures)
from attunement.workforce.models import CheckinResponse

pytestmark = [
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed (apt-get install chromium)"),
    pytest.mark.django_db(transaction=True),
]


def test_the_check_in_by_keyboard_in_spanish(
    page: Any,  # noqa: F811
    live_server: Any,
    applicant_portfolio: Any,
    personas: dict[str, Any],
) -> None:
    client = Client()
    client.force_login(personas["applicant"])
    page.context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": live_server.url},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "es", "url": live_server.url},
        ]
    )  # fmt: skip
    page.goto(f"{live_server.url}/me/workforce/check-in/")
    assert "Consulta laboral" in page.title()
    page.focus("#id_role")
    page.keyboard.press("End")  # the last role in the list
    page.focus("#id_specialized_training_foundations_1")  # "Sí"
    page.keyboard.press("Space")
    page.focus("#id_barriers_0")
    page.keyboard.press("Space")
    page.focus("#id_caseload")
    page.keyboard.type("14")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("[role=status], .messages").first.is_visible()
    row = CheckinResponse.objects.get()
    assert row.specialized_training_foundations is True
    assert row.barriers == ["cost"]
    assert row.caseload == 14
    assert page.csp_violations == []
