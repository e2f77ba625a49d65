from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from attunement.audit.actions import record
from attunement.operations.backup import BackupError, read_manifest, restore_backup


class Command(BaseCommand):
    help = "Replace the database and uploaded files with those of a backup. Stop the web server first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path)
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument(
            "--allow-unreadable-keys",
            action="store_true",
            help="Restore even if the backup's signing keys do not open with this machine's CREDENTIAL_KEY_SECRET "
            "(the secret is lost); rotate every association's key afterwards.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source: Path = options["backup"]
        if not source.is_file():
            raise CommandError(f"{source} does not exist.")
        try:
            manifest = read_manifest(source)
        except BackupError as error:
            raise CommandError(str(error)) from None
        if not options["yes"]:
            answer = input(f"Replace ALL current data with the backup of {manifest.created_at}? Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing restored.")
        try:
            restored = restore_backup(source, allow_unreadable_keys=options["allow_unreadable_keys"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        with transaction.atomic():
            record(
                actor=None,
                verb="operations.backup.restored",
                data={
                    "file": source.name,
                    "created_at": manifest.created_at,
                    "unreadable_keys": restored.unreadable_keys,
                },
            )
        if restored.unreadable_keys:
            self.stderr.write(
                self.style.WARNING(
                    f"{len(restored.unreadable_keys)} signing keys do not open with this machine's "
                    "CREDENTIAL_KEY_SECRET: no credential can be issued until you run "
                    "'attunement credentials rotate-key --association SLUG' for each association."
                )
            )
        counts = ", ".join(f"{label} {n}" for label, n in manifest.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Restored the backup of {manifest.created_at} ({counts})."))
