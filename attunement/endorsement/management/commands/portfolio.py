"""``attunement portfolio import|export``: a person's portfolio as ``attunement.portfolio/1`` JSON."""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from attunement.associations.models import Association
from attunement.endorsement.eligibility import portfolio_document
from attunement.lib.imports import JSON_DOCUMENT_MAX_BYTES, read_text
from attunement.people.models import User
from attunement.portfolios import actions
from attunement.portfolios.models import Portfolio


class Command(BaseCommand):
    help = "Import a portfolio document into a person's portfolio (all or nothing, idempotent), or export it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import", "export"])
        parser.add_argument("file", nargs="?", help="the JSON file to import (export writes to standard output)")
        parser.add_argument("--person", required=True, help="the person's email address")
        parser.add_argument("--association", help="the association (slug) of a new portfolio")

    def handle(self, *args: Any, **options: Any) -> None:
        person = User.objects.filter(email__iexact=options["person"]).first()
        if person is None:
            raise CommandError(f"--person: nobody has the address {options['person']}.")
        if options["action"] == "export":
            portfolio = Portfolio.objects.select_related("person", "association").filter(person=person).first()
            if portfolio is None:
                raise CommandError(f"{person.email} has no portfolio.")
            actions.record_export(actor=None, portfolio=portfolio)
            sys.stdout.write(json.dumps(portfolio_document(portfolio), indent=2, ensure_ascii=False) + "\n")
            return
        if not options["file"]:
            raise CommandError("give the JSON file to import")
        text = read_text(options["file"], JSON_DOCUMENT_MAX_BYTES)
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise CommandError(f"{options['file']}: cannot be read as JSON ({exc})") from None
        with transaction.atomic():
            self._import(person, document, options)

    def _import(self, person: User, document: Any, options: dict[str, Any]) -> None:
        portfolio = Portfolio.objects.filter(person=person).select_related("association").first()
        if portfolio is None:
            association = Association.objects.filter(slug=options["association"] or "").first()
            if association is None:
                raise CommandError("--association: give the association of the new portfolio (its slug).")
            portfolio = actions.start_portfolio(actor=person, person=person, association=association)
        try:
            added = actions.import_portfolio(actor=None, portfolio=portfolio, document=document)
        except ValidationError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(
                f"{options['file']}: nothing imported ({len(exc.messages)} problems).", returncode=2
            ) from None
        self.stdout.write("imported: " + ", ".join(f"{section} {n}" for section, n in added.items()))
