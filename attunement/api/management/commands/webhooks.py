"""``attunement webhooks deliver``: post the webhook deliveries that are due now, once.

Deliveries are posted by ``attunement worker`` (the ``deliver_webhooks`` task, enqueued with
each change and for each retry); this command is for an operator who wants to see a round
happen now (``--once`` is accepted for older timers and does the same)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from attunement.api.webhooks import deliver_due


class Command(BaseCommand):
    help = "Deliver the webhooks that are due now, once (the worker does this all the time)."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        deliver = commands.add_parser("deliver", help="Post due webhook deliveries once.")
        deliver.add_argument("--once", action="store_true", help="The same (kept for older timers).")
        deliver.add_argument("--batch", type=int, default=100, help="Deliveries to post at most (default 100).")

    def handle(self, *args: Any, **options: Any) -> None:
        run = deliver_due(limit=options["batch"], schedule=True)
        self.stdout.write(f"delivered {run.delivered}, to retry {run.retried}, failed {run.failed}")
