"""Every registered ``make bench`` entry runs, at tiny size (``--tiny``), through the real harness.

The harness runs once per test session in a subprocess, as ``make bench`` does (a throwaway
database of its own: SQLite in a temporary folder, or PostgreSQL on the server the suite uses
when ``DATABASE_URL`` points at one). Timings are not asserted; only that each benchmark ran
and printed figures. The API benchmark starts gunicorn; without wrk it uses its own Python load
generator, so nothing here needs a tool that CI may lack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from attunement.bench import load_all

POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
NAMES = sorted(load_all())


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    out = tmp_path_factory.mktemp("bench") / "outcomes.json"
    command = [sys.executable, "-m", "attunement.bench", "--tiny", "--json", str(out)]
    if POSTGRES:
        server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        command += ["--postgres", "--postgres-url", f"{server}/postgres"]
    env = {key: value for key, value in os.environ.items() if not key.startswith("BENCH_")}
    env.pop("ATTUNEMENT_BENCH_TINY", None)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900, check=False)
    assert out.exists(), f"the harness wrote no outcomes (exit {done.returncode}):\n{done.stdout}\n{done.stderr}"
    outcomes: dict[str, Any] = json.loads(Path(out).read_text(encoding="utf-8"))
    outcomes["_process"] = {"returncode": done.returncode, "stdout": done.stdout, "stderr": done.stderr}
    return outcomes


def test_every_benchmark_module_is_registered() -> None:
    assert {"workforce_dashboards", "workforce", "api", "directory", "credentials", "rsc", "training"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_benchmark_runs_at_tiny_size(name: str, tiny_run: dict[str, Any]) -> None:
    outcome = tiny_run.get(name)
    assert outcome is not None, f"{name} was not run:\n{tiny_run['_process']['stdout']}"
    if outcome["outcome"] == "skipped":
        assert not POSTGRES, f"{name} was skipped on PostgreSQL"
        pytest.skip(f"{name} is PostgreSQL only; it runs in the PostgreSQL test run")
    assert outcome["outcome"] == "ran", outcome.get("error")
    assert outcome["figures"], f"{name} printed no figures"
    assert all(isinstance(figure["value"], int | float) for figure in outcome["figures"])


def test_the_harness_exits_zero_when_every_benchmark_ran(tiny_run: dict[str, Any]) -> None:
    process = tiny_run["_process"]
    assert process["returncode"] == 0, process["stdout"][-3000:] + process["stderr"][-3000:]
    assert "tiny mode" in process["stdout"]
