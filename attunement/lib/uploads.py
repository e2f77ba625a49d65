"""Checks on uploaded files by their content, never their name or declared type."""

from __future__ import annotations

from typing import IO, Any

from PIL import Image

_IMAGE_SIGNATURES: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
]


_PILLOW_FORMATS = {"png": {"png"}, "jpg": {"jpeg", "mpo"}, "gif": {"gif"}, "webp": {"webp"}}

CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "pdf": "application/pdf",
}


def _head(upload: IO[bytes] | Any, size: int = 16) -> bytes:
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return bytes(head)


def sniff_image(upload: IO[bytes] | Any) -> str | None:
    """The file extension for an image upload judged by its first bytes, or None."""
    head = _head(upload)
    extension = next((ext for signature, ext in _IMAGE_SIGNATURES if head.startswith(signature)), None)
    if extension is None and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        extension = "webp"
    if extension is None:
        return None
    # The signature is right; now make sure the whole file decodes as that image type.
    try:
        with Image.open(upload) as image:
            image.verify()
            decoded = (image.format or "").lower()
    except Exception:  # Pillow raises many types for a damaged or hostile file
        return None
    finally:
        upload.seek(0)
    return extension if decoded in _PILLOW_FORMATS[extension] else None


def sniff_document(upload: IO[bytes] | Any) -> str | None:
    """``pdf`` for a PDF (by its header and end marker), an image extension for an image, else None."""
    head = _head(upload, 1024)
    if head.startswith(b"%PDF-"):
        upload.seek(0, 2)
        size = upload.tell()
        upload.seek(max(0, size - 2048))
        tail = upload.read()
        upload.seek(0)
        return "pdf" if b"%%EOF" in tail else None
    return sniff_image(upload)
