from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction

from attunement.audit.actions import record
from attunement.people.models import User

PROFILE_FIELDS = [
    "legal_name",
    "preferred_name",
    "pronouns",
    "languages",
    "region",
    "preferred_language",
    "secondary_email",
]


@transaction.atomic
def create_person(
    *, actor: User | None, email: str, password: str | None = None, email_verified: bool = False, **profile: Any
) -> User:
    """An account made by staff or by the demo loader (people also sign up themselves).

    ``email_verified`` is for addresses staff have confirmed another way; otherwise the
    person proves the address at first sign-in."""
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown profile fields: {sorted(unknown)}")
    user = User(email=email.strip().lower(), **profile)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=email_verified)
    record(actor=actor, verb="people.person.created", target=user)
    return user


@transaction.atomic
def update_profile(*, actor: User, person: User, values: dict[str, Any]) -> list[str]:
    """Save a person's profile; returns the fields that changed (and audits only those names,
    not the values)."""
    person = User.objects.select_for_update().get(pk=person.pk)
    changed = {f: values[f] for f in PROFILE_FIELDS if f in values and getattr(person, f) != values[f]}
    if not changed:
        return []
    for field, value in changed.items():
        setattr(person, field, value)
    person.full_clean(exclude=["password"])
    person.save(update_fields=list(changed))
    record(actor=actor, verb="people.profile.updated", target=person, data={"changed": sorted(changed)})
    return sorted(changed)
