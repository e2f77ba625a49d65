from __future__ import annotations

from typing import Any

from django.urls import reverse

from attunement.lib.testing import assert_constant_queries, pin_queries


def test_the_association_home_shows_its_policy_in_one_query(client: Any, riverbend: Any) -> None:
    # The association with its policy (select_related); anonymous visitors have no session.
    with pin_queries(1):
        response = client.get(reverse("associations:home", kwargs={"association_slug": "riverbend"}))
    assert response.status_code == 200
    assert "Riverbend" in response.content.decode()
    assert "12/31" in response.content.decode()


def test_the_front_page_lists_associations_at_a_fixed_cost(client: Any, make_association: Any) -> None:
    def grow(n: int) -> None:
        from attunement.associations.models import Association

        while Association.objects.count() < n:
            make_association(f"aimh-{Association.objects.count():03d}")

    assert assert_constant_queries(grow, lambda: client.get(reverse("home"))) == 1


def test_the_staff_home_of_a_reviewer_costs_five_queries(personas: dict[str, Any], client_for: Any) -> None:
    client = client_for(personas["reviewer"])
    # session, user, staff status, association+policy, the reviewer's roles.
    url = reverse("associations:staff_home", kwargs={"association_slug": "riverbend"})
    with pin_queries(5):
        assert client.get(url).status_code == 200
