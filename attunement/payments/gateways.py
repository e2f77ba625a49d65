"""Card payment gateways are pluggable: ``PAYMENT_GATEWAY`` names a class with this interface.
None is configured by default (staff record cheques and offline payments). ``DemoGateway``
settles at once and exists for the demo and the tests; it refuses to load in production.

A gateway is never called inside a database transaction (quality bar R13): the caller
commits the intent (a ``CardAttempt``) first and records the outcome afterwards. Every call
carries the attempt's idempotency key, which the gateway must honour (as Stripe's
``Idempotency-Key`` does): the same key charges at most once, and ``find_charge`` answers
whether a charge was made with it, so a crash between the charge and its record is
reconciled instead of charged again."""

from __future__ import annotations

import threading
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


class Gateway(Protocol):
    name: str

    def charge(self, *, idempotency_key: str, invoice_number: str, amount: str, currency: str, token: str) -> str:
        """Charge a card token once per ``idempotency_key``; return the gateway's payment id
        (the same id again for a repeated key) or raise GatewayError when it is refused."""
        ...

    def find_charge(self, *, idempotency_key: str) -> str | None:
        """The payment id of the charge made with ``idempotency_key``, or None if none was."""
        ...


class GatewayError(Exception):
    """The gateway refused the charge (a declined card, a bad token): nothing was charged."""


class DemoGateway:
    name = "demo"
    # Charges by idempotency key, for this process (the demo keeps no real money anywhere).
    _charges: dict[str, str] = {}
    _lock = threading.Lock()

    def __init__(self) -> None:
        if settings.PRODUCTION:
            raise ImproperlyConfigured("DemoGateway takes no real money and cannot run in production.")

    def charge(self, *, idempotency_key: str, invoice_number: str, amount: str, currency: str, token: str) -> str:
        if token != "4242":  # noqa: S105 — the demo's test card
            raise GatewayError("The demo gateway accepts only the test card 4242.")
        with self._lock:
            return self._charges.setdefault(idempotency_key, f"demo-{invoice_number}-{idempotency_key[-8:]}")

    def find_charge(self, *, idempotency_key: str) -> str | None:
        return self._charges.get(idempotency_key)


def gateway() -> Gateway | None:
    path = getattr(settings, "PAYMENT_GATEWAY", "")
    return import_string(path)() if path else None
