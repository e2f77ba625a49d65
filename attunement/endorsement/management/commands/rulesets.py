from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from attunement.endorsement.actions.rulesets import load_rule_set
from attunement.endorsement.models import RuleSetVersion
from attunement.endorsement.rules.ruleset import SHIPPED
from attunement.lib.imports import JSON_DOCUMENT_MAX_BYTES, read_text


class Command(BaseCommand):
    help = "List the rule sets in the database, or load rule-set files (default: the shipped ones)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["list", "load"])
        parser.add_argument("files", nargs="*", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for v in RuleSetVersion.objects.select_related("association").order_by("association__slug", "effective"):
                owner = v.association.slug if v.association else "default"
                self.stdout.write(f"{v.key:<24} {owner:<16} in force from {v.effective:%Y-%m-%d}  {v.name}")
            return
        # Default: the shipped rule sets that belong to no association (variants need theirs).
        files = options["files"] or [
            p
            for p in sorted(SHIPPED.glob("*.json"))
            if not json.loads(p.read_text(encoding="utf-8")).get("association")
        ]
        for path in files:
            text = read_text(path, JSON_DOCUMENT_MAX_BYTES)
            try:
                data = json.loads(text)
                version, created = load_rule_set(actor=None, data=data)
            except (OSError, ValueError) as exc:
                raise CommandError(f"{path}: {exc}") from None
            except ValidationError as exc:
                raise CommandError(
                    f"{path}: {'; '.join(f'{k}: {v[0]}' for k, v in exc.message_dict.items())}"
                ) from None
            self.stdout.write(f"{'loaded' if created else 'unchanged'}: {version}")
