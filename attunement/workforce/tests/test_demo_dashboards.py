"""The demo's analyst sees every workforce dashboard with figures, none of them a name."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from attunement.people.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_analyst_sees_the_dashboards(client: Any) -> None:
    from attunement.demo.loader import load
    from conftest import ensure_shipped_data

    ensure_shipped_data()
    load()
    load()  # idempotent
    assert User.objects.filter(email__endswith="@riverbend-workforce.example").count() == 480
    analyst = User.objects.get(email="analyst@riverbend.example")
    client.force_login(analyst)
    pages = {
        name: client.get(reverse(f"workforce:{name}", kwargs={"association_slug": "riverbend"}))
        for name in ("indicators", "endorsed", "pipeline", "coverage")
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert "@riverbend-workforce.example" not in response.content.decode()
    endorsed = pages["endorsed"].content.decode()
    assert '<th scope="row">north</th>' in endorsed
    assert "Infant Family Specialist (IFS)" in endorsed
    assert "Birth to Three — North 1" in pages["coverage"].content.decode()
    assert "Registration to Endorsement" in pages["pipeline"].content.decode()
    indicators = pages["indicators"].content.decode()
    assert "Diversity by service level" in indicators
    assert "Reflective supervision reach by role" in indicators
