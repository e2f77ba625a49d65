"""A status list is a download from someone else's server: decoding it is bounded (issue
28.4), so a few kilobytes of GZIP cannot expand to gigabytes in the verifier."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib

import pytest

from attunement.credentials import vc
from attunement.credentials.crypto import b64url


def bomb(size: int) -> str:
    """``size`` zero bytes, GZIP-compressed in a stream (never held whole in memory)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1024 * 1024)
    parts = [packer.compress(chunk) for _ in range(size // len(chunk))]
    parts.append(packer.flush())
    return "u" + b64url(b"".join(parts))


def test_a_normal_list_decodes() -> None:
    encoded = vc.encode_status_list([3, 131_071], vc.MIN_STATUS_BITS)
    bits = vc.decode_status_list(encoded)
    assert len(bits) * 8 == vc.MIN_STATUS_BITS
    assert vc.bit_is_set(bits, 3)
    assert vc.bit_is_set(bits, 131_071)
    assert not vc.bit_is_set(bits, 4)


def test_a_list_at_the_limit_decodes_and_one_byte_more_is_refused() -> None:
    at_limit = "u" + b64url(gzip.compress(bytes(vc.MAX_STATUS_LIST_BYTES)))
    assert len(vc.decode_status_list(at_limit)) == vc.MAX_STATUS_LIST_BYTES
    over = "u" + b64url(gzip.compress(bytes(vc.MAX_STATUS_LIST_BYTES + 1)))
    with pytest.raises(vc.MalformedToken, match="expands to more than"):
        vc.decode_status_list(over)


def test_a_gzip_bomb_is_refused_without_expanding_it() -> None:
    """256 MiB of zeros compress to about 250 kB; decoding stops at the cap (4 MiB),
    so the peak memory stays a few times the cap, never the 256 MiB ``gzip.decompress`` took."""
    encoded = bomb(256 * 1024 * 1024)
    assert len(encoded) < 500_000
    tracemalloc.start()
    try:
        with pytest.raises(vc.MalformedToken, match="expands to more than"):
            vc.decode_status_list(encoded)
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


@pytest.mark.parametrize(
    ("encoded", "message"),
    [
        ("zH4sI", "must start with 'u'"),
        ("u!!!!", "base64url"),
        ("u" + b64url(b"not gzip at all"), "does not decompress"),
        ("u" + b64url(gzip.compress(bytes(100), mtime=0)[:-12]), "cut short"),
        ("u" + b64url(gzip.compress(bytes(100), mtime=0) + b"trailing"), "after the GZIP stream"),
    ],
)
def test_a_malformed_list_is_named(encoded: str, message: str) -> None:
    with pytest.raises(vc.MalformedToken, match=message):
        vc.decode_status_list(encoded)
