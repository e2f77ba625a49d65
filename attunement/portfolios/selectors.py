"""Reads about a portfolio's owner that the portfolio's writes need: whose address is it.

The exchange document and the engine's reports are built by ``endorsement.eligibility``."""

from __future__ import annotations

from allauth.account.models import EmailAddress

from attunement.people.models import User


def fold_email(address: str) -> str:
    """An address as compared for "is this the same mailbox": case-folded and without a
    ``+tag`` (``Alex+rsc@Example.org`` reaches ``alex@example.org``)."""
    address = address.strip().casefold()
    local, at, domain = address.rpartition("@")
    if not at:
        return address
    return f"{local.split('+', 1)[0]}@{domain}"


def own_addresses(person: User) -> set[str]:
    """Every address of the person, folded: the login, the second address and every address
    their account lists (verified or not)."""
    listed = EmailAddress.objects.filter(user_id=person.pk).values_list("email", flat=True)
    return {fold_email(a) for a in (person.email, person.secondary_email, *listed) if a}
