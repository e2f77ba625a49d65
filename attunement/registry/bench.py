"""``make bench`` for the public directory (issue 8, P2): the first page, a page deep in the
alphabet (keyset) and a name search, at 1k, 100k and (PostgreSQL) 1,000,000 listed holders.
Keyset pages must stay flat; a name search reads every name (a LIKE on the folded names)."""

from __future__ import annotations

import os
import random
import uuid
from datetime import date
from functools import partial
from typing import Any

from django.db import connection
from django.test import Client

from attunement.lib.bench import Figure, benchmark, time_calls, tiny_mode
from attunement.lib.testing import count_queries

FIRST = ["Ana", "Ben", "Chloé", "Dev", "Elena", "Femi", "Grace", "Hiro", "Imani", "José", "Kai", "Lena", "Mateo"]
LAST = ["Rivera", "Okafor", "Nguyen", "Smith", "García", "Cohen", "Patel", "Brown", "Kowalski", "Haddad"]


def _sizes() -> tuple[int, ...]:
    if tiny_mode():
        return (5, 10)
    if os.environ.get("BENCH_DIRECTORY_SIZES"):
        return tuple(int(x) for x in os.environ["BENCH_DIRECTORY_SIZES"].split(","))
    return (1_000, 100_000, 1_000_000) if connection.vendor == "postgresql" else (1_000, 100_000)


def _grow(association: Any, have: int, want: int, rng: random.Random) -> None:
    """Listed holders ``have``..``want``: one person and one current credential each."""
    from attunement.api.bench import _copy_rows
    from attunement.endorsement.models import Credential
    from attunement.people.models import User
    from attunement.people.names import fold_name

    names = [f"{rng.choice(FIRST)} {rng.choice(LAST)} {i:07d}" for i in range(have, want)]
    emails = [f"d{i}@directory-bench.example" for i in range(have, want)]
    if connection.vendor == "postgresql":
        _copy_rows(
            User,
            ["email", "legal_name", "legal_name_key", "public_id", "password"],
            ((e, n, fold_name(n), uuid.uuid4(), "!") for e, n in zip(emails, names, strict=True)),
        )
    else:
        for start in range(0, len(names), 10_000):
            User.objects.bulk_create(
                User(email=e, legal_name=n, password="!").fill_name_keys()  # noqa: S106
                for e, n in zip(emails[start : start + 10_000], names[start : start + 10_000], strict=True)
            )
    people = User.objects.filter(email__endswith="@directory-bench.example", credentials__isnull=True)
    ids = list(people.order_by("id").values_list("id", flat=True))
    rows = ((uuid.uuid4().hex[:10].upper(), pk, association.pk, "IFS", date(2020, 1, 1), "active") for pk in ids)
    if connection.vendor == "postgresql":
        _copy_rows(Credential, ["public_code", "person_id", "association_id", "category", "since", "status"], rows)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        batch = [
            Credential(public_code=code, person_id=pk, association_id=a, category=c, since=s, status=st)
            for code, pk, a, c, s, st in rows
        ]
        Credential.objects.bulk_create(batch, batch_size=10_000)


@benchmark("directory", "public directory: first page, a deep keyset page and a name search at 1k/100k/1M (P2)")
def directory() -> list[Figure]:
    from attunement.associations import actions

    association = actions.create_association(
        actor=None, slug="directory-bench", name="Directory Bench AIMH", contact_email="d@directory-bench.example"
    )
    rng = random.Random(12)  # noqa: S311 — synthetic names
    client = Client()
    figures: list[Figure] = []
    have = 0
    for size in _sizes():
        _grow(association, have, size, rng)
        have = size
        pages = {
            "first page": "/directory/",
            "a page deep in the alphabet (keyset)": "/directory/?after=m%7C0%7C0",
            "name search 'garcia'": "/directory/?q=garcia",
        }
        for label, url in pages.items():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            timing = time_calls(partial(client.get, url), repeat=20)
            figures.append(
                Figure(
                    f"{label} at {size:,}",
                    timing.median,
                    "ms",
                    f"{count_queries(partial(client.get, url))} queries, p50 of 20",
                )
            )
    return figures
