"""Who may review an application, or read its Part 2 answers (reads, no writes): the
association's reviewer pool, least loaded first, each excluded one with the reason."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from attunement.associations.models import Role
from attunement.endorsement.conflicts import addresses_of, conflict, ties_of
from attunement.endorsement.models import Application, Assignment, Credential, CredentialStatus, ReviewerProfile
from attunement.endorsement.rules.categories import TOP_REVIEW_LEVEL, review_level
from attunement.people.models import User


@dataclass
class Candidate:
    user: User
    load: int
    excluded: str  # why not, empty when the reviewer may take it


def reviewer_candidates(application: Application) -> list[Candidate]:
    """The association's reviewer pool for this application, least loaded first, with the
    reason each excluded one may not review it (conflicts: ``endorsement.conflicts``)."""
    association = application.association
    reviewers = User.objects.filter(
        staff_roles__association=association, staff_roles__role=Role.REVIEWER, staff_roles__revoked_at__isnull=True
    ).annotate(load=Count("assignments", filter=Q(assignments__submitted_at__isnull=True), distinct=True))
    profiles = {p.user_id: p for p in ReviewerProfile.objects.filter(association=association)}
    held: dict[int, set[str]] = {}
    today = timezone.localdate()
    for c in Credential.objects.filter(person__in=reviewers, status=CredentialStatus.ACTIVE).filter(
        Q(valid_through__isnull=True) | Q(valid_through__gte=today)
    ):
        held.setdefault(c.person_id, set()).add(c.category)
    ties = ties_of(application)
    addresses = addresses_of(reviewers)
    need = review_level(application.category) or TOP_REVIEW_LEVEL  # an unknown category: the most senior
    out = []
    for user in reviewers:
        profile = profiles.get(user.pk)
        if profile is None or not profile.trained:
            why = _("has not completed reviewer training")
        elif not profile.active:
            why = _("is not taking assignments")
        elif not any((review_level(c) or 0) >= need for c in held.get(user.pk, ())):
            why = _("is not endorsed at %(category)s or higher") % {"category": application.category}
        else:
            why = conflict(ties, user, addresses.get(user.pk, set()), profile.employer)
        out.append(Candidate(user, user.load, why))
    return sorted(out, key=lambda c: (bool(c.excluded), c.load, c.user.email))


def reader_candidates(application: Application) -> list[Candidate]:
    """Who may read this application's Part 2 answers: the reviewer pool's rules (trained,
    taking assignments, endorsed high enough, no conflict of interest), and not one of the
    application's reviewers, who know whose answers they would be."""
    reviewed = set(Assignment.objects.filter(application=application).values_list("reviewer_id", flat=True))
    out = []
    for candidate in reviewer_candidates(application):
        if not candidate.excluded and candidate.user.pk in reviewed:
            candidate.excluded = _("reviewed this application (readers read without knowing whose answers)")
        out.append(candidate)
    return sorted(out, key=lambda c: (bool(c.excluded), c.load, c.user.email))
