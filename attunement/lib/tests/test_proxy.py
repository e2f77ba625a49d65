"""Behind the TLS proxy, per-address sign-in limits key on each client, not on the proxy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from attunement.lib.tests.test_settings import PRODUCTION_ENV, assert_one_sentence, run_cli

SHOW = "from django.conf import settings; print(settings.ALLAUTH_TRUSTED_PROXY_COUNT)"


def production_proxy_count(tmp_path: Path, **env: str) -> int:
    result = run_cli("shell", "-c", SHOW, env={**PRODUCTION_ENV, **env}, var_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    return int(result.stdout.split()[-1])


def test_production_trusts_one_proxy_unless_told_otherwise(tmp_path: Path) -> None:
    assert production_proxy_count(tmp_path) == 1
    assert production_proxy_count(tmp_path, TRUSTED_PROXY_COUNT="2") == 2
    assert production_proxy_count(tmp_path, BEHIND_TLS_PROXY="false") == 0


def test_a_wrong_proxy_count_stops_start_up_with_one_sentence(tmp_path: Path) -> None:
    assert_one_sentence(run_cli("check", env={"TRUSTED_PROXY_COUNT": "one"}, var_dir=tmp_path), "TRUSTED_PROXY_COUNT")
    assert_one_sentence(run_cli("check", env={"TRUSTED_PROXY_COUNT": "-1"}, var_dir=tmp_path), "TRUSTED_PROXY_COUNT")


def fail_sign_ins(client: Client, n: int, forwarded_for: str, start: int = 0) -> str:
    """``n`` failed sign-ins (each for another address, so only the per-IP limit counts);
    the form errors of the last one."""
    errors = ""
    for i in range(start, start + n):
        response = client.post(
            reverse("account_login"),
            {"login": f"nobody{i}@example.org", "password": "wrong password, sorry"},
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )
        assert response.status_code == 200
        errors = str(response.context["form"].errors)
    return errors


@pytest.mark.django_db
def test_two_clients_behind_the_proxy_get_separate_sign_in_limits(tmp_path: Path, db: Any) -> None:
    count = production_proxy_count(tmp_path)
    # The proxy appends the client's address; what the client sent itself comes before it.
    a, b = "203.0.113.7", "198.51.100.9"
    with override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=count):
        assert "Too many failed login attempts" not in fail_sign_ins(Client(), 20, f"10.0.0.1, {a}")
        assert "Too many failed login attempts" in fail_sign_ins(Client(), 1, a, start=20)
        # Another client through the same proxy is not locked out by the first one's failures,
        assert "Too many failed login attempts" not in fail_sign_ins(Client(), 1, b, start=21)
        # and the first cannot escape its limit by forging the header it sends.
        assert "Too many failed login attempts" in fail_sign_ins(Client(), 1, f"{b}, {a}", start=22)


@pytest.mark.django_db
def test_without_a_trusted_proxy_everyone_behind_it_shares_one_limit(db: Any) -> None:
    """What production did before TRUSTED_PROXY_COUNT: the limit keyed on the proxy's address."""
    with override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=0):
        fail_sign_ins(Client(), 20, "203.0.113.7")
        assert "Too many failed login attempts" in fail_sign_ins(Client(), 1, "198.51.100.9", start=20)
