"""WSGI entry point for production: ``gunicorn attunement.wsgi`` (see docs/operations.md)."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attunement.settings")

from django.core.wsgi import get_wsgi_application

from attunement.lib.env import ConfigError

try:
    site = get_wsgi_application()
    from attunement.api.handler import ApiHandler, Dispatch

    # /api/ is served with a shorter middleware chain (attunement/api/handler.py).
    application = Dispatch(site, ApiHandler())
except ConfigError as error:
    # One sentence for the operator, not a traceback.
    print(f"Attunement cannot start: {error}", file=sys.stderr)
    sys.exit(3)
