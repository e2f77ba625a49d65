"""``attunement demo_roster [--rows N] [--association SLUG]``: a payer's roster as CSV on
standard output, made from the association's credentials (codes, names, unknown codes and
a few malformed rows), to try the bulk roster check with."""

from __future__ import annotations

import csv
import random
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from attunement.endorsement.models import Credential, credential_code


class Command(BaseCommand):
    help = "Print a demo roster (CSV: ref,code,name,category,region) for the bulk roster check."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--rows", type=int, default=10_000)
        parser.add_argument("--association", default="riverbend", metavar="SLUG")
        parser.add_argument("--seed", type=int, default=8)

    def handle(self, *args: Any, **options: Any) -> None:
        rows = options["rows"]
        if not 1 <= rows <= 1_000_000:
            raise CommandError("--rows must be between 1 and 1,000,000.")
        known = list(
            Credential.objects.filter(association__slug=options["association"])
            .order_by("id")
            .values_list("public_code", "person__legal_name", "category", "person__region")[:50_000]
        )
        if not known:
            raise CommandError(f"The association {options['association']} has no credentials: run `make demo` first.")
        rng = random.Random(options["seed"])  # noqa: S311 — demo data
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["ref", "code", "name", "category", "region"])
        for i in range(1, rows + 1):
            code, name, category, region = rng.choice(known)
            kind = rng.random()
            if kind < 0.6:
                writer.writerow([f"P{i:06d}", code, "", "", ""])
            elif kind < 0.85:
                writer.writerow([f"P{i:06d}", "", name, category, region if rng.random() < 0.5 else ""])
            elif kind < 0.97:
                writer.writerow([f"P{i:06d}", credential_code(), "", "", ""])
            else:
                writer.writerow([f"P{i:06d}", "", "", "XYZ", ""])  # malformed: no code, no name, no such category
