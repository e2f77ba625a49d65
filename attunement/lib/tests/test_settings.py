"""Start-up configuration: clear one-sentence errors, production checks, database options."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from attunement.lib.env import ConfigError, env_bool

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION_ENV = {
    "ATTUNEMENT_PRODUCTION": "true",
    "SECRET_KEY": "k3J9x-2fQp7LwZ8vR1mN4bT6yH0sD5cG3aE9uI2oP7qW1zX8vB4nM6lK0jH3gF5d",
    "ALLOWED_HOSTS": "attunement.example.org",
    "SITE_URL": "https://attunement.example.org",
    "EMAIL_HOST": "smtp.example.org",
}


def run_cli(
    *args: str, env: dict[str, str] | None = None, var_dir: Path | None = None
) -> subprocess.CompletedProcess[str]:
    base = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG", "SECRET_KEY", "ATTUNEMENT_PRODUCTION"}
    }
    if var_dir is not None:
        base["ATTUNEMENT_VAR_DIR"] = str(var_dir)
    return subprocess.run(
        [sys.executable, "-m", "attunement", *args],
        env={**base, **(env or {})},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_one_sentence(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]


def test_it_refuses_a_database_url_it_does_not_understand(tmp_path: Path) -> None:
    result = run_cli("check", env={"DATABASE_URL": "mysql://root@localhost/attunement"}, var_dir=tmp_path)
    assert_one_sentence(result, "DATABASE_URL")


def test_it_refuses_a_database_url_without_a_database_name(tmp_path: Path) -> None:
    result = run_cli("check", env={"DATABASE_URL": "postgres://postgres@127.0.0.1:5432"}, var_dir=tmp_path)
    assert_one_sentence(result, "DATABASE_URL")


def test_it_says_so_when_the_database_cannot_be_reached(tmp_path: Path) -> None:
    result = run_cli("migrate", env={"DATABASE_URL": "postgres://nobody@127.0.0.1:1/attunement"}, var_dir=tmp_path)
    assert_one_sentence(result, "cannot reach its database", "DATABASE_URL")


def test_it_refuses_an_unwritable_data_folder(tmp_path: Path) -> None:
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    result = run_cli("check", var_dir=blocked / "var")
    assert_one_sentence(result, "not writable", "ATTUNEMENT_VAR_DIR")


def test_production_without_a_secret_key_stops_with_one_sentence(tmp_path: Path) -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_cli("check", env=env, var_dir=tmp_path)
    assert_one_sentence(result, "SECRET_KEY")


def test_production_refuses_debug(tmp_path: Path) -> None:
    result = run_cli("check", env={**PRODUCTION_ENV, "DEBUG": "true"}, var_dir=tmp_path)
    assert_one_sentence(result, "DEBUG")


def test_a_boolean_must_be_true_or_false(tmp_path: Path) -> None:
    result = run_cli("check", env={"DEBUG": "yes"}, var_dir=tmp_path)
    assert_one_sentence(result, "DEBUG must be true or false")


def test_the_deploy_check_passes_with_production_settings(tmp_path: Path) -> None:
    result = run_cli("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV, var_dir=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_secret_key_is_generated_once_into_the_data_folder(tmp_path: Path) -> None:
    for _ in range(2):
        assert run_cli("check", var_dir=tmp_path).returncode == 0
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_a_secret_key_can_come_from_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from attunement.lib.env import env_str

    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("SECRET_KEY_FILE", str(secret))
    assert env_str("SECRET_KEY") == "from-a-file"
    monkeypatch.setenv("SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(ConfigError, match="SECRET_KEY_FILE"):
        env_str("SECRET_KEY")


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("FALSE", False), ("", False)])
def test_env_bool_reads_only_true_and_false(monkeypatch: pytest.MonkeyPatch, raw: str, expected: bool) -> None:
    monkeypatch.setenv("SOME_FLAG", raw)
    assert env_bool("SOME_FLAG") is expected


def test_connections_are_persistent_with_health_checks() -> None:
    db = settings.DATABASES["default"]
    assert (db["CONN_MAX_AGE"] or 0) > 0
    assert db["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db
def test_sqlite_runs_in_wal_with_immediate_transactions() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only settings; the PostgreSQL run checks the settings above")
    assert connection.transaction_mode == "IMMEDIATE"  # type: ignore[attr-defined]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


def test_passwords_are_hashed_with_argon2() -> None:
    from attunement import settings as project_settings

    assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_login_is_required_unless_a_view_says_otherwise() -> None:
    assert "django.contrib.auth.middleware.LoginRequiredMiddleware" in settings.MIDDLEWARE
