"""``make bench`` for the verification API (issue 8, P4): requests per second of a lookup by
code against a trivial JSON view under the same gunicorn server, p50/p99, and a bulk roster
check of 10,000 rows, at 1,000,000 credentials on PostgreSQL (100,000 on SQLite).

The server is gunicorn with 2 sync workers, as docs/operations.md recommends: a sync worker
answers one request per connection and the kernel hands each new connection to whichever
worker is free. (With keep-alive gthread workers a connection stays with the worker that
accepted it; an uneven split left one worker idle and halved throughput in some runs.)
The load generator (wrk if installed, else 2 processes x 25 threads of raw sockets) runs on
the same machine as the server, so both share its cores: the ratio to the trivial view in
the same run is the figure to read, not the absolute requests per second."""

from __future__ import annotations

import multiprocessing
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson

from attunement.lib.bench import Figure, benchmark, sized

CLIENTS = sized(50, 4)
PROCESSES = 2
DURATION = sized(10.0, 1.0)
WARMUP = sized(2.0, 1.0)
ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
FIRST = ["Ana", "Ben", "Chloe", "Dev", "Elena", "Femi", "Grace", "Hiro", "Imani", "José", "Kai", "Lena", "Mateo"]
LAST = ["Rivera", "Okafor", "Nguyen", "Smith", "García", "Cohen", "Patel", "Brown", "Kowalski", "Haddad"]


def _size() -> int:
    from django.db import connection

    default = 1_000_000 if connection.vendor == "postgresql" else 100_000
    return sized(int(os.environ.get("BENCH_API_CREDENTIALS", default)), 200)


def _codes(n: int, rng: random.Random) -> list[str]:
    codes: set[str] = set()
    while len(codes) < n:
        codes.add("".join(rng.choices(ALPHABET, k=10)))
    return list(codes)


