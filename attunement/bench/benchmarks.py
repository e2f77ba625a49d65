"""The foundation's benchmarks: page cost by size of the audit trail (P2) and by page."""

from __future__ import annotations

from functools import partial

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from attunement.associations.bench import staff_client
from attunement.audit.models import AuditEvent
from attunement.lib.bench import Figure, benchmark, sized, time_calls

AUDIT_SIZES = sized((1_000, 100_000), (70, 140))  # the deepest page needs more than 60


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
    client, association = staff_client()
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
    client, _association = staff_client()
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


ELIGIBILITY_PORTFOLIOS = 100_000


def generate_portfolios(n: int, seed: int = 20251101) -> list[str]:
    """``n`` believable portfolios as JSON lines, varied from the threshold portfolios of each
    category: more or fewer hours, entries and references, so every code path is exercised."""
    import json
    import random

    from attunement.endorsement.tests.builders import base

    rng = random.Random(seed)  # noqa: S311  (reproducible test data, not secrets)
    categories = ["IFA", "IFS", "IFRS", "IMHS", "IMHM-C", "IMHM-P", "ECFS", "ECMHS"]
    templates = {c: base(c) for c in categories}
    lines = []
    for _ in range(n):
        p = json.loads(json.dumps(templates[rng.choice(categories)]))
        for t in p["training"]:
            t["hours"] = round(t["hours"] * rng.uniform(0.5, 1.6), 1)
        for r in p["rsc"]:
            r["hours"] = round(r["hours"] * rng.uniform(0.5, 1.5), 1)
            r["confirmed"] = rng.random() < 0.8
        if rng.random() < 0.3 and p["references"]:
            p["references"].pop()
        if rng.random() < 0.5:
            p["training"] = p["training"] + p["training"][:1]
        lines.append(json.dumps(p))
    return lines


@benchmark(
    "eligibility_cli",
    f"{ELIGIBILITY_PORTFOLIOS:,} generated portfolios through `attunement eligibility --jsonl` on one core",
)
def eligibility_cli() -> list[Figure]:
    import json
    import os
    import shutil
    import subprocess
    import sys
    import tempfile
    import time
    from pathlib import Path

    total = sized(ELIGIBILITY_PORTFOLIOS, 40)
    lines = generate_portfolios(total)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "portfolios.jsonl"
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        started = time.perf_counter()
        for line in source.read_text(encoding="utf-8").splitlines():
            json.loads(line)
        parse_only = time.perf_counter() - started

        pin = ["taskset", "-c", "0"] if shutil.which("taskset") else []
        command = [
            *pin,
            sys.executable,
            "-m",
            "attunement",
            "eligibility",
            "--jsonl",
            str(source),
            "--category",
            "IFS",
            "--as-of",
            "2025-11-01",
        ]
        output = Path(tmp) / "reports.jsonl"
        with output.open("wb") as sink:
            started = time.perf_counter()
            result = subprocess.run(command, stdout=sink, stderr=subprocess.PIPE, env=os.environ, check=False)  # noqa: S603
            elapsed = time.perf_counter() - started
        if result.returncode != 0:
            raise RuntimeError(result.stderr.decode()[:500])
        with output.open("rb") as written:
            reports = sum(1 for _ in written)
        startup_started = time.perf_counter()
        subprocess.run(  # noqa: S603
            [*pin, sys.executable, "-m", "attunement", "eligibility", "--help"], capture_output=True, check=False
        )
        startup = time.perf_counter() - startup_started
    return [
        Figure("reports written", reports, "reports"),
        Figure("wall time, whole command", elapsed, "s", f"of which about {startup:.2f} s is start-up"),
        Figure("portfolios per second (whole command)", total / elapsed, "/s", "target: 10,000"),
        Figure("json.loads only, same file", parse_only, "s", f"{total / parse_only:,.0f} /s"),
        Figure("command time / json.loads time", elapsed / parse_only, "x"),
    ]


DAILY_CREDENTIALS = 100_000


@benchmark(
    "daily_job",
    f"the daily renewal reminders and lapses over {DAILY_CREDENTIALS:,} credentials (issue 5; meant for --postgres)",
)
def daily_job() -> list[Figure]:
    import time
    from datetime import timedelta

    from django.test.utils import override_settings
    from django.utils import timezone

    from attunement.associations import actions as association_actions
    from attunement.associations.models import Association
    from attunement.endorsement.daily import run_daily
    from attunement.endorsement.models import Credential, CredentialStatus
    from attunement.people.models import User

    association = Association.objects.filter(slug="daily").first() or association_actions.create_association(
        actor=None, slug="daily", name="Daily AIMH", contact_email="daily@example.org"
    )
    today = timezone.localdate()
    users = [User(email=f"member{i}@daily.example", password="!") for i in range(sized(DAILY_CREDENTIALS, 30))]  # noqa: S106 — unusable password
    User.objects.bulk_create(users, batch_size=5_000)
    people = list(User.objects.filter(email__endswith="@daily.example").values_list("pk", flat=True))
    grace = association.policy.renewal_grace_days
    plan = [today + timedelta(days=30), today - timedelta(days=grace + 5), today + timedelta(days=200)]
    Credential.objects.bulk_create(
        (Credential(person_id=pk, association=association, category="IFS", since=today - timedelta(days=800),
                    valid_through=plan[i % 3], status=CredentialStatus.ACTIVE)
         for i, pk in enumerate(people)),
        batch_size=5_000,
    )  # fmt: skip
    figures = []
    with override_settings(MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}):
        for label in ("first run", "second run (nothing left to do)"):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                result = run_daily(today)
                elapsed = time.perf_counter() - started
            figures += [
                Figure(f"{label}: seconds", elapsed, "s"),
                Figure(f"{label}: queries", len(queries), "queries", f"{result.batches} batches"),
                Figure(f"{label}: reminders sent", result.reminders, "mails"),
                Figure(f"{label}: credentials lapsed", result.lapsed, "credentials"),
            ]
    return figures


WORKFORCE_RESPONDENTS = sized((10_000, 100_000), (20, 40))


@benchmark(
    "workforce",
    "workforce check-in import (figures recomputed in the same transaction) and the indicators page (issue 9)",
)
def workforce() -> list[Figure]:
    import random
    import time

    from attunement.demo.survey import survey
    from attunement.workforce.actions import import_checkins
    from attunement.workforce.models import CheckinResponse

    client, association = staff_client()
    figures: list[Figure] = []
    for size in WORKFORCE_RESPONDENTS:
        CheckinResponse.objects.filter(association=association).delete()
        text = survey(random.Random(size), 2019, size, trained=0.58, endorsed=0.045, rs=0.708)  # noqa: S311 — synthetic survey
        for label in ("import", "re-import (all replaced)"):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                import_checkins(association, text, actor=None)
                elapsed = time.perf_counter() - started
            figures += [
                Figure(f"{label} of {size:,} rows: seconds", elapsed, "s"),
                Figure(f"{label} of {size:,} rows: queries", len(queries), "queries"),
            ]
        page = time_calls(partial(client.get, "/bench/staff/workforce/"), repeat=10)
        with CaptureQueriesContext(connection) as queries:
            client.get("/bench/staff/workforce/")
        figures += [
            Figure(f"indicators page p50 at {size:,} respondents", page.median, "ms", f"p95 {page.p(95):.0f} ms"),
            Figure(f"indicators page queries at {size:,} respondents", len(queries), "queries"),
        ]
    return figures
