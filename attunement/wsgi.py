"""WSGI entry point for production: ``gunicorn attunement.wsgi`` (see docs/operations.md)."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attunement.settings")

from django.core.wsgi import get_wsgi_application

from attunement.lib.env import ConfigError

try:
    application = get_wsgi_application()
except ConfigError as error:
    # One sentence for the operator, not a traceback.
    print(f"Attunement cannot start: {error}", file=sys.stderr)
    sys.exit(3)
