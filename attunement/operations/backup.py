"""Backups: one ``.tar.gz`` holding the database and the uploaded files.

- SQLite: the online backup API copies a consistent snapshot while the site runs.
- PostgreSQL: ``pg_dump --format=custom``; restore runs ``pg_restore`` in one transaction.
- Uploads: the folder of the default file storage.
- ``manifest.json``: format, database kind, time, applied migrations and row counts of the
  main tables; a restore checks the counts afterwards, so a silent loss is an error.
- Before a restore replaces anything, the associations' current signing keys in the backup
  must open with this machine's CREDENTIAL_KEY_SECRET; otherwise nothing is restored (unless
  the operator says the keys may stay unreadable) and the message says which secret is needed.
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
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connections, transaction
from django.db.migrations.recorder import MigrationRecorder

from attunement.credentials import crypto

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
    # Filled by a restore, not stored: current signing keys that do not open here.
    unreadable_keys: list[str] = field(default_factory=list)

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
            stored = {key: value for key, value in manifest.__dict__.items() if key != "unreadable_keys"}
            payload = json.dumps(stored, indent=2).encode()
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


def _signing_key_table() -> str:
    return str(apps.get_model("credentials.SigningKey")._meta.db_table)


def _sqlite_current_keys(path: Path) -> list[tuple[str, str, bytes]]:
    """(association id, kid, sealed key) of the current signing keys in a SQLite snapshot."""
    table = _signing_key_table()
    db = sqlite3.connect(str(path))
    try:
        if db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [table]).fetchone() is None:
            return []
        rows = db.execute(
            f'SELECT association_id, kid, private_key_encrypted FROM "{table}" WHERE retired_at IS NULL'  # noqa: S608
        ).fetchall()
    finally:
        db.close()
    return [(str(association), str(kid), bytes(sealed)) for association, kid, sealed in rows]


_COPY_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def _copy_text(value: str) -> str | None:
    """One field of PostgreSQL's COPY text format (``\\N`` is NULL; backslash escapes)."""
    if value == "\\N":
        return None
    out, i = [], 0
    while i < len(value):
        char = value[i]
        if char == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append(_COPY_ESCAPES.get(nxt, nxt))
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def _pg_current_keys(dump: Path, db: dict[str, Any]) -> list[tuple[str, str, bytes]]:
    """The same, read from a ``pg_dump`` archive without restoring it (``pg_restore`` to text)."""
    table = _signing_key_table()
    command = ["pg_restore", "--data-only", f"--table={table}", "--file=-", str(dump)]
    try:
        result = subprocess.run(command, env=_pg_env(db), capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError("pg_restore is not installed; install the PostgreSQL client tools.") from None
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"pg_restore could not read the signing keys in the backup: {detail}")
    keys: list[tuple[str, str, bytes]] = []
    columns: list[str] | None = None
    for line in result.stdout.splitlines():
        if columns is None:
            if line.startswith("COPY ") and f"{table} (" in line:
                columns = [c.strip().strip('"') for c in line[line.index("(") + 1 : line.index(")")].split(",")]
            continue
        if line == "\\.":
            break
        row = dict(zip(columns, (_copy_text(v) for v in line.split("\t")), strict=True))
        if row.get("retired_at") is not None:
            continue
        sealed = row.get("private_key_encrypted") or ""
        keys.append((str(row["association_id"]), str(row["kid"]), bytes.fromhex(sealed.removeprefix("\\x"))))
    return keys


def unreadable_signing_keys(keys: list[tuple[str, str, bytes]]) -> list[str]:
    """``association:kid`` of each current key that does not open with this machine's secret."""
    failed = []
    for association, kid, sealed in keys:
        try:
            crypto.unseal(sealed, f"{association}:{kid}")
        except crypto.KeyUnavailable:
            failed.append(f"{association}:{kid}")
    return failed


def restore_backup(source: Path, *, alias: str = "default", allow_unreadable_keys: bool = False) -> Manifest:
    """Replace the database and uploads with the backup's. Checks come first and replace
    nothing when they fail: the database kind, SQLite's integrity check, and that the current
    signing keys open with this machine's CREDENTIAL_KEY_SECRET (``allow_unreadable_keys``
    restores anyway; the keys then need rotating). ``manifest.unreadable_keys`` lists those."""
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
        if connection.vendor == "sqlite":
            dump = work / "database.sqlite3"
            source_db = sqlite3.connect(str(dump))
            if source_db.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                source_db.close()
                raise BackupError("The database in the backup fails SQLite's integrity check.")
            source_db.close()
            keys = _sqlite_current_keys(dump)
        else:
            keys = _pg_current_keys(work / "database.pgdump", db)
        manifest.unreadable_keys = unreadable_signing_keys(keys)
        if manifest.unreadable_keys and not allow_unreadable_keys:
            raise BackupError(
                f"Nothing was restored: {len(manifest.unreadable_keys)} of the {len(keys)} current credential-signing "
                f"keys in the backup (association id:key id {', '.join(manifest.unreadable_keys)}) do not open with this machine's "
                "CREDENTIAL_KEY_SECRET. Set CREDENTIAL_KEY_SECRET (or SECRET_KEY, if it was not set separately) "
                "to the value of the machine that made the backup and restore again; or, if that secret is lost, "
                "restore with --allow-unreadable-keys and then run "
                "'attunement credentials rotate-key --association SLUG' for each association."
            )
        connections.close_all()
        if connection.vendor == "sqlite":
            source_db = sqlite3.connect(str(dump))
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
