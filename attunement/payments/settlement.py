"""What happens when an invoice is settled: each line's purpose has a handler, registered by
the app that owns the purpose (``"endorsement.application:<id>:registration"`` → endorsement)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from attunement.payments.models import InvoiceLine
    from attunement.people.models import User

Handler = Callable[["InvoiceLine", "User | None"], None]
_handlers: dict[str, Handler] = {}


def register(prefix: str) -> Callable[[Handler], Handler]:
    def decorator(handler: Handler) -> Handler:
        _handlers[prefix] = handler
        return handler

    return decorator


def settle(line: InvoiceLine, actor: User | None) -> None:
    prefix = line.purpose.split(":", 1)[0]
    handler = _handlers.get(prefix)
    if handler is not None:
        handler(line, actor)
