"""``attunement verify FILE``: check a downloaded credential (.jwt or wallet bundle .json).

Exit 0 valid; 1 not valid (bad signature, expired, revoked, suspended: the reasons are
printed); 2 the input cannot be checked (named on standard error)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from attunement.credentials.verify import Unusable, verify_credential


class Command(BaseCommand):
    help = "Check a verifiable credential: signature, validity dates, revocation and suspension."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE", help="A .jwt credential or a .json wallet bundle.")
        parser.add_argument(
            "--did-document", metavar="FILE", help="The issuer's DID document, saved (else the bundle's, else fetched)."
        )
        parser.add_argument(
            "--status-list",
            metavar="FILE",
            action="append",
            default=[],
            help="A saved status list credential (.jwt); repeat for revocation and suspension (else fetched).",
        )
        parser.add_argument("--json", action="store_true", help="Print the result as JSON.")

    def _read(self, name: str, what: str) -> str:
        try:
            return Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise Unusable(f"cannot read {what} {name}: {error}") from None

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = self._read(options["file"], "the credential")
            document = None
            if options["did_document"]:
                try:
                    document = json.loads(self._read(options["did_document"], "the DID document"))
                except ValueError as error:
                    raise Unusable(f"the DID document {options['did_document']} is not JSON ({error})") from None
                if not isinstance(document, dict):
                    raise Unusable(f"the DID document {options['did_document']} is not a JSON object")
            lists = [self._read(name, "the status list") for name in options["status_list"]]
            outcome = verify_credential(text, did_document=document, status_lists=lists)
        except Unusable as error:
            self.stderr.write(f"UNUSABLE: {error}")
            sys.exit(2)
        subject = outcome.credential.get("credentialSubject", {})
        names = [i.get("identityHash") for i in subject.get("identifier", []) if isinstance(i, dict)]
        if options["json"]:
            self.stdout.write(json.dumps({"valid": outcome.valid, "reasons": outcome.reasons, "notes": outcome.notes}))
        else:
            self.stdout.write("VALID" if outcome.valid else "NOT VALID: " + "; ".join(outcome.reasons))
            self.stdout.write(f"  {outcome.credential.get('name', '')} — {', '.join(str(n) for n in names)}")
            issuer = outcome.credential.get("issuer", {})
            self.stdout.write(f"  issuer: {issuer.get('name', '') if isinstance(issuer, dict) else issuer}")
            for note in outcome.notes:
                self.stdout.write(f"  {note}")
        sys.exit(0 if outcome.valid else 1)
