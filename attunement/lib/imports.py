"""Files read by command-line imports: capped in size as uploads are, and read as a stream.

``attunement workforce import`` and the other commands that load a file refuse one larger
than their limit before reading it (naming the limit and the size), and stop if it grows
past the limit while being read (a pipe, a file still being written).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import CommandError

MEGABYTE = 1024 * 1024
# A portfolio, rule-set or competency-framework document (JSON, parsed whole): the largest
# real one is a few hundred KB.
JSON_DOCUMENT_MAX_BYTES = 10 * MEGABYTE


def describe_size(size: int) -> str:
    """``100 MB`` for a whole number of megabytes, else the bytes: ``104,857,601 bytes``."""
    return f"{size // MEGABYTE} MB" if size and size % MEGABYTE == 0 else f"{size:,} bytes"


def too_large(file: str | os.PathLike[str], limit: int, size: int | None = None) -> CommandError:
    found = f" (it is {describe_size(size)})" if size is not None else " (it grew while being read)"
    return CommandError(
        f"{file}: larger than the limit of {describe_size(limit)} for this command{found}",
        returncode=2,
    )


def _check_size(file: str | os.PathLike[str], limit: int) -> None:
    try:
        size = os.stat(file).st_size
    except FileNotFoundError:
        raise CommandError(f"{file}: no such file", returncode=2) from None
    except OSError as exc:
        raise CommandError(f"{file}: cannot be read ({exc.strerror})", returncode=2) from None
    if size > limit:
        raise too_large(file, limit, size)


@contextmanager
def text_lines(file: str | os.PathLike[str], limit: int) -> Iterator[Iterator[str]]:
    """The lines of a UTF-8 text file, read one at a time (``newline=""``, for ``csv``),
    refused with a :class:`CommandError` naming the limit if it is larger than ``limit`` bytes.
    A decoding error surfaces as ``UnicodeDecodeError`` while iterating."""
    _check_size(file, limit)
    try:
        stream = open(file, encoding="utf-8", newline="")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise CommandError(f"{file}: cannot be read ({exc.strerror})", returncode=2) from None

    def lines() -> Iterator[str]:
        read = 0
        for line in stream:
            read += len(line)  # characters: never more than the bytes they came from
            if read > limit:
                raise too_large(file, limit)
            yield line

    try:
        yield lines()
    finally:
        stream.close()


def read_text(file: str | os.PathLike[str], limit: int) -> str:
    """A whole UTF-8 text file (for JSON documents, which are parsed whole), refused with a
    :class:`CommandError` naming the limit if it is larger than ``limit`` bytes."""
    _check_size(file, limit)
    try:
        with open(file, "rb") as stream:
            content = stream.read(limit + 1)
    except OSError as exc:
        raise CommandError(f"{file}: cannot be read ({exc.strerror})", returncode=2) from None
    if len(content) > limit:
        raise too_large(file, limit)
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        raise CommandError(f"{file}: not UTF-8 text", returncode=2) from None
