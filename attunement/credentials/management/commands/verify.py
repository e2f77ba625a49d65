"""``attunement verify FILE``: check a downloaded credential (.jwt or wallet bundle .json).

Exit 0 valid; 1 not valid (bad signature, expired, revoked, suspended: the reasons are
printed); 2 the input cannot be checked (named on standard error); 3 nothing wrong was found
but the issuer's key is not verified (the live DID document could not be fetched and only the
copy a bundle carries, which anyone can write, was at hand)."""

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
            "--did-document",
            metavar="FILE",
            help="The issuer's DID document, saved and trusted (else the live one is fetched).",
        )
        parser.add_argument(
            "--issuer-key",
            metavar="FILE",
            action="append",
            default=[],
            help="A public JWK of the issuer you trust (a .json file); repeat for several keys.",
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

    def _json(self, name: str, what: str) -> dict[str, Any]:
        try:
            value = json.loads(self._read(name, what))
        except ValueError as error:
            raise Unusable(f"{what} {name} is not JSON ({error})") from None
        if not isinstance(value, dict):
            raise Unusable(f"{what} {name} is not a JSON object")
        return value

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            text = self._read(options["file"], "the credential")
            document = self._json(options["did_document"], "the DID document") if options["did_document"] else None
            keys = [self._json(name, "the issuer key") for name in options["issuer_key"]]
            lists = [self._read(name, "the status list") for name in options["status_list"]]
            outcome = verify_credential(text, did_document=document, issuer_keys=keys, status_lists=lists)
        except Unusable as error:
            self.stderr.write(f"UNUSABLE: {error}")
            sys.exit(2)
        subject = outcome.credential.get("credentialSubject", {})
        names = [i.get("identityHash") for i in subject.get("identifier", []) if isinstance(i, dict)]
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "valid": outcome.valid,
                        "issuerKeyVerified": outcome.key_verified,
                        "issuer": outcome.issuer,
                        "reasons": outcome.reasons,
                        "notes": outcome.notes,
                    }
                )
            )
        else:
            if not outcome.valid:
                self.stdout.write("NOT VALID: " + "; ".join(outcome.reasons))
            elif not outcome.key_verified:
                self.stdout.write(
                    "ISSUER KEY NOT VERIFIED: the signature matches only the copy of the DID document in the"
                    " bundle; fetch the live one (online) or give --did-document or --issuer-key"
                )
            else:
                self.stdout.write("VALID")
            self.stdout.write(f"  {outcome.credential.get('name', '')} — {', '.join(str(n) for n in names)}")
            issuer = outcome.credential.get("issuer", {})
            name = issuer.get("name", "") if isinstance(issuer, dict) else ""
            self.stdout.write(f"  issuer: {name} ({outcome.issuer})" if name else f"  issuer: {outcome.issuer}")
            for note in outcome.notes:
                self.stdout.write(f"  {note}")
        sys.exit(outcome.exit_code)
