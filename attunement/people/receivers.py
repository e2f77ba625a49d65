"""Audit events for what allauth does on its own (sign-in, passwords, second factors).

These are the only signal receivers in Attunement: allauth's flows are not our actions,
so its signals are the one place to see them. They record; they decide nothing."""

from __future__ import annotations

from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.dispatch import receiver

from attunement.audit.actions import record


@receiver(account_signals.user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(actor=user, verb="account.signed_in", target=user)


@receiver(account_signals.user_signed_up)
def _signed_up(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(actor=user, verb="account.signed_up", target=user)


@receiver(account_signals.email_added)
def _email_added(sender: Any, request: Any, user: Any, email_address: Any, **kwargs: Any) -> None:
    record(actor=user, verb="account.email.added", target=user)


@receiver(account_signals.email_removed)
def _email_removed(sender: Any, request: Any, user: Any, email_address: Any, **kwargs: Any) -> None:
    record(actor=user, verb="account.email.removed", target=user)


@receiver(account_signals.email_changed)
def _email_changed(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(actor=user, verb="account.email.changed", target=user)


@receiver(account_signals.password_changed)
@receiver(account_signals.password_set)
@receiver(account_signals.password_reset)
def _password(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record(actor=user, verb="account.password.changed", target=user)


@receiver(account_signals.email_confirmed)
def _email_confirmed(sender: Any, request: Any, email_address: Any, **kwargs: Any) -> None:
    record(actor=email_address.user, verb="account.email.confirmed", target=email_address.user)


@receiver(mfa_signals.authenticator_added)
def _mfa_added(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    record(actor=user, verb="account.mfa.added", target=user, data={"type": authenticator.type})


@receiver(mfa_signals.authenticator_removed)
def _mfa_removed(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    record(actor=user, verb="account.mfa.removed", target=user, data={"type": authenticator.type})
