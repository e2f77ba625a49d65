"""``attunement workforce``: workforce check-in data (spec: workforce-checkin.md).

``attunement workforce indicators FILE.csv [--year YEAR] [--json]`` computes the
``attunement.indicators/1`` figures from an ``attunement.checkin/1`` file without a database;
``attunement workforce import FILE.csv --association SLUG`` keeps the file's answers for the
association's dashboards (all or nothing; the same respondent and year is replaced).
``attunement workforce refresh [--association SLUG] [--all]`` recomputes the figures that
check-ins and profile changes left waiting, and every dashboard roll-up: run it from a timer
every 5 minutes (dashboards are then at most about that old; the pages say when they were
computed). Exit 0 on success; 2 when the file is rejected, with every problem (row and column) on
standard error and nothing on standard output. Files are read row by row and may be at most
100 MB (``COMMAND_LINE_MAX_BYTES``); a larger one is refused before it is read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandError, CommandParser

from attunement.lib.imports import text_lines
from attunement.workforce.checkin import COMMAND_LINE_MAX_BYTES, CheckinError, parse_lines
from attunement.workforce.indicators import compute, years


class Command(BaseCommand):
    help = "Workforce check-in data: indicators from an attunement.checkin/1 CSV file, or its import."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        indicators = commands.add_parser(
            "indicators", help="Compute attunement.indicators/1 from a CSV file (no database needed)."
        )
        indicators.add_argument("file", metavar="FILE.csv")
        indicators.add_argument("--year", type=int, help="Survey year (needed when the file holds several).")
        indicators.add_argument("--json", action="store_true", help="Print JSON (the default is a readable listing).")
        importing = commands.add_parser(
            "import", help="Import an attunement.checkin/1 CSV file into an association (all or nothing)."
        )
        importing.add_argument("file", metavar="FILE.csv")
        importing.add_argument("--association", required=True, metavar="SLUG", help="The association's address name.")
        exporting = commands.add_parser(
            "export", help="Write an association's answers as an attunement.checkin/1 CSV file, with a codebook."
        )
        exporting.add_argument("--association", required=True, metavar="SLUG", help="The association's address name.")
        exporting.add_argument("--year", type=int, help="Only this year (default: every year).")
        exporting.add_argument("--output", metavar="FILE.csv", help="Write here instead of standard output.")
        exporting.add_argument("--codebook", metavar="FILE.md", help="Also write the codebook (Markdown) here.")

        refreshing = commands.add_parser(
            "refresh", help="Recompute waiting figures and the dashboard roll-ups (run from a timer every 5 minutes)."
        )
        refreshing.add_argument("--association", metavar="SLUG", help="Only this association (default: all).")
        refreshing.add_argument("--all", action="store_true", help="Recompute every year, not only the waiting ones.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "indicators":
            self._indicators(options["file"], options["year"], options["json"])
        elif options["action"] == "import":
            self._import(options["file"], options["association"])
        elif options["action"] == "refresh":
            self._refresh(options["association"], options["all"])
        elif options["action"] == "export":
            self._export(options["association"], options["year"], options["output"], options["codebook"])

    def _association(self, slug: str) -> Any:
        from attunement.associations.models import Association

        association = Association.objects.filter(slug=slug).first()
        if association is None:
            raise CommandError(f"--association: no association '{slug}'", returncode=2)
        return association

    def _refresh(self, slug: str | None, every_year: bool) -> None:
        import time

        from attunement.workforce.actions import refresh_workforce

        started = time.perf_counter()
        result = refresh_workforce(self._association(slug) if slug else None, stale_only=not every_year)
        self.stdout.write(
            f"refreshed {result.associations} association(s): {result.years} year(s) of figures, "
            f"{result.rollups} roll-ups in {time.perf_counter() - started:.1f} s"
        )

    def _export(self, slug: str, year: int | None, output: str | None, codebook_path: str | None) -> None:
        from attunement.workforce.selectors import codebook, export_checkins

        text = export_checkins(self._association(slug), year)
        try:
            if output:
                Path(output).write_text(text, encoding="utf-8")
            if codebook_path:
                Path(codebook_path).write_text(codebook(), encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{exc.filename}: cannot be written ({exc.strerror})", returncode=2) from None
        if not output:
            self.stdout.write(text, ending="")

    def _import(self, file: str, slug: str) -> None:
        from attunement.workforce.actions import import_checkins

        association = self._association(slug)
        try:
            with text_lines(file, COMMAND_LINE_MAX_BYTES) as lines:
                result = import_checkins(association, lines, actor=None, file_name=Path(file).name)
        except CheckinError as exc:
            self._reject(file, exc)
        listed = ", ".join(str(year) for year in result.years)
        self.stdout.write(
            f"{association.slug}: {result.rows} responses for {listed or 'no year'} "
            f"({result.created} new, {result.replaced} replaced)"
        )

    def _reject(self, file: str, exc: CheckinError) -> NoReturn:
        for error in exc.errors:
            self.stderr.write(f"{file}: {error}")
        raise CommandError(
            f"{file}: rejected, {len(exc.errors)} problem(s); nothing imported or computed", returncode=2
        )

    def _indicators(self, file: str, year: int | None, as_json: bool) -> None:
        try:
            with text_lines(file, COMMAND_LINE_MAX_BYTES) as lines:
                responses = parse_lines(lines)
        except CheckinError as exc:
            self._reject(file, exc)
        held = years(responses)
        if year is None:
            if len(held) > 1:
                listed = ", ".join(str(each) for each in held)
                raise CommandError(f"--year: the file holds the years {listed}; choose one", returncode=2)
            if not held:
                raise CommandError(f"{file}: the file holds no responses", returncode=2)
            year = held[0]
        elif year not in held:
            raise CommandError(f"--year: the file holds no responses for {year}", returncode=2)
        result = compute(responses, year)
        if as_json:
            self.stdout.write(json.dumps(result, indent=2, ensure_ascii=False))
            return
        for key, value in result.items():
            shown = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
            self.stdout.write(f"{key}: {'suppressed (fewer than 10)' if value is None else shown}")
