"""``attunement worker``: run background tasks (mail, and what else is enqueued) until stopped.

It is django-tasks-db's worker, processing every queue by default, with a sweeper that gives
mail a dead worker left half-sent back to the queue once a minute. Run as many as you like on
one PostgreSQL database: each task is claimed by one worker (``SELECT … SKIP LOCKED``) and a
message is sent under its own row lock, so none runs twice. ``--batch`` runs what is due and
exits (for a timer, or a test)."""

from __future__ import annotations

import threading
from argparse import ArgumentParser
from typing import Any

from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker

from attunement.mail.actions import requeue_stalled

SWEEP_EVERY = 60.0


def _sweep(stop: threading.Event) -> None:
    while not stop.wait(SWEEP_EVERY):
        try:
            requeue_stalled()
        finally:
            close_old_connections()


class Command(DatabaseWorker):
    help = "Run background tasks: mail and other queued work (every queue unless --queue-name is given)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*", reload=False)

    def handle(self, *args: Any, **options: Any) -> None:
        requeue_stalled()
        close_old_connections()
        stop = threading.Event()
        if not options.get("batch"):
            threading.Thread(target=_sweep, args=(stop,), name="mail-sweeper", daemon=True).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
