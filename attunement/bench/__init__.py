"""``make bench``: benchmarks that print figures and never fail on a timing.

Each benchmark is a function registered with :func:`benchmark`; it gets a fresh, migrated
throwaway database (SQLite in a temporary folder, or PostgreSQL with ``--postgres``) and
returns rows of figures. Timings swing about ±35% between runs on these machines, so a
benchmark reports a baseline measured in the same run beside each figure where it can.

``--tiny`` (environment ``ATTUNEMENT_BENCH_TINY=1``, read at import so that worker processes
see it too) runs every benchmark at a few rows and a few repetitions: the figures mean nothing
then, but every code path runs; the test suite does this for every registered benchmark.
"""

from __future__ import annotations

import importlib
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

TINY = os.environ.get("ATTUNEMENT_BENCH_TINY") == "1"
# The modules that register benchmarks (``make bench`` and the tiny-mode test import the same).
MODULES = (
    "attunement.bench.benchmarks",
    "attunement.api.bench",
    "attunement.credentials.bench",
    "attunement.registry.bench",
    "attunement.rsc.bench",
    "attunement.training.bench",
    "attunement.workforce.bench",
)


def sized[T](full: T, tiny: T) -> T:
    """``full`` for a real run, ``tiny`` in tiny mode (sizes, repetitions, durations)."""
    return tiny if TINY else full


def tiny_mode() -> bool:
    return TINY


def load_all() -> dict[str, Benchmark]:
    """Import every module that registers benchmarks; the registry, by name."""
    for module in MODULES:
        importlib.import_module(module)
    return REGISTRY


@dataclass
class Figure:
    name: str
    value: float
    unit: str
    note: str = ""


@dataclass
class Benchmark:
    name: str
    description: str
    run: Callable[[], list[Figure]]
    postgres_only: bool = False


REGISTRY: dict[str, Benchmark] = {}


def benchmark(
    name: str, description: str, *, postgres_only: bool = False
) -> Callable[[Callable[[], list[Figure]]], Callable[[], list[Figure]]]:
    def register(fn: Callable[[], list[Figure]]) -> Callable[[], list[Figure]]:
        REGISTRY[name] = Benchmark(name, description, fn, postgres_only)
        return fn

    return register


@dataclass
class Timing:
    samples: list[float] = field(default_factory=list)

    def p(self, percent: float) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


def time_calls(fn: Callable[[], object], *, repeat: int, warmup: int = 3) -> Timing:
    if TINY:
        repeat, warmup = min(repeat, 3), min(warmup, 1)
    for _ in range(warmup):
        fn()
    timing = Timing()
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        timing.samples.append((time.perf_counter() - started) * 1000)
    return timing
