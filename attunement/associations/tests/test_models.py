from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from attunement.associations import actions


@pytest.mark.parametrize("slug", ["admin", "accounts", "static", "me", "Riverbend", "-bad", "a"])
def test_an_association_cannot_take_a_reserved_or_malformed_slug(db: Any, slug: str) -> None:
    with pytest.raises(ValidationError) as caught:
        actions.create_association(actor=None, slug=slug, name="X", contact_email="x@example.org")
    assert "slug" in caught.value.message_dict


def test_a_state_needs_the_united_states(db: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        actions.create_association(
            actor=None, slug="dublin", name="X", contact_email="x@example.org", state="VT", country="IE"
        )
    assert "state" in caught.value.message_dict


def test_a_new_association_gets_a_policy_and_an_audit_event(db: Any) -> None:
    from attunement.audit.models import AuditEvent

    association = actions.create_association(
        actor=None, slug="prairie", name="Prairie AIMH", contact_email="p@example.org"
    )
    assert association.policy.languages_offered == ["en", "es"]
    assert AuditEvent.objects.filter(verb="association.created", association=association).count() == 1
