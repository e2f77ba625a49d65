from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef

from attunement.associations.models import StaffRole
from attunement.people.models import User


def staff_status(user: Any) -> tuple[bool, bool]:
    """``(needs_second_factor, has_totp)`` for a signed-in person, in one query.

    Staff roles in any association, and deployment operators, need TOTP."""
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            has_role=Exists(StaffRole.objects.current().filter(user=OuterRef("pk"))),
            has_totp=Exists(Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)),
        )
        .values_list("is_staff", "has_role", "has_totp")
        .first()
    )
    if row is None:
        return False, False
    is_staff, has_role, has_totp = row
    return bool(is_staff or has_role), bool(has_totp)
