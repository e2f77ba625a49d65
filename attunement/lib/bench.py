"""The benchmark harness: figures, the registry each app's ``bench.py`` adds to, timing.

See :mod:`attunement.bench` for how ``make bench`` runs them; this module sits in lib so that
every app can register a benchmark without depending on the benchmark runner."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

TINY = os.environ.get("ATTUNEMENT_BENCH_TINY") == "1"


def sized[T](full: T, tiny: T) -> T:
    """``full`` for a real run, ``tiny`` in tiny mode (sizes, repetitions, durations)."""
    return tiny if TINY else full


def tiny_mode() -> bool:
    return TINY


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
