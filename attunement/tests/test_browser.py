"""In a real browser (Debian's Chromium driven by Playwright): keyboard use, the language
switcher, sign-in with a second factor, and no Content Security Policy violation anywhere.

Runs when /usr/bin/chromium exists (CI installs it; locally `apt-get install chromium`)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value, yield_hotp_counters_from_time

from attunement.associations import actions as association_actions
from attunement.associations.models import Role
from conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed (apt-get install chromium)"),
    pytest.mark.django_db(transaction=True),
]
FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; Django's ORM calls made by
    # the tests themselves are still synchronous (the Django docs' advice for Playwright).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.csp_violations = []
    page.on(
        "console",
        lambda message: page.csp_violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    yield page
    context.close()


def test_a_keyboard_user_skips_to_the_content_and_the_page_runs_under_the_csp(
    page: Any, live_server: Any, riverbend: Any
) -> None:
    page.goto(f"{live_server.url}/riverbend/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # htmx carries the page's nonce, so it ran; nothing was refused.
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.csp_violations == []


def test_a_person_switches_to_spanish_with_the_keyboard(page: Any, live_server: Any, riverbend: Any) -> None:
    page.goto(f"{live_server.url}/riverbend/")
    page.focus("#language-select")
    page.select_option("#language-select", "es")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Change"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_attribute("html", "lang") == "es"
    assert page.locator(".skip-link").text_content().strip() == "Saltar al contenido principal"
    assert page.csp_violations == []


def test_a_coordinator_signs_in_with_a_second_factor_and_reaches_the_staff_pages(
    page: Any, live_server: Any, riverbend: Any, make_person: Any, settings: Any
) -> None:
    # One period of tolerance either side, so a code typed as the 30 seconds turn still counts.
    settings.MFA_TOTP_TOLERANCE = 1
    coordinator = make_person("maria@riverbend.example", totp=False)
    association_actions.grant_staff_role(actor=None, association=riverbend, user=coordinator, role=Role.COORDINATOR)
    TOTP.activate(coordinator, TOTP_SECRET)

    page.goto(f"{live_server.url}/accounts/login/?next=/riverbend/staff/roles/")
    page.fill("input[name=login]", "maria@riverbend.example")
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/2fa/authenticate/**")
    counters = list(yield_hotp_counters_from_time())
    page.fill("input[name=code]", format_hotp_value(hotp_value(TOTP_SECRET, counters[len(counters) // 2])))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/riverbend/staff/roles/" in page.url, page.locator("main").text_content()
    assert page.locator("h1").text_content().strip() == "Staff and roles"
    assert "maria@riverbend.example" in page.locator("table").text_content()
    assert page.csp_violations == []
