"""Strict readers for settings that come from the environment.

Every reader raises :class:`ConfigError` with one sentence that names the variable,
so a misconfigured deployment stops at start-up with a message, not a traceback.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class ConfigError(Exception):
    """A setting is missing or wrong; the message is one sentence for the operator."""


def env_str(name: str, default: str = "") -> str:
    """Return ``name`` from the environment, or from the file named by ``name_FILE``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE points to {file_name}, which cannot be read ({exc.strerror}).") from exc
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """Only ``true`` or ``false`` (any case) are accepted; anything else is an error."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value == "true":
        return True
    if value == "false":
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def writable_dir(path: Path, variable: str) -> Path:
    """Create ``path`` if needed and prove it is writable."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".write-test-{secrets.token_hex(4)}"
        probe.write_text("ok", encoding="utf-8")
        probe.unlink()
    except OSError as exc:
        raise ConfigError(
            f"The data folder {path} is not writable ({exc.strerror}); "
            f"set {variable} to a folder Attunement may write to."
        ) from None
    return path


def local_secret_key(var_dir: Path) -> str:
    """A secret key generated once into ``var/`` for local use; never used in production."""
    key_file = var_dir / "secret_key"
    if not key_file.exists():
        # Write to a private temporary file, then link it into place: the link is atomic
        # and fails if another process won the race, in which case its key is used.
        tmp = var_dir / f".secret_key-{secrets.token_hex(6)}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, secrets.token_urlsafe(50).encode())
        finally:
            os.close(fd)
        try:
            os.link(tmp, key_file)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return key_file.read_text(encoding="utf-8").strip()
