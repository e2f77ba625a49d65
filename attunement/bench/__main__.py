"""Run the benchmarks: ``python -m attunement.bench [--postgres] [--tiny] [--json FILE] [NAME ...]``.

A benchmark that raises is reported with its traceback and the others still run; the exit
status is then 1."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import traceback
import uuid
from pathlib import Path
from typing import Any


def main() -> int:
    parser = argparse.ArgumentParser(prog="attunement.bench", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--postgres", action="store_true", help="use a throwaway PostgreSQL database")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="server to create the throwaway database on",
    )
    parser.add_argument("--tiny", action="store_true", help="a few rows and repetitions: checks that each one runs")
    parser.add_argument("--json", metavar="FILE", help="also write each benchmark's outcome and figures here")
    args = parser.parse_args()
    if args.tiny:
        import attunement.lib.bench

        os.environ["ATTUNEMENT_BENCH_TINY"] = "1"  # for the processes that benchmarks start
        attunement.lib.bench.TINY = True  # the harness was imported before the arguments were read

    workdir = tempfile.mkdtemp(prefix="attunement-bench-")
    os.environ["ATTUNEMENT_VAR_DIR"] = workdir
    os.environ.pop("DEBUG", None)
    os.environ["LOG_LEVEL"] = "WARNING"  # one log line per request would bury the figures
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attunement.settings")
    database = None
    if args.postgres:
        import psycopg

        database = f"attunement_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.postgres_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        base = args.postgres_url.rsplit("/", 1)[0]
        os.environ["DATABASE_URL"] = f"{base}/{database}"
    else:
        os.environ.pop("DATABASE_URL", None)

    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        from attunement.bench import load_all

        registry = load_all()
        names = args.names or list(registry)
        unknown = [n for n in names if n not in registry]
        if unknown:
            print(f"Unknown benchmark(s): {', '.join(unknown)}. Known: {', '.join(registry)}", file=sys.stderr)
            return 2
        tiny = " (tiny mode: the figures mean nothing)" if args.tiny else ""
        print(f"Attunement benchmarks on {connection.vendor} ({connection.settings_dict['NAME']}){tiny}", flush=True)
        outcomes: dict[str, dict[str, Any]] = {}
        for name in names:
            bench = registry[name]
            if bench.postgres_only and connection.vendor != "postgresql":
                print(f"\n{name}: skipped (PostgreSQL only; run `make bench BENCH_ARGS=--postgres`)")
                outcomes[name] = {"outcome": "skipped", "reason": "PostgreSQL only"}
                continue
            print(f"\n{name}: {bench.description}", flush=True)
            try:
                figures = bench.run()
            except Exception:
                traceback.print_exc()
                outcomes[name] = {"outcome": "failed", "error": traceback.format_exc()}
                continue
            for figure in figures:
                note = f"  ({figure.note})" if figure.note else ""
                print(f"  {figure.name:<48} {figure.value:>12,.2f} {figure.unit}{note}", flush=True)
            outcomes[name] = {
                "outcome": "ran",
                "figures": [{"name": f.name, "value": f.value, "unit": f.unit, "note": f.note} for f in figures],
            }
        if args.json:
            Path(args.json).write_text(json.dumps(outcomes, indent=2), encoding="utf-8")
        return 1 if any(each["outcome"] == "failed" for each in outcomes.values()) else 0
    finally:
        if database is not None:
            from django.db import connections

            connections.close_all()
            import psycopg

            with psycopg.connect(args.postgres_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}"')


if __name__ == "__main__":
    sys.exit(main())
