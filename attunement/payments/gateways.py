"""Card payment gateways are pluggable: ``PAYMENT_GATEWAY`` names a class with this interface.
None is configured by default (staff record cheques and offline payments). ``DemoGateway``
settles at once and exists for the demo and the tests; it refuses to load in production."""

from __future__ import annotations

from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


class Gateway(Protocol):
    name: str

    def charge(self, *, invoice_number: str, amount: str, currency: str, token: str) -> str:
        """Charge a card token; return the gateway's payment id or raise GatewayError."""
        ...


class GatewayError(Exception):
    pass


class DemoGateway:
    name = "demo"

    def __init__(self) -> None:
        if settings.PRODUCTION:
            raise ImproperlyConfigured("DemoGateway takes no real money and cannot run in production.")

    def charge(self, *, invoice_number: str, amount: str, currency: str, token: str) -> str:
        if token != "4242":  # noqa: S105 — the demo's test card
            raise GatewayError("The demo gateway accepts only the test card 4242.")
        return f"demo-{invoice_number}"


def gateway() -> Gateway | None:
    path = getattr(settings, "PAYMENT_GATEWAY", "")
    return import_string(path)() if path else None
