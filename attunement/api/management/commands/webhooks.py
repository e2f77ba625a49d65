"""``attunement webhooks deliver [--once]``: post the webhook outbox (run it under a timer or a
supervisor; see docs/operations.md)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from attunement.api.webhooks import deliver_due


class Command(BaseCommand):
    help = "Deliver due webhooks (signed, retried with back-off)."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        deliver = commands.add_parser("deliver", help="Post due webhook deliveries.")
        deliver.add_argument("--once", action="store_true", help="Deliver what is due now, then stop.")
        deliver.add_argument("--interval", type=float, default=15, help="Seconds between rounds (default 15).")
        deliver.add_argument("--batch", type=int, default=100, help="Deliveries per round (default 100).")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            run = deliver_due(limit=options["batch"])
            if options["verbosity"] > 1 or options["once"]:
                self.stdout.write(f"delivered {run.delivered}, to retry {run.retried}, failed {run.failed}")
            if options["once"]:
                return
            if run.delivered + run.retried + run.failed < options["batch"]:
                time.sleep(options["interval"])
