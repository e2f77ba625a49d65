from __future__ import annotations

from typing import Any

from allauth.mfa.adapter import DefaultMFAAdapter

from attunement.people.selectors import staff_status


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Any) -> bool:
        """Staff keep their second factor: they may replace it, not switch it off."""
        needs_second_factor, _has = staff_status(authenticator.user)
        return not needs_second_factor
