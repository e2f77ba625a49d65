from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from attunement.endorsement.actions import run_daily


class Command(BaseCommand):
    help = (
        "The daily job: renewal reminders and lapses. Safe to run twice or after a crash; run it from cron once a day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=date.fromisoformat, help="run as if today were this date (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        result = run_daily(options["today"])
        for slug, counts in result.by_association.items():
            self.stdout.write(f"{slug}: {counts['reminders']} reminders sent, {counts['lapsed']} credentials lapsed")
