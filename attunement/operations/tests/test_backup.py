"""R10: a backup and its restore lose nothing, on SQLite and on PostgreSQL."""

from __future__ import annotations

import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from attunement.associations.models import Association, StaffRole
from attunement.audit.models import AuditEvent
from attunement.operations.backup import read_manifest
from attunement.people.models import User

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot() -> dict[str, Any]:
    return {
        "people": sorted(User.objects.values_list("email", "legal_name", "languages")),
        "associations": sorted(Association.objects.values_list("slug", "name", "logo")),
        "roles": sorted(StaffRole.objects.values_list("public_id", "role", "revoked_at")),
        "audit": sorted(AuditEvent.objects.values_list("id", "verb", "target_id", "data")),
    }


def test_a_restore_brings_back_everything_the_backup_held(
    personas: dict[str, Any], logo_upload: Any, tmp_path: Path
) -> None:
    from attunement.associations import actions

    riverbend = Association.objects.get(slug="riverbend")
    actions.set_association_logo(actor=personas["admin"], association=riverbend, logo=logo_upload)
    riverbend.refresh_from_db()
    logo_bytes = riverbend.logo.read()
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive)
    before = snapshot()
    manifest = read_manifest(archive)
    assert manifest.counts["people.User"] == User.objects.count()
    assert any(e.verb == "operations.backup.created" for e in AuditEvent.objects.all())

    # Everything changes after the backup: new people, a lost logo file, a new audit trail entry.
    User.objects.create_user("late@example.org")
    Path(riverbend.logo.path).unlink()
    call_command("restore", str(archive), yes=True)

    after = snapshot()
    restored_events = after.pop("audit")
    expected_events = before.pop("audit")
    assert after == before
    # The restore adds exactly one event of its own after the restored trail.
    assert restored_events[: len(expected_events)] == expected_events
    assert [e[1] for e in restored_events[len(expected_events) :]] == ["operations.backup.restored"]
    riverbend.refresh_from_db()
    assert riverbend.logo.read() == logo_bytes
    assert not User.objects.filter(email="late@example.org").exists()


def test_it_refuses_a_file_that_is_not_a_backup(tmp_path: Path, db: Any) -> None:
    bogus = tmp_path / "bogus.tar.gz"
    with tarfile.open(bogus, "w:gz") as tar:
        tar.add(__file__, arcname="notes.py")
    with pytest.raises(CommandError, match="not an Attunement backup"):
        call_command("restore", str(bogus), yes=True)


def test_it_refuses_a_backup_of_the_other_kind_of_database(tmp_path: Path, personas: dict[str, Any]) -> None:
    import io
    import json

    from django.db import connection

    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    fake = tmp_path / "other.tar.gz"
    payload = json.dumps(
        {
            "format": "attunement-backup/1",
            "created_at": "2026-01-01T00:00:00+00:00",
            "vendor": other,
            "migrations": {},
            "counts": {},
        }
    ).encode()
    with tarfile.open(fake, "w:gz") as tar:
        info = tarfile.TarInfo("manifest.json")
        info.size = len(payload)
        tar.addfile(info, io.BytesIO(payload))
    users_before = User.objects.count()
    with pytest.raises(CommandError, match="same kind of database"):
        call_command("restore", str(fake), yes=True)
    assert User.objects.count() == users_before


def backup_with_a_signing_key(personas: dict[str, Any], tmp_path: Path) -> Path:
    from attunement.credentials.actions import create_signing_key

    create_signing_key(actor=None, association=Association.objects.get(slug="riverbend"))
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive)
    return archive


def test_a_restore_whose_signing_keys_do_not_open_here_restores_nothing(
    personas: dict[str, Any], tmp_path: Path
) -> None:
    from django.test import override_settings

    from attunement.credentials.models import SigningKey

    archive = backup_with_a_signing_key(personas, tmp_path)
    User.objects.create_user("late@example.org")
    SigningKey.objects.all().delete()
    before = snapshot()
    # Another machine: its secret is not the one that sealed the keys in the backup.
    with (
        override_settings(CREDENTIAL_KEY_SECRET="another machine's secret, not the backup's"),
        pytest.raises(CommandError) as refused,
    ):
        call_command("restore", str(archive), yes=True)
    message = str(refused.value)
    assert "Nothing was restored" in message
    assert "CREDENTIAL_KEY_SECRET" in message
    assert "1 of the 1 current credential-signing keys" in message
    # The database is as it was: the late person is still there, no key came back, no restore event.
    assert snapshot() == before
    assert not SigningKey.objects.exists()
    assert not AuditEvent.objects.filter(verb="operations.backup.restored").exists()


def test_a_restore_with_unreadable_keys_goes_ahead_only_when_told_and_says_so(
    personas: dict[str, Any], tmp_path: Path
) -> None:
    import io

    from django.test import override_settings

    from attunement.credentials.models import SigningKey

    archive = backup_with_a_signing_key(personas, tmp_path)
    User.objects.create_user("late@example.org")
    err = io.StringIO()
    with override_settings(CREDENTIAL_KEY_SECRET="another machine's secret, not the backup's"):
        call_command("restore", str(archive), yes=True, allow_unreadable_keys=True, stderr=err)
    assert "rotate-key" in err.getvalue()
    assert not User.objects.filter(email="late@example.org").exists()
    assert SigningKey.objects.count() == 1
    [event] = AuditEvent.objects.filter(verb="operations.backup.restored")
    assert len(event.data["unreadable_keys"]) == 1


def test_a_retired_key_sealed_under_an_older_secret_does_not_block_a_restore(
    personas: dict[str, Any], tmp_path: Path
) -> None:
    from django.test import override_settings

    from attunement.credentials.actions import rotate_signing_key

    riverbend = Association.objects.get(slug="riverbend")
    with override_settings(CREDENTIAL_KEY_SECRET="the secret before it was changed"):
        rotate_signing_key(actor=None, association=riverbend)
    # The secret changed and the key was rotated, as the guide says: the old key stays retired.
    rotate_signing_key(actor=None, association=riverbend)
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive)
    call_command("restore", str(archive), yes=True)
    assert AuditEvent.objects.filter(verb="operations.backup.restored").count() == 1
