"""Who trained an applicant here, for the reviewers' conflict-of-interest check."""

from __future__ import annotations

from attunement.endorsement.conflicts import Ties, tie_reader
from attunement.people.models import User
from attunement.training.models import Registration, RegistrationStatus


@tie_reader
def training_ties(person: User, ties: Ties) -> None:
    """The trainers of the sessions the person registered for (one query)."""
    ties.trainers |= set(
        Registration.objects.filter(
            person=person, status=RegistrationStatus.REGISTERED, session__trainer__isnull=False
        ).values_list("session__trainer_id", flat=True)
    )
