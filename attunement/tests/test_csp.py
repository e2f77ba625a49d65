"""R2: every HTML page carries the strict Content Security Policy and nothing inline."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from attunement.lib.testing import csp_problems
from attunement.tests.test_permissions import TABLE, context

ALLAUTH_PUBLIC = ["account_login", "account_signup", "account_reset_password", "account_request_login_code"]
ALLAUTH_SIGNED_IN = ["account_email", "account_change_password", "mfa_index", "account_reauthenticate"]
ADMIN_PAGES = [
    "admin:index",
    "admin:people_user_changelist",
    "admin:associations_association_changelist",
    "admin:audit_auditevent_changelist",
]


@pytest.mark.parametrize("persona", ["anonymous", "applicant", "coordinator", "admin"])
def test_every_get_route_carries_the_strict_csp(
    persona: str, personas: dict[str, Any], client_for: Any, staff_role: Any, applicant_portfolio: Any
) -> None:
    client = client_for(personas[persona])
    ctx = context(staff_role, applicant_portfolio)
    checked = 0
    for route, row in TABLE.items():
        if row.method != "get" or row.expect[persona] != 200:
            continue
        response = client.get(reverse(route, kwargs=row.kwargs(ctx)))
        if response.status_code == 404 and route == "associations:logo":
            continue  # no logo uploaded in this test: nothing to serve
        assert response.status_code == 200, route
        assert csp_problems(response) == [], route
        checked += 1
    assert checked >= 3


@pytest.mark.parametrize("route", ALLAUTH_PUBLIC)
def test_account_pages_carry_the_strict_csp(route: str, client: Any, db: Any) -> None:
    response = client.get(reverse(route))
    assert response.status_code == 200
    assert csp_problems(response) == []


@pytest.mark.parametrize("route", ALLAUTH_SIGNED_IN)
def test_signed_in_account_pages_carry_the_strict_csp(route: str, personas: dict[str, Any], client_for: Any) -> None:
    response = client_for(personas["applicant"]).get(reverse(route))
    assert response.status_code == 200
    assert csp_problems(response) == []


@pytest.mark.parametrize("route", ADMIN_PAGES)
def test_admin_pages_carry_the_strict_csp(route: str, personas: dict[str, Any], client_for: Any) -> None:
    response = client_for(personas["operator"]).get(reverse(route))
    assert response.status_code == 200
    assert csp_problems(response) == []


def test_error_pages_carry_the_strict_csp(client: Any, db: Any) -> None:
    response = client.get("/no-such-association/")
    assert response.status_code == 404
    assert csp_problems(response) == []


def test_the_checker_catches_inline_script_and_style(rf: Any) -> None:
    from django.http import HttpResponse

    bad = HttpResponse('<p style="color:red">x</p><script>alert(1)</script><a onclick="x()">y</a>')
    bad["Content-Security-Policy"] = "default-src 'self' 'unsafe-inline'"
    problems = csp_problems(bad)
    assert "policy allows unsafe-inline or unsafe-eval" in problems
    assert "an inline script without the page's nonce" in problems
    assert "inline style" in problems
    assert "an inline event handler (on...=)" in problems
    assert "object-src is not 'none'" in problems
