from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from attunement.endorsement.daily import enqueue_daily, run_daily


class Command(BaseCommand):
    help = (
        "The daily job: renewal reminders and lapses. Safe to run twice, at once or after a crash; run it from "
        "cron once a day. Each association is on its own: a failure in one is reported at the end (exit status 1) "
        "and does not stop the others."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=date.fromisoformat, help="run as if today were this date (YYYY-MM-DD)")
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="put one task per association on the queue for the workers instead of running here",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["enqueue"]:
            count = enqueue_daily(options["today"])
            self.stdout.write(f"{count} association(s) queued for the daily job")
            return
        result = run_daily(options["today"])
        for slug, counts in result.by_association.items():
            self.stdout.write(f"{slug}: {counts['reminders']} reminders sent, {counts['lapsed']} credentials lapsed")
        for slug in result.skipped:
            self.stdout.write(f"{slug}: skipped, another run of the daily job is working on it")
        if result.failures:
            named = "; ".join(f"{slug} ({', '.join(steps)})" for slug, steps in result.failures.items())
            raise CommandError(f"The daily job failed for {len(result.failures)} association(s): {named}")
