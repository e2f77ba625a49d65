"""Run the benchmarks: ``python -m attunement.bench [--postgres] [NAME ...]``."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import uuid


def main() -> int:
    parser = argparse.ArgumentParser(prog="attunement.bench", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--postgres", action="store_true", help="use a throwaway PostgreSQL database")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="server to create the throwaway database on",
    )
    args = parser.parse_args()

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
        from attunement.bench import REGISTRY, benchmarks  # noqa: F401  (registers them)
        from attunement.credentials import bench as credentials_bench  # noqa: F401
        from attunement.registry import bench as registry_bench  # noqa: F401
        from attunement.rsc import bench as rsc_bench  # noqa: F401
        from attunement.training import bench as training_bench  # noqa: F401
        from attunement.workforce import bench as workforce_bench  # noqa: F401

        names = args.names or list(REGISTRY)
        unknown = [n for n in names if n not in REGISTRY]
        if unknown:
            print(f"Unknown benchmark(s): {', '.join(unknown)}. Known: {', '.join(REGISTRY)}", file=sys.stderr)
            return 2
        print(f"Attunement benchmarks on {connection.vendor} ({connection.settings_dict['NAME']})")
        for name in names:
            bench = REGISTRY[name]
            if bench.postgres_only and connection.vendor != "postgresql":
                print(f"\n{name}: skipped (PostgreSQL only; run `make bench BENCH_ARGS=--postgres`)")
                continue
            print(f"\n{name}: {bench.description}")
            for figure in bench.run():
                note = f"  ({figure.note})" if figure.note else ""
                print(f"  {figure.name:<48} {figure.value:>12,.2f} {figure.unit}{note}")
        return 0
    finally:
        if database is not None:
            from django.db import connections

            connections.close_all()
            import psycopg

            with psycopg.connect(args.postgres_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}"')


if __name__ == "__main__":
    sys.exit(main())
