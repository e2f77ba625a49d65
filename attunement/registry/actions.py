from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from attunement.audit.actions import record
from attunement.registry.models import Listing

if TYPE_CHECKING:
    from attunement.people.models import User

FIELDS = ["listed", "region", "languages", "accepting", "contact_email", "contact_url", "focus"]


@transaction.atomic
def save_listing(*, actor: User, person: User, values: dict[str, Any]) -> Listing:
    """Save what ``person`` shows in the directory (only the fields of FIELDS are read)."""
    listing, _created = Listing.objects.select_for_update().get_or_create(person=person)
    changed = sorted(f for f in FIELDS if getattr(listing, f) != values.get(f, getattr(listing, f)))
    for name in FIELDS:
        if name in values:
            setattr(listing, name, values[name])
    listing.updated_at = timezone.now()
    listing.save()
    record(actor=actor, verb="registry.listing.saved", target=person, data={"changed": changed})
    return listing
