"""The ``attunement`` command (also ``python -m attunement``): Django's management
commands plus Attunement's own (backup, restore, load_demo, …)."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "attunement.settings")
    from django.core.management import execute_from_command_line
    from django.db import OperationalError

    from attunement.lib.env import ConfigError

    try:
        execute_from_command_line(argv or sys.argv)
    except ConfigError as error:
        print(f"Attunement cannot start: {error}", file=sys.stderr)
        return 2
    except OperationalError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"Attunement cannot reach its database (check DATABASE_URL): {first_line}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
