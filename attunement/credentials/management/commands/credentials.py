"""``attunement credentials``: the associations' signing keys.

``attunement credentials keys --association SLUG`` lists them; ``attunement credentials
rotate-key --association SLUG`` makes a new current key (old ones stay published, so the
credentials they signed still verify)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Signing keys of verifiable credentials: list or rotate an association's keys."

    def add_arguments(self, parser: CommandParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        for name, text in [("keys", "List the association's keys."), ("rotate-key", "Make a new current key.")]:
            sub = commands.add_parser(name, help=text)
            sub.add_argument("--association", required=True, metavar="SLUG", help="The association's address name.")

    def handle(self, *args: Any, **options: Any) -> None:
        from attunement.associations.models import Association
        from attunement.credentials.actions import rotate_signing_key
        from attunement.credentials.models import SigningKey
        from attunement.credentials.selectors import issuer_did

        association = Association.objects.filter(slug=options["association"]).first()
        if association is None:
            raise CommandError(f"No association with the address name {options['association']!r}.")
        if options["action"] == "rotate-key":
            key = rotate_signing_key(actor=None, association=association)
            self.stdout.write(f"New current key {issuer_did(association)}#{key.kid}; older keys stay published.")
            return
        for key in SigningKey.objects.filter(association=association).order_by("created_at", "id"):
            state = f"retired {key.retired_at:%Y-%m-%d}" if key.retired_at else "current"
            self.stdout.write(f"{key.kid}\tcreated {key.created_at:%Y-%m-%d}\t{state}")
