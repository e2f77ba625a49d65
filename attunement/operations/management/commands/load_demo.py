from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from attunement.api import demo as api_demo
from attunement.demo import loader


class Command(BaseCommand):
    help = "Load the demo associations and people (idempotent) and print how to sign in as each persona."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo data is not for production (ATTUNEMENT_PRODUCTION=true).")
        loader.load()
        site = settings.SITE_URL or "http://127.0.0.1:8000"
        out = self.stdout.write
        out("")
        out(self.style.SUCCESS("Attunement demo is ready."))
        out(f"  Open {site}/riverbend/  (the other association: {site}/cascade/)")
        out(f"  Every persona's password: {loader.PASSWORD}")
        out("  Or choose 'Send me a sign-in code': the code is printed in this terminal.")
        out("  Staff roles need a second factor: add the TOTP secret to an authenticator app,")
        out("  or run  .venv/bin/attunement demo_totp EMAIL  for the current code.")
        out("")
        for persona in loader.PERSONAS:
            line = f"  {persona.key:<12} {persona.email:<32} {persona.description}"
            out(line)
            if persona.roles or persona.operator:
                out(f"  {'':<12} TOTP secret {loader.totp_secret(persona.email)}")
        out("")
        for line in api_demo.printed_lines(site):
            out(line)
        out("")