def _copy_rows(model: Any, columns: list[str], rows: Any) -> None:
    """COPY rows into ``model``'s table; every other column gets the field's default."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if f.column != "id" and f.column not in columns]
    defaults = []
    for field in fields:
        value = field.get_default()
        defaults.append(field.get_db_prep_save(value, connection))
    names = ", ".join(connection.ops.quote_name(c) for c in [*columns, *(f.column for f in fields)])
    with connection.cursor() as cursor, cursor.copy(f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([*row, *defaults])


def load_credentials(n: int) -> tuple[Any, list[str], list[str]]:
    """``n`` people with one credential each in a fresh association; (association, codes, names)."""
    from django.db import connection

    from attunement.associations import actions as association_actions
    from attunement.endorsement.models import Credential, CredentialStatus
    from attunement.people.models import User
    from attunement.people.names import fold_name

    association = association_actions.create_association(
        actor=None, slug="apibench", name="API Bench AIMH", contact_email="bench@apibench.example"
    )
    rng = random.Random(8)  # noqa: S311 — synthetic data
    names = [f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]} {i:07d}" for i in range(n)]
    codes = _codes(n, rng)
    statuses = [CredentialStatus.ACTIVE] * 8 + [CredentialStatus.LAPSED, CredentialStatus.REVOKED]
    since = date(2020, 1, 1)
    through = date.today() + timedelta(days=200)  # noqa: DTZ011 — a date for the rules
    if connection.vendor == "postgresql":
        _copy_rows(
            User,
            ["email", "legal_name", "legal_name_key", "public_id", "password"],
            ((f"p{i}@apibench.example", names[i], fold_name(names[i]), uuid.uuid4(), "!") for i in range(n)),
        )
        people = list(
            User.objects.filter(email__endswith="@apibench.example").order_by("id").values_list("id", flat=True)
        )
        _copy_rows(
            Credential,
            ["public_code", "person_id", "association_id", "category", "since", "valid_through", "status"],
            ((codes[i], pk, association.pk, "IFS", since, through, statuses[i % 10]) for i, pk in enumerate(people)),
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    else:
        for start in range(0, n, 10_000):
            User.objects.bulk_create(
                User(email=f"p{i}@apibench.example", legal_name=names[i], password="!").fill_name_keys()  # noqa: S106
                for i in range(start, min(n, start + 10_000))
            )
        people = list(
            User.objects.filter(email__endswith="@apibench.example").order_by("id").values_list("id", flat=True)
        )
        for start in range(0, n, 10_000):
            Credential.objects.bulk_create(
                Credential(public_code=codes[i], person_id=people[i], association=association, category="IFS",
                           since=since, valid_through=through, status=statuses[i % 10])
                for i in range(start, min(n, start + 10_000))
            )  # fmt: skip
    return association, codes, names


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, **env: str) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(  # noqa: S603 — our own interpreter and module
        [sys.executable, "-m", "gunicorn", "attunement.wsgi:application", "--workers", "2",
         "--worker-class", "sync", "--backlog", "512",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        env={**os.environ, "LOG_LEVEL": "WARNING", **env},
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                probe.sendall(b"GET /api/v1/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                if probe.recv(100).startswith(b"HTTP/1.1 200"):
                    return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def _read_response(sock: socket.socket, buffer: bytearray) -> tuple[int, bool]:
    """Read one HTTP response; (status, server closes the connection)."""
    while b"\r\n\r\n" not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        buffer += chunk
    head, _sep, rest = bytes(buffer).partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _c, v in (line.partition(b":") for line in lines[1:])}
    length = int(headers.get(b"content-length", b"0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        rest += chunk
    buffer[:] = rest[length:]
    return status, headers.get(b"connection", b"").lower() == b"close"


def _client_process(port: int, threads: int, paths: list[bytes], token: str, seconds: float, out: Any) -> None:
    import threading

    stop = time.monotonic() + seconds
    measure_from = time.monotonic() + WARMUP
    results: list[tuple[list[float], dict[int, int], int]] = []

    def run(seed: int) -> None:
        rng = random.Random(seed)  # noqa: S311
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        errors = 0
        sock: socket.socket | None = None
        buffer = bytearray()
        while (now := time.monotonic()) < stop:
            if sock is None:
                sock = socket.create_connection(("127.0.0.1", port))
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                buffer.clear()
            path = paths[rng.randrange(len(paths))]
            request = b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token.encode()
            try:
                sock.sendall(request + b"\r\n\r\n")
                status, close = _read_response(sock, buffer)
            except OSError:
                errors += 1
                sock.close()
                sock = None
                continue
            if now >= measure_from:
                latencies.append((time.monotonic() - now) * 1000)
                statuses[status] = statuses.get(status, 0) + 1
            if close:
                sock.close()
                sock = None
        if sock is not None:
            sock.close()
        results.append((latencies, statuses, errors))

    workers = [threading.Thread(target=run, args=(i + port * 100 + os.getpid(),)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    latencies = [x for r in results for x in r[0]]
    statuses: dict[int, int] = {}
    for r in results:
        for k, v in r[1].items():
            statuses[k] = statuses.get(k, 0) + v
    out.put((latencies, statuses, sum(r[2] for r in results)))


def drive(
    port: int, paths: list[bytes], token: str, clients: int = CLIENTS
) -> tuple[float, float, float, dict[int, int], int]:
    """(requests/s, p50 ms, p99 ms, statuses, errors) with ``clients`` concurrent clients."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    procs = [
        context.Process(
            target=_client_process, args=(port, clients // PROCESSES, paths, token, DURATION + WARMUP, queue)
        )
        for _ in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    parts = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    latencies = sorted(x for part in parts for x in part[0])
    statuses: dict[int, int] = {}
    for part in parts:
        for k, v in part[1].items():
            statuses[k] = statuses.get(k, 0) + v
    errors = sum(part[2] for part in parts)
    if not latencies:
        return 0.0, 0.0, 0.0, statuses, errors
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    return len(latencies) / DURATION, statistics.median(latencies), p99, statuses, errors


WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local token = os.getenv("BENCH_TOKEN")
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1], {["Authorization"] = "Bearer " .. token})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def drive_wrk(
    port: int, paths: list[bytes], token: str, clients: int = CLIENTS
) -> tuple[float, float, float, dict[int, int], int]:
    """The same measurement with wrk (Debian's package), when it is installed: a load generator
    in C takes far less of the two cores than the Python one, as in the quality bars' anchor."""
    import tempfile

    wrk = shutil.which("wrk")
    assert wrk is not None
    with tempfile.TemporaryDirectory() as folder:
        script, listing = Path(folder) / "bench.lua", Path(folder) / "paths.txt"
        script.write_text(WRK_SCRIPT, encoding="utf-8")
        listing.write_bytes(b"\n".join(paths) + b"\n")
        subprocess.run(  # noqa: S603  (wrk found on PATH; warm-up)
            [wrk, "-t1", f"-c{clients}", f"-d{WARMUP:.0f}s", "-s", str(script), f"http://127.0.0.1:{port}/"],
            env={**os.environ, "BENCH_PATHS": str(listing), "BENCH_TOKEN": token},
            capture_output=True, check=True,
        )  # fmt: skip
        done = subprocess.run(  # noqa: S603
            [wrk, "-t1", f"-c{clients}", f"-d{DURATION:.0f}s", "-s", str(script), f"http://127.0.0.1:{port}/"],
            env={**os.environ, "BENCH_PATHS": str(listing), "BENCH_TOKEN": token},
            capture_output=True, check=True, text=True,
        )  # fmt: skip
    line = next(line for line in done.stdout.splitlines() if line.startswith("BENCH "))
    requests, micros, p50, p99, bad_status, errors = (int(part) for part in line.split()[1:])
    return requests / (micros / 1e6), p50 / 1000, p99 / 1000, {"non-2xx": bad_status}, errors  # type: ignore[dict-item]


