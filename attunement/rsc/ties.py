"""Whom an applicant knows through RS/C here, for the reviewers' conflict-of-interest check."""

from __future__ import annotations

from attunement.endorsement.conflicts import Ties, fold_address, tie_reader
from attunement.people.models import User
from attunement.rsc.models import IndividualRequest, IndividualSession, Membership, MembershipStatus, RequestStatus


@tie_reader
def rsc_ties(person: User, ties: Ties) -> None:
    """The provider and every other member of each RS/C group the person belongs or belonged
    to, and their individual RS/C providers (at most four queries)."""
    attended = MembershipStatus.ACTIVE, MembershipStatus.LEFT
    group_ids = list(
        Membership.objects.filter(supervisee=person, status__in=attended).values_list("group_id", flat=True)
    )
    if group_ids:
        ties.groups |= set(
            Membership.objects.filter(group_id__in=group_ids, status__in=attended).values_list(
                "supervisee_id", flat=True
            )
        )
        ties.groups |= set(
            Membership.objects.filter(group_id__in=group_ids).values_list("group__provider__person_id", flat=True)
        )
        ties.groups.discard(person.pk)
    for provider_id, email in IndividualSession.objects.filter(supervisee=person).values_list(
        "provider__person_id", "provider_email"
    ):
        if provider_id:
            ties.providers.add(provider_id)
        if email:
            ties.emails.add(fold_address(email))
    ties.providers |= set(
        IndividualRequest.objects.filter(supervisee=person, status=RequestStatus.ACCEPTED).values_list(
            "provider__person_id", flat=True
        )
    )
