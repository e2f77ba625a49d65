"""Backups: one ``.tar.gz`` holding the database and the uploaded files.

- SQLite: the online backup API copies a consistent snapshot while the site runs.
- PostgreSQL: ``pg_dump --format=custom``; restore runs ``pg_restore`` in one transaction.
- Uploads: the folder of the default file storage.
- ``manifest.json``: format, database kind, time, applied migrations and row counts of the
  main tables; a restore checks the counts afterwards, so a silent loss is an error.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections, transaction
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "attunement-backup/1"
COUNTED_MODELS = ["people.User", "associations.Association", "associations.StaffRole", "audit.AuditEvent"]


class BackupError(Exception):
    """A backup or restore cannot go ahead; the message says why in one sentence."""


@dataclass
class Manifest:
    format: str
    created_at: str
    vendor: str
    migrations: dict[str, str]
    counts: dict[str, int]

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            return cls(**{key: data[key] for key in ("format", "created_at", "vendor", "migrations", "counts")})
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError(f"The backup's manifest.json is damaged ({exc}).") from None


def _uploads_dir() -> Path:
    storage: dict[str, Any] = settings.STORAGES["default"]  # type: ignore[assignment]
    options: dict[str, Any] = storage.get("OPTIONS", {})
    return Path(options.get("location") or settings.MEDIA_ROOT)


def _counts(alias: str = "default") -> dict[str, int]:
    return {label: apps.get_model(label)._default_manager.using(alias).count() for label in COUNTED_MODELS}


def _migrations(alias: str = "default") -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connections[alias]).applied_migrations():
        if name > latest.get(app, ""):
            latest[app] = name
    return dict(sorted(latest.items()))


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed; install the PostgreSQL client tools.") from None
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{command[0]} failed: {detail}")


def _sqlite_counts(path: Path) -> dict[str, int]:
    db = sqlite3.connect(str(path))
    try:
        return {
            label: db.execute(f'SELECT COUNT(*) FROM "{apps.get_model(label)._meta.db_table}"').fetchone()[0]  # noqa: S608
            for label in COUNTED_MODELS
        }
    finally:
        db.close()


def create_backup(destination: Path, *, alias: str = "default") -> tuple[Path, Manifest]:
    """Write a backup; the manifest's counts are read from the very snapshot written."""
    connection = connections[alias]
    db = connection.settings_dict
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="attunement-backup-") as tmp:
        work = Path(tmp)
        if connection.vendor == "sqlite":
            dump = work / "database.sqlite3"
            source = sqlite3.connect(str(db["NAME"]))
            target = sqlite3.connect(str(dump))
            try:
                source.backup(target)
            finally:
                target.close()
                source.close()
            counts = _sqlite_counts(dump)
        elif connection.vendor == "postgresql":
            dump = work / "database.pgdump"
            # Count and dump the same snapshot: pg_dump joins the snapshot this transaction exports.
            with transaction.atomic(using=alias), connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                counts = _counts(alias)
                _run(
                    [
                        "pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                        "--file", str(dump), str(db["NAME"]),
                    ],
                    _pg_env(db),
                )  # fmt: skip
        else:
            raise BackupError(f"Backups of {connection.vendor} databases are not supported.")
        manifest = Manifest(
            format=FORMAT,
            created_at=datetime.now(tz=UTC).isoformat(timespec="seconds"),
            vendor=connection.vendor,
            migrations=_migrations(alias),
            counts=counts,
        )
        partial = destination.with_name(destination.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            payload = json.dumps(manifest.__dict__, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(payload)
            info.mtime = int(datetime.now(tz=UTC).timestamp())
            tar.addfile(info, io.BytesIO(payload))
            tar.add(dump, arcname=dump.name)
            uploads = _uploads_dir()
            if uploads.is_dir():
                tar.add(uploads, arcname="uploads")
        os.chmod(partial, 0o600)
        partial.replace(destination)
    return destination, manifest


def read_manifest(source: Path) -> Manifest:
    try:
        with tarfile.open(source, "r:gz") as tar:
            member = tar.extractfile("manifest.json")
            if member is None:
                raise KeyError("manifest.json")
            manifest = Manifest.from_json(member.read())
    except (OSError, tarfile.TarError, KeyError) as exc:
        raise BackupError(f"{source} is not an Attunement backup ({exc}).") from None
    if manifest.format != FORMAT:
        raise BackupError(f"{source} has format {manifest.format!r}; this version reads {FORMAT!r}.")
    return manifest


def restore_backup(source: Path, *, alias: str = "default") -> Manifest:
    manifest = read_manifest(source)
    connection = connections[alias]
    if manifest.vendor != connection.vendor:
        raise BackupError(
            f"The backup holds a {manifest.vendor} database but the current database is {connection.vendor}; "
            "restore it into the same kind of database."
        )
    db = connection.settings_dict
    with tempfile.TemporaryDirectory(prefix="attunement-restore-") as tmp:
        work = Path(tmp)
        with tarfile.open(source, "r:gz") as tar:
            tar.extractall(work, filter="data")
        connections.close_all()
        if connection.vendor == "sqlite":
            dump = work / "database.sqlite3"
            source_db = sqlite3.connect(str(dump))
            if source_db.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                source_db.close()
                raise BackupError("The database in the backup fails SQLite's integrity check.")
            target_db = sqlite3.connect(str(db["NAME"]), timeout=30)
            try:
                source_db.backup(target_db)
            finally:
                target_db.close()
                source_db.close()
        else:
            _run(
                [
                    "pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
                    "--exit-on-error", "--dbname", str(db["NAME"]), str(work / "database.pgdump"),
                ],
                _pg_env(db),
            )  # fmt: skip
        _swap_uploads(work / "uploads")
    counts = _counts(alias)
    if counts != manifest.counts:
        raise BackupError(f"After the restore the row counts {counts} differ from the backup's {manifest.counts}.")
    return manifest


def _swap_uploads(restored: Path) -> None:
    uploads = _uploads_dir()
    if not restored.is_dir():
        restored.mkdir()
    uploads.parent.mkdir(parents=True, exist_ok=True)
    previous = uploads.with_name(uploads.name + ".before-restore")
    if previous.exists():
        shutil.rmtree(previous)
    if uploads.exists():
        uploads.replace(previous)
    shutil.copytree(restored, uploads)
    if previous.exists():
        shutil.rmtree(previous)
