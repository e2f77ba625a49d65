"""API keys and quotas, on the hot path of every API request.

Keys are ``att_`` and 43 URL-safe characters (256 random bits); the database keeps their
SHA-256 and the first 12 characters. A worker remembers a key it has checked for
``KEY_CACHE_SECONDS`` so a lookup costs one query, not two: a revoked key stops working at
once in the worker that revoked it and within that many seconds in the others.

Quotas count requests per key in fixed one-minute windows. The counter lives in the worker's
memory by default (``API_RATE_LIMIT_STORE=memory``): no write per request, so it cannot become
the bottleneck, but each worker counts on its own, so with N workers a client can reach at most
N times its quota. ``API_RATE_LIMIT_STORE=database`` counts in a shared table (``QuotaWindow``,
unlogged on PostgreSQL) and holds across workers at the price of one write per request (see
``make bench``, the ``api`` benchmark). A roster check costs one request per started 100 rows.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import threading
import time
from dataclasses import dataclass

from django.conf import settings

KEY_CACHE_SECONDS = 30
ROWS_PER_REQUEST = 100
PREFIX_LENGTH = 12


def new_token() -> str:
    return "att_" + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class KeyInfo:
    key_id: int
    client_id: int
    association_id: int
    quota: int


_keys: dict[str, tuple[KeyInfo, float]] = {}
_keys_lock = threading.Lock()


def forget_keys() -> None:
    """Drop this worker's remembered keys (after a revocation or a quota change)."""
    with _keys_lock:
        _keys.clear()


def reset() -> None:
    """Forget keys and this worker's quota counters (between tests)."""
    forget_keys()
    with _window_lock:
        _windows.clear()


def default_quota() -> int:
    return int(getattr(settings, "API_QUOTA_PER_MINUTE", 600))


def key_for_token(token: str) -> KeyInfo | None:
    """The live key with this token, or None (one query unless remembered)."""
    if not token.startswith("att_") or len(token) > 100:
        return None
    hashed = digest(token)
    now = time.monotonic()
    remembered = _keys.get(hashed)
    if remembered is not None and remembered[1] > now:
        return remembered[0]
    from attunement.api.models import ApiKey

    row = (
        ApiKey.objects.filter(hashed=hashed, revoked_at__isnull=True)
        .values_list("id", "client_id", "client__association_id", "quota_per_minute", "client__quota_per_minute")
        .first()
    )
    if row is None:
        return None
    key_id, client_id, association_id, key_quota, client_quota = row
    info = KeyInfo(key_id, client_id, association_id, key_quota or client_quota or default_quota())
    with _keys_lock:
        if len(_keys) > 10_000:
            _keys.clear()
        _keys[hashed] = (info, now + KEY_CACHE_SECONDS)
    return info


_windows: dict[int, list[int]] = {}
_window_lock = threading.Lock()


class QuotaExceeded(Exception):
    def __init__(self, retry_after: int, quota: int) -> None:
        super().__init__(f"quota of {quota} requests per minute used up")
        self.retry_after = retry_after
        self.quota = quota


def roster_cost(rows: int) -> int:
    return max(1, math.ceil(rows / ROWS_PER_REQUEST))


def charge(key: KeyInfo, cost: int = 1) -> None:
    """Count ``cost`` requests against the key's quota for this minute; raise QuotaExceeded
    (with the seconds until the window ends) when it would go over."""
    now = time.time()
    window = int(now // 60)
    retry_after = max(1, math.ceil((window + 1) * 60 - now))
    if getattr(settings, "API_RATE_LIMIT_STORE", "memory") == "database":
        if _charge_in_database(key, window, cost):
            return
        raise QuotaExceeded(retry_after, key.quota)
    with _window_lock:
        slot = _windows.get(key.key_id)
        if slot is None or slot[0] != window:
            slot = _windows[key.key_id] = [window, 0]
        if slot[1] + cost > key.quota:
            raise QuotaExceeded(retry_after, key.quota)
        slot[1] += cost


# One statement, one round trip: the key's row is created, restarted for a new minute, or
# counted up, unless the request would go over the quota (then it is marked refused and the
# count stays, as in the memory store). Both databases know ON CONFLICT ... RETURNING.
_CHARGE_SQL = """
INSERT INTO api_quotawindow (key_id, minute, used, refused) VALUES (%s, %s, %s, %s)
ON CONFLICT (key_id) DO UPDATE SET
  used = CASE
    WHEN api_quotawindow.minute <> excluded.minute THEN excluded.used
    WHEN api_quotawindow.used + %s <= %s THEN api_quotawindow.used + %s
    ELSE api_quotawindow.used END,
  refused = CASE
    WHEN api_quotawindow.minute <> excluded.minute THEN excluded.refused
    ELSE api_quotawindow.used + %s > %s END,
  minute = excluded.minute
RETURNING refused
"""


def _charge_in_database(key: KeyInfo, window: int, cost: int) -> bool:
    """Count ``cost`` in the shared table; False when it would go over the quota."""
    from django.db import connection

    fits = cost <= key.quota
    with connection.cursor() as cursor:
        cursor.execute(
            _CHARGE_SQL,
            [key.key_id, window, cost if fits else 0, not fits, cost, key.quota, cost, cost, key.quota],
        )
        (refused,) = cursor.fetchone()
    return not refused
