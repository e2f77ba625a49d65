"""The foundation's benchmarks: page cost by size of the audit trail (P2) and by page."""

from __future__ import annotations

from functools import partial

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from attunement.audit.models import AuditEvent
from attunement.bench import Figure, benchmark, time_calls

AUDIT_SIZES = (1_000, 100_000)


def _setup_staff() -> tuple[Client, object]:
    from allauth.mfa.models import Authenticator

    from attunement.associations import actions
    from attunement.associations.models import Association, Role
    from attunement.people.models import User

    association = Association.objects.filter(slug="bench").first() or actions.create_association(
        actor=None, slug="bench", name="Bench AIMH", contact_email="bench@example.org"
    )
    user = User.objects.filter(email="coordinator@bench.example").first()
    if user is None:
        user = User.objects.create_user("coordinator@bench.example")
        actions.grant_staff_role(actor=None, association=association, user=user, role=Role.COORDINATOR)
        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client = Client()
    client.force_login(user)
    return client, association


def _grow_audit(association: object, n: int) -> None:
    have = AuditEvent.objects.count()
    batch = [
        AuditEvent(
            association=association, verb="bench.event", target_type="bench.thing", target_id=str(i), data={"i": i}
        )  # type: ignore[misc]
        for i in range(have, n)
    ]
    AuditEvent.objects.bulk_create(batch, batch_size=5_000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE audit_auditevent")  # what autovacuum does after a load


@benchmark("audit_log_depth", "audit log page, first and deepest page, at 1k and 100k events (P2: keyset pagination)")
def audit_log_depth() -> list[Figure]:
    client, association = _setup_staff()
    url = "/bench/staff/audit/"
    figures: list[Figure] = []
    medians = {}
    for size in AUDIT_SIZES:
        _grow_audit(association, size)
        first = time_calls(partial(client.get, url), repeat=100)
        oldest = AuditEvent.objects.order_by("id").values_list("id", flat=True)[60]
        deep = time_calls(partial(client.get, url, {"before": oldest}), repeat=100)
        with CaptureQueriesContext(connection) as queries:
            client.get(url, {"before": oldest})
        medians[size] = deep.median
        figures += [
            Figure(f"first page p50 at {size:,} events", first.median, "ms"),
            Figure(f"deepest page p50 at {size:,} events", deep.median, "ms", f"p99 {deep.p(99):.1f} ms"),
            Figure(f"queries per page at {size:,} events", len(queries), "queries"),
        ]
    ratio = medians[AUDIT_SIZES[-1]] / medians[AUDIT_SIZES[0]]
    figures.append(Figure("deepest page p50, 100k / 1k", ratio, "x", "bar: within 1.5x"))
    return figures


@benchmark("pages", "median server time of the main pages through Django's test client (no network)")
def pages() -> list[Figure]:
    client, _association = _setup_staff()
    anonymous = Client()
    figures = []
    for label, c, url in [
        ("health (trivial JSON view, baseline)", anonymous, "/healthz"),
        ("association home (public)", anonymous, "/bench/"),
        ("staff roles (coordinator)", client, "/bench/staff/roles/"),
        ("own page (signed in)", client, "/me/"),
    ]:
        timing = time_calls(partial(c.get, url), repeat=200)
        figures.append(Figure(label, timing.median, "ms", f"p99 {timing.p(99):.2f} ms"))
    return figures
