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

from attunement.lib.bench import REGISTRY, Benchmark

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


def load_all() -> dict[str, Benchmark]:
    """Import every module that registers benchmarks; the registry, by name."""
    for module in MODULES:
        importlib.import_module(module)
    return REGISTRY
