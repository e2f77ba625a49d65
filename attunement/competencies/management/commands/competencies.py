from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from attunement.associations.models import Association
from attunement.competencies.actions import load_framework
from attunement.lib.imports import JSON_DOCUMENT_MAX_BYTES, read_text

PUBLIC = Path(__file__).resolve().parents[2] / "data" / "public-2017.json"


class Command(BaseCommand):
    help = "Load a competency framework file (default: the public domain and area names) for the deployment or one association."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load"])
        parser.add_argument("file", nargs="?", type=Path, default=PUBLIC)
        parser.add_argument("--association", help="slug of the association whose licensed copy this is")

    def handle(self, *args: Any, **options: Any) -> None:
        association = None
        if options["association"]:
            association = Association.objects.filter(slug=options["association"]).first()
            if association is None:
                raise CommandError(f"--association: no association {options['association']!r}.")
        text = read_text(options["file"], JSON_DOCUMENT_MAX_BYTES)
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise CommandError(f"{options['file']}: cannot be read as JSON ({exc})") from None
        try:
            framework, created = load_framework(actor=None, data=data, association=association)
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(
                f"{options['file']}: nothing loaded ({len(exc.messages)} problems).", returncode=2
            ) from None
        self.stdout.write(
            f"{'loaded' if created else 'unchanged'}: {framework.name} ({framework.domains.count()} domains)"
        )
