"""Helpers for the test suite: pinned query counts, constant-cost checks, races, CSP."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import connection, connections
from django.test.utils import CaptureQueriesContext


class QueryCountError(AssertionError):
    pass


@contextmanager
def pin_queries(expected: int, *, using: str = "default") -> Iterator[CaptureQueriesContext]:
    """Fail unless exactly ``expected`` queries run inside the block; on failure list them."""
    with CaptureQueriesContext(connections[using]) as captured:
        yield captured
    if len(captured) != expected:
        listing = "\n".join(f"{i}. {q['sql']}" for i, q in enumerate(captured.captured_queries, 1))
        raise QueryCountError(f"{len(captured)} queries ran, {expected} were pinned:\n{listing}")


def count_queries(fn: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


def assert_constant_queries(
    grow: Callable[[int], Any], fetch: Callable[[], Any], sizes: tuple[int, ...] = (5, 50)
) -> int:
    """P1: a page costs the same number of queries with few and many rows.

    ``grow(n)`` adds rows until there are ``n``; ``fetch()`` renders the page."""
    counts = []
    for size in sizes:
        grow(size)
        counts.append(count_queries(fetch))
    if len(set(counts)) != 1:
        raise QueryCountError(f"query count grows with rows: {dict(zip(sizes, counts, strict=True))}")
    return counts[0]


@dataclass
class RaceResult:
    results: list[Any]
    errors: list[BaseException]


def race(*actions: Callable[[], Any], timeout: float = 30) -> RaceResult:
    """Run ``actions`` at the same moment in threads (a barrier releases them together),
    each on its own database connection. Use from a ``transaction=True`` test."""
    barrier = threading.Barrier(len(actions))
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(action: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout)
            outcome = action()
            with lock:
                results.append(outcome)
        except BaseException as exc:
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return RaceResult(results, errors)


_INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
_STYLE_ATTR = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
_STYLE_TAG = re.compile(r"<style[\s>]", re.IGNORECASE)
_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
_JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def csp_problems(response: Any) -> list[str]:
    """What keeps a response from carrying the strict CSP (R2); empty when it is fine."""
    problems = []
    header = response.headers.get("Content-Security-Policy", "")
    directives = {
        part.strip().split(" ", 1)[0]: part.strip().split(" ", 1)[1] if " " in part.strip() else ""
        for part in header.split(";")
        if part.strip()
    }
    if not header:
        return ["no Content-Security-Policy header"]
    if "unsafe-inline" in header or "unsafe-eval" in header:
        problems.append("policy allows unsafe-inline or unsafe-eval")
    if directives.get("object-src") != "'none'":
        problems.append("object-src is not 'none'")
    if directives.get("frame-ancestors") != "'none'":
        problems.append("frame-ancestors is not 'none'")
    if directives.get("base-uri") != "'none'":
        problems.append("base-uri is not 'none'")
    script_src = directives.get("script-src", directives.get("default-src", ""))
    if "*" in script_src.split() or "data:" in script_src:
        problems.append("script-src is too wide")
    if "text/html" in response.headers.get("Content-Type", ""):
        html = response.content.decode(errors="replace")
        nonce = re.search(r"'nonce-([^']+)'", script_src)
        for attrs in _SCRIPT_TAG.findall(html):
            if "src=" in attrs or 'type="application/json"' in attrs:
                if "src=" in attrs and "nonce=" in attrs and (not nonce or nonce.group(1) not in attrs):
                    problems.append("a script's nonce does not match the header")
                continue
            if not nonce or f'nonce="{nonce.group(1)}"' not in attrs:
                problems.append("an inline script without the page's nonce")
        if _INLINE_HANDLER.search(html):
            problems.append("an inline event handler (on...=)")
        if _STYLE_ATTR.search(html) or _STYLE_TAG.search(html):
            problems.append("inline style")
        if _JS_URL.search(html):
            problems.append("a javascript: URL")
    return problems


def _worker(worker_id: str) -> Any:
    """django-tasks-db's worker on every queue, in batch mode: it stops when nothing is due."""
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    )


def run_worker(worker_id: str = "test-worker") -> None:
    """A real worker loop (with its own connection handling: use from a ``transaction=True``
    test): runs every task that is due, then returns."""
    _worker(worker_id).run()


def run_workers(*worker_ids: str, timeout: float = 300) -> list[BaseException]:
    """Several workers at once, each in its own thread and connection, until nothing is due;
    returns what they raised."""
    errors: list[BaseException] = []

    def work(worker_id: str) -> None:
        try:
            run_worker(worker_id)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(worker_id,)) for worker_id in worker_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return errors


def time_passes() -> None:
    """Time passes: every task waiting for its time (a retry) is due now."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now() - timedelta(seconds=1))


def run_tasks(limit: int = 1_000) -> int:
    """Run every task that is due, in this thread and this transaction (as a worker would,
    without its connection handling, so an ordinary test can use it); returns how many ran.
    A task that raises is recorded as failed, as the worker records it."""
    from django_tasks_db.models import DBTaskResult

    worker = _worker("test-run-tasks")
    ran = 0
    while ran < limit:
        due = DBTaskResult.objects.ready().order_by("enqueued_at").first()
        if due is None:
            return ran
        due.claim(worker.worker_id)
        worker.run_task(due)
        ran += 1
    return ran
