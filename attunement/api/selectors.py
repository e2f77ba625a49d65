"""Reads of the verification API: set-based, a fixed number of queries per operation."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils.translation import get_language

from attunement.api.matching import SCORES, fold, name_confidence, search_word
from attunement.endorsement.models import Credential, CredentialStatus
from attunement.endorsement.rules.categories import CODES
from attunement.lib.categories import category_name as _name

CURRENT = frozenset({CredentialStatus.ACTIVE.value, CredentialStatus.EMERITUS.value})
CATEGORY_CODES = CODES
FIELDS = (
    "id",
    "person_id",
    "public_code",
    "status",
    "category",
    "emerging",
    "since",
    "valid_through",
    "person__legal_name",
    "person__preferred_name",
    "person__region",
    "association__slug",
    "association__name",
)
SEARCH_CANDIDATES = 500


_category_names: dict[tuple[str | None, str], str] = {}


def category_name(code: str) -> str:
    """The category's name in the active language (translated once per language)."""
    key = (get_language(), code)
    if key not in _category_names:
        _category_names[key] = _name(code)
    return _category_names[key]


def credential_answer(row: dict[str, Any]) -> dict[str, Any]:
    """The public answer about one credential (the holder's name, never their email)."""
    current = row["status"] in CURRENT
    return {
        "code": row["public_code"],
        "valid": current,
        "current": current,
        "status": row["status"],
        "category": {"code": row["category"], "name": category_name(row["category"])},
        "emerging": row["emerging"],
        "holder": row["person__preferred_name"] or row["person__legal_name"],
        "association": {"slug": row["association__slug"], "name": row["association__name"]},
        "since": row["since"],
        "valid_through": row["valid_through"],
    }


def credential_by_code_orm(association_id: int, code: str) -> dict[str, Any] | None:
    """The lookup by code as a plain ORM query: the reference ``api.lookup.credential_by_code``
    (the hand-prepared statement the API answers with) is tested against."""
    row = Credential.objects.filter(public_code=code, association_id=association_id).values(*FIELDS).first()
    return credential_answer(row) if row is not None else None


def _best_first(row: dict[str, Any]) -> tuple[bool, date]:
    return (row["status"] in CURRENT, row["since"])


def search_by_name(
    association_id: int, name: str, category: str | None, region: str | None
) -> list[tuple[dict[str, Any], str]]:
    """Candidates for a name, best first, with their confidence (one query, capped)."""
    word = fold(search_word(name))
    if not word:
        return []
    found = Q(person__legal_name_key__contains=word) | Q(person__preferred_name_key__contains=word)
    rows = Credential.objects.filter(found, association_id=association_id)
    if category:
        rows = rows.filter(category=category)
    if region:
        rows = rows.filter(person__region__iexact=region)
    scored = []
    for row in rows.order_by("id").values(*FIELDS)[:SEARCH_CANDIDATES]:
        confidence = name_confidence(name, row["person__legal_name"], row["person__preferred_name"])
        if confidence != "none":
            scored.append((row, confidence))
    scored.sort(key=lambda pair: (-SCORES[pair[1]], not _best_first(pair[0])[0], fold(pair[0]["person__legal_name"])))
    return [(credential_answer(row), confidence) for row, confidence in scored]


def credentials_by_codes(association_id: int, codes: set[str]) -> dict[str, dict[str, Any]]:
    """One query for every code of a roster."""
    if not codes:
        return {}
    rows = Credential.objects.filter(association_id=association_id, public_code__in=codes).values(*FIELDS)
    return {row["public_code"]: row for row in rows}


def credentials_by_names(association_id: int, names: set[str]) -> dict[str, list[dict[str, Any]]]:
    """One query for every name of a roster: credentials whose holder's legal or preferred
    name, folded, equals one of the names folded; grouped by the folded name."""
    keys = sorted({key for key in (fold(name) for name in names) if key})
    if not keys:
        return {}
    rows = (
        Credential.objects.filter(association_id=association_id)
        .filter(Q(person__legal_name_key__in=keys) | Q(person__preferred_name_key__in=keys))
        .values(*FIELDS)
    )
    by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        for spelling in {fold(row["person__legal_name"]), fold(row["person__preferred_name"])}:
            if spelling:
                by_name[spelling].append(row)
    return by_name


# --- The admin pages -------------------------------------------------------------------------


def clients_of(association: Any) -> list[Any]:
    """The association's API clients with their live key and webhook counts (one query)."""
    from django.db.models import Count

    from attunement.api.models import ApiClient

    return list(
        ApiClient.objects.filter(association=association)
        .annotate(
            live_keys=Count("keys", filter=Q(keys__revoked_at__isnull=True), distinct=True),
            live_webhooks=Count("webhooks", filter=Q(webhooks__is_active=True), distinct=True),
        )
        .order_by("name", "id")
    )


RECENT_DELIVERIES = 20


def client_page(client: Any) -> dict[str, Any]:
    """Keys, webhooks with their delivery counts, and the latest deliveries (four queries)."""
    from django.db.models import Count

    from attunement.api.models import ApiKey, DeliveryStatus, WebhookDelivery, WebhookEndpoint

    endpoints = list(
        WebhookEndpoint.objects.filter(client=client)
        .annotate(
            pending=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.PENDING)),
            delivered=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.DELIVERED)),
            failed=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
        )
        .order_by("-is_active", "created_at", "id")
    )
    return {
        "keys": list(ApiKey.objects.filter(client=client).order_by("revoked_at", "-created_at", "id")),
        "endpoints": endpoints,
        # select_related: each delivery row names its endpoint's address.
        "deliveries": list(
            WebhookDelivery.objects.filter(endpoint__client=client)
            .select_related("endpoint")
            .order_by("-created_at", "-id")[:RECENT_DELIVERIES]
        ),
    }
