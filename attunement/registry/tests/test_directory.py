from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from attunement.endorsement.daily import run_daily
from attunement.endorsement.models import Credential, CredentialStatus
from attunement.lib.testing import assert_constant_queries

URL = reverse("registry:directory", kwargs={"association_slug": "riverbend"})


def test_a_lapsed_member_leaves_the_directory_on_the_removal_date(
    client: Any, personas: dict[str, Any], riverbend: Any
) -> None:
    today = timezone.localdate()
    reviewer = personas["reviewer"]
    reviewer.legal_name = "Keisha Brown"
    reviewer.save(update_fields=["legal_name"])
    grace = riverbend.policy.renewal_grace_days
    Credential.objects.create(
        person=reviewer,
        association=riverbend,
        category="IMHS",
        since=date(2017, 1, 1),
        valid_through=today - timedelta(days=grace),
    )
    assert "Keisha Brown" in client.get(URL).content.decode()
    run_daily(today)  # the last day of grace: still listed
    assert "Keisha Brown" in client.get(URL).content.decode()
    run_daily(today + timedelta(days=1))  # the removal date has passed
    assert "Keisha Brown" not in client.get(URL).content.decode()
    assert Credential.objects.get(person=reviewer).status == CredentialStatus.LAPSED


def test_search_by_name_and_category_and_the_cost_is_fixed(client: Any, riverbend: Any, make_person: Any) -> None:
    def grow(n: int) -> None:
        while Credential.objects.count() < n:
            i = Credential.objects.count()
            person = make_person(f"endorsed{i}@example.org", legal_name=f"Person {i:03d}")
            Credential.objects.create(
                person=person, association=riverbend, category="IFS" if i % 2 else "IMHS", since=date(2020, 1, 1)
            )

    assert assert_constant_queries(grow, lambda: client.get(URL)) == 2  # the association, the page
    response = client.get(URL, {"q": "Person 003", "category": "IFS"})
    assert [c.person.legal_name for c in response.context["credentials"]] == ["Person 003"]
    assert response["Cache-Control"] == "public, max-age=300"


def test_names_are_found_without_their_accents_and_with_them(client: Any, riverbend: Any, make_person: Any) -> None:
    for i, name in enumerate(["José Ángel García", "Jose Garcia-Lopez", "Chloé O'Neil"]):
        Credential.objects.create(
            person=make_person(f"accent{i}@example.org", legal_name=name),
            association=riverbend,
            category="IFS",
            since=date(2020, 1, 1),
        )

    def found(query: str) -> list[str]:
        return sorted(c.person.legal_name for c in client.get(URL, {"q": query}).context["credentials"])

    assert found("jose garcia") == ["Jose Garcia-Lopez"]  # the words in order, as typed
    assert found("garcia") == ["Jose Garcia-Lopez", "José Ángel García"]
    assert found("GARCÍA") == ["Jose Garcia-Lopez", "José Ángel García"]
    assert found("angel garcia") == ["José Ángel García"]
    assert found("Chloe O’Neil") == ["Chloé O'Neil"]
