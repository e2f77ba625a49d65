"""Objects the permission table needs from this app."""

from __future__ import annotations

from typing import Any


def staff_invitation(ctx: dict[str, Any]) -> dict[str, Any]:
    """An open invitation for Alex (the applicant) to be a trainer at Riverbend."""
    from attunement.associations import actions
    from attunement.associations.models import Association, Role, StaffInvitation

    riverbend = Association.objects.get(slug="riverbend")
    invitation = StaffInvitation.objects.filter(
        association=riverbend, email="applicant@example.org", accepted_at__isnull=True
    ).first() or actions.invite_staff(
        actor=None, association=riverbend, email="applicant@example.org", role=Role.TRAINER
    )
    return {"invitation_id": invitation.public_id}
