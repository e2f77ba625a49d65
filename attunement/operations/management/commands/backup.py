from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from attunement.audit.actions import record
from attunement.operations.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Write a backup (database and uploaded files) to one .tar.gz file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output", "-o", type=Path, help="File to write (default: var/backups/attunement-<time>.tar.gz)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stamp = datetime.now(tz=UTC).strftime("%Y%m%d-%H%M%S")
        output: Path = options["output"] or Path(settings.VAR_DIR) / "backups" / f"attunement-{stamp}.tar.gz"
        with transaction.atomic():
            # A backup exports everyone's personal data: it leaves an audit event, inside the backup too.
            record(actor=None, verb="operations.backup.created", data={"file": output.name})
        try:
            path, manifest = create_backup(output)
        except BackupError as error:
            raise CommandError(str(error)) from None
        counts = ", ".join(f"{label} {n}" for label, n in manifest.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Backup written to {path} ({manifest.vendor}; {counts})."))