def roster_over_http(port: int, token: str, rows: list[dict[str, str]]) -> tuple[float, dict[str, int]]:
    import http.client

    body = orjson.dumps({"rows": rows})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    connection.request(
        "POST",
        "/api/v1/roster-checks",
        body,
        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    response = connection.getresponse()
    data = orjson.loads(response.read())
    elapsed = time.perf_counter() - started
    connection.close()
    if response.status != 200:
        raise RuntimeError(f"roster check answered {response.status}: {data}")
    return elapsed, data["counts"]


@benchmark("api", "verification API: lookup by code vs a trivial view (P4), bulk roster of 10,000 rows (issue 8)")
def api() -> list[Figure]:
    from django.db import connection, connections

    from attunement.api import actions
    from attunement.api.models import ApiClient

    n = _size()
    started = time.perf_counter()
    association, codes, names = load_credentials(n)
    load_seconds = time.perf_counter() - started
    client = ApiClient.objects.create(
        association=association, name="Bench payer", contact_email="b@b.example", quota_per_minute=1_000_000
    )
    token = actions.issue_key(actor=None, client=client).token
    connections.close_all()
    rng = random.Random(3)  # noqa: S311
    sample = rng.sample(codes, min(20_000, len(codes)))
    figures = [
        Figure(
            f"load {n:,} people and credentials",
            load_seconds,
            "s",
            "COPY" if connection.vendor == "postgresql" else "bulk_create",
        ),
    ]
    port = _free_port()
    server = start_server(port)
    try:
        load = drive_wrk if shutil.which("wrk") else drive
        trivial = load(port, [b"/api/v1/ping"], token)
        lookup = load(port, [f"/api/v1/credentials/{code}".encode() for code in sample], token)
        lookup16 = load(port, [f"/api/v1/credentials/{code}".encode() for code in sample], token, clients=sized(16, 2))
        rows: list[dict[str, str]] = []
        for i in range(sized(10_000, 20)):
            kind = i % 10
            if kind < 7:
                rows.append({"ref": str(i), "code": rng.choice(codes)})
            elif kind < 9:
                rows.append({"ref": str(i), "name": names[rng.randrange(n)], "category": "IFS"})
            else:
                rows.append({"ref": str(i), "code": "".join(rng.choices(ALPHABET, k=10))})
        bulk = [roster_over_http(port, token, rows) for _ in range(3)]
    finally:
        server.terminate()
        server.wait(10)
    port = _free_port()
    server = start_server(port, API_RATE_LIMIT_STORE="database")
    try:
        shared = load(port, [f"/api/v1/credentials/{code}".encode() for code in sample], token)
    finally:
        server.terminate()
        server.wait(10)
    generator = "wrk" if load is drive_wrk else "Python load generator (install wrk for a lighter one)"
    note = f"{CLIENTS} clients, {DURATION:.0f} s, 2 sync workers, {generator} on the same cores"
    figures += [
        Figure("trivial view (GET /api/v1/ping): requests/s", trivial[0], "req/s", note),
        Figure(
            "trivial view p50 / p99", trivial[1], "ms", f"p99 {trivial[2]:.1f} ms; {trivial[3]} errors {trivial[4]}"
        ),
        Figure(f"lookup by code at {n:,}: requests/s", lookup[0], "req/s", note),
        Figure(f"lookup by code at {n:,}: p50", lookup[1], "ms", f"statuses {lookup[3]}, errors {lookup[4]}"),
        Figure(f"lookup by code at {n:,}: p99", lookup[2], "ms", "target < 50 ms"),
        Figure("lookup / trivial (P4)", lookup[0] / trivial[0] if trivial[0] else 0.0, "x", "target >= 0.5"),
        Figure(
            "lookup with 16 clients (the anchor's): p99",
            lookup16[2],
            "ms",
            f"{lookup16[0]:,.0f} req/s, p50 {lookup16[1]:.1f} ms",
        ),
        Figure(
            "lookup, quota counted in the database: req/s",
            shared[0],
            "req/s",
            f"p99 {shared[2]:.1f} ms (API_RATE_LIMIT_STORE=database)",
        ),
        Figure(
            "bulk roster check, 10,000 rows over HTTP: median",
            statistics.median(b[0] for b in bulk),
            "s",
            f"max {max(b[0] for b in bulk):.2f} s; target < 5 s; {bulk[0][1]}",
        ),
    ]
    return figures
