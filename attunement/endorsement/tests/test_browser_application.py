"""One applicant from registration to Endorsed, in Debian's Chromium, through the applicant,
coordinator and reviewer personas; no Content Security Policy violation on the way."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from allauth.mfa.utils import decrypt

from attunement.endorsement.models import Application, Credential, State
from attunement.tests.test_browser import CHROMIUM, FLAGS
from conftest import PASSWORD

pytestmark = [
    pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed (apt-get install chromium)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def current_code(user: Any) -> str:
    secret = decrypt(Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP).data["secret"])
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def signed_in(browser: Any, live_server: Any, user: Any, violations: list[str]) -> Any:
    context = browser.new_context(locale="en-US")
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page = context.new_page()
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    if "/2fa/authenticate" in page.url:
        page.fill("input[name=code]", current_code(user))
        with page.expect_navigation():
            page.keyboard.press("Enter")
    return page


def click(page: Any, name: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).first.click()


def test_an_applicant_goes_from_registration_to_endorsed(
    browser: Any, live_server: Any, ready: Any, personas: dict[str, Any], settings: Any
) -> None:
    settings.MFA_TOTP_TOLERANCE = 1
    violations: list[str] = []
    alex, coordinator, reviewer = personas["applicant"], personas["coordinator"], personas["reviewer"]

    applicant = signed_in(browser, live_server, alex, violations)
    applicant.goto(f"{live_server.url}/me/applications/")
    applicant.select_option("#category", "IFS")
    applicant.check("#residency")
    click(applicant, "Register")
    for _fee in ("registration", "processing"):
        applicant.fill("input[name=card]", "4242")
        click(applicant, "Pay")
        if _fee == "registration":
            assert "In progress" in applicant.content()
            click(applicant, "Submit my application")
    application = Application.objects.get(portfolio=ready)
    assert application.state == State.SUBMITTED

    staff = signed_in(browser, live_server, coordinator, violations)
    staff.goto(f"{live_server.url}/riverbend/staff/applications/")
    with staff.expect_navigation():
        staff.get_by_role("link", name=alex.display_name).click()
    click(staff, "Complete: start the review")
    click(staff, "Assign (none ticked: the least busy eligible ones)")

    review = signed_in(browser, live_server, reviewer, violations)
    review.goto(f"{live_server.url}/riverbend/staff/reviews/")
    with review.expect_navigation():
        review.get_by_role("link", name=alex.display_name).click()
    review.check("#c-reflection-met")
    review.select_option("#recommendation", "endorse")
    click(review, "Submit my review")
    assert "agree" in review.content()

    applicant.goto(f"{live_server.url}/me/applications/{application.public_id}/")
    assert "Endorsed" in applicant.content()
    code = Credential.objects.get(person=alex).public_code
    applicant.goto(f"{live_server.url}/me/applications/")
    assert code in applicant.content()
    assert violations == []
