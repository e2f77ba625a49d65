"""Benchmarks of issue 8: the verification page, the status list and a signed download, at
1k and 100k credentials (they must stay flat: fixed queries, no scan per request)."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from django.db import connection
from django.test import Client

from attunement.lib.bench import Figure, benchmark, sized, time_calls

SIZES = sized((1_000, 100_000), (5, 10))


def _grow(association: Any, people: list[Any], n: int) -> None:
    from attunement.credentials.models import Issuer, StatusEntry
    from attunement.endorsement.models import Credential, CredentialStatus

    have = Credential.objects.filter(association=association).count()
    rows = [
        Credential(
            person=people[i % len(people)], association=association, category="IFS", since=date(2020, 1, 1),
            public_code=f"B{i:09d}", status=CredentialStatus.REVOKED if i % 100 == 0 else CredentialStatus.ACTIVE,
        )
        for i in range(have, n)
    ]  # fmt: skip
    Credential.objects.bulk_create(rows, batch_size=5_000)
    made = Credential.objects.filter(association=association, public_code__gte=f"B{have:09d}").order_by("public_code")
    StatusEntry.objects.bulk_create(
        (StatusEntry(credential_id=pk, association=association, index=have + i)
         for i, pk in enumerate(made.values_list("pk", flat=True).iterator())),
        batch_size=5_000,
    )  # fmt: skip
    Issuer.objects.filter(association=association).update(next_status_index=n)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE endorsement_credential")
            cursor.execute("VACUUM ANALYZE credentials_statusentry")


@benchmark("credentials", "verification page, status list and signed download at 1k and 100k credentials")
def credentials() -> list[Figure]:
    from attunement.associations import actions
    from attunement.associations.models import Association
    from attunement.credentials.actions import create_signing_key
    from attunement.credentials.models import Issuer
    from attunement.endorsement.models import Credential
    from attunement.people.models import User

    association = Association.objects.filter(slug="bench-vc").first() or actions.create_association(
        actor=None, slug="bench-vc", name="Bench VC AIMH", contact_email="vc@example.org"
    )
    people = [User.objects.get_or_create(email=f"holder{i}@bench.example", defaults={"legal_name": f"Holder {i}"})[0]
              for i in range(50)]  # fmt: skip
    Issuer.objects.get_or_create(association=association)
    create_signing_key(actor=None, association=association)
    anonymous = Client()
    holder = Client()
    holder.force_login(people[1])
    baseline = time_calls(partial(anonymous.get, "/healthz"), repeat=200)
    figures = [Figure("health (trivial view, baseline)", baseline.median, "ms", f"p99 {baseline.p(99):.2f} ms")]
    for size in SIZES:
        _grow(association, people, size)
        page = time_calls(partial(anonymous.get, f"/verify/B{size // 2:09d}/"), repeat=200)
        figures.append(
            Figure(f"verification page, {size:,} credentials", page.median, "ms", f"p99 {page.p(99):.2f} ms")
        )
        listing = time_calls(partial(anonymous.get, "/bench-vc/credentials/status/revocation"), repeat=50)
        figures.append(Figure(f"revocation status list, {size:,} credentials (1% revoked)", listing.median, "ms",
                              f"p99 {listing.p(99):.2f} ms"))  # fmt: skip
    code = Credential.objects.filter(association=association, person=people[1], status="active").first()
    assert code is not None
    download = time_calls(partial(holder.get, f"/me/credentials/{code.public_code}.jwt"), repeat=100)
    figures.append(Figure("signed credential download (holder)", download.median, "ms", f"p99 {download.p(99):.2f} ms"))
    return figures
