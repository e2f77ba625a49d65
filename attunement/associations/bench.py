"""What benchmarks share about associations: a bench association and a coordinator client."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib.auth import get_user_model
from django.test import Client

from attunement.associations import actions
from attunement.associations.models import Association, Role


def staff_client() -> tuple[Client, Association]:
    """A signed-in coordinator (with a second factor) of the association "bench", made once."""
    association = Association.objects.filter(slug="bench").first() or actions.create_association(
        actor=None, slug="bench", name="Bench AIMH", contact_email="bench@example.org"
    )
    User = get_user_model()
    user = User.objects.filter(email="coordinator@bench.example").first()
    if user is None:
        user = User.objects.create_user("coordinator@bench.example")
        actions.grant_staff_role(actor=None, association=association, user=user, role=Role.COORDINATOR)
        Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client = Client()
    client.force_login(user)
    return client, association
