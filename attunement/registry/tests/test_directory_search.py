"""The directory across the deployment and per association: search by name, category, region,
language and accepting new clients; only what holders chose to show is searched; only current
credentials are listed; the cost of a page is fixed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from attunement.endorsement.models import Credential, CredentialStatus
from attunement.lib.testing import assert_constant_queries
from attunement.registry.models import Listing

ALL = reverse("directory:all")


def names(response: Any) -> list[str]:
    return [c.person.legal_name for c in response.context["credentials"]]


@pytest.fixture
def holders(riverbend: Any, cascade: Any, make_person: Callable[..., Any]) -> dict[str, Any]:
    def holder(name: str, association: Any, category: str, **listing: Any) -> Any:
        person = make_person(f"{name.split()[0].lower()}@example.org", legal_name=name, region="Hidden County")
        if listing:
            Listing.objects.create(person=person, **listing)
        return Credential.objects.create(
            person=person, association=association, category=category, since=date(2021, 1, 1)
        )

    return {
        "ana": holder("Ana Lopez", riverbend, "IFS", region="Addison County", languages=" en es ", accepting="yes"),
        "ben": holder("Ben Okafor", cascade, "IMHS", region="Lane County", languages=" en ", accepting="no"),
        "cy": holder("Cy Park", riverbend, "IMHS"),
        "dee": holder("Dee Quiet", riverbend, "IFS", listed=False),
    }


def test_the_deployment_directory_lists_every_associations_current_holders(
    holders: dict[str, Any], client: Any
) -> None:
    response = client.get(ALL)
    assert names(response) == ["Ana Lopez", "Ben Okafor", "Cy Park"]
    page = response.content.decode()
    assert "Riverbend" in page
    assert "Cascade" in page
    assert response["Cache-Control"] == "public, max-age=300"


@pytest.mark.parametrize(
    "status",
    [CredentialStatus.LAPSED, CredentialStatus.INACTIVE, CredentialStatus.SUSPENDED, CredentialStatus.REVOKED,
     CredentialStatus.ARCHIVED],
)  # fmt: skip
def test_a_holder_who_is_not_current_leaves_the_directory(status: str, holders: dict[str, Any], client: Any) -> None:
    Credential.objects.filter(pk=holders["ana"].pk).update(status=status)
    assert "Ana Lopez" not in names(client.get(ALL))
    listing = client.get(reverse("directory:listing", kwargs={"code": holders["ana"].public_code}))
    assert listing.status_code == 404
    assert "Ana Lopez" not in listing.content.decode()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "okafor"}, ["Ben Okafor"]),
        ({"category": "IMHS"}, ["Ben Okafor", "Cy Park"]),
        ({"region": "addison"}, ["Ana Lopez"]),
        ({"region": "hidden"}, []),  # the profile's region was not chosen for the listing
        ({"language": "es"}, ["Ana Lopez"]),
        ({"language": "en"}, ["Ana Lopez", "Ben Okafor"]),
        ({"accepting": "yes"}, ["Ana Lopez"]),
        ({"language": "xx", "category": "NOPE"}, ["Ana Lopez", "Ben Okafor", "Cy Park"]),  # unknown: ignored
    ],
)
def test_search_filters(params: dict[str, str], expected: list[str], holders: dict[str, Any], client: Any) -> None:
    assert names(client.get(ALL, params)) == expected


def test_the_association_directory_has_the_same_filters(holders: dict[str, Any], client: Any) -> None:
    url = reverse("registry:directory", kwargs={"association_slug": "riverbend"})
    assert names(client.get(url)) == ["Ana Lopez", "Cy Park"]
    assert names(client.get(url, {"language": "es", "accepting": "yes"})) == ["Ana Lopez"]


def test_the_deployment_directory_costs_one_query_with_5_or_50_holders(
    riverbend: Any, cascade: Any, make_person: Callable[..., Any], client: Any
) -> None:
    def grow(n: int) -> None:
        while Credential.objects.count() < n:
            i = Credential.objects.count()
            person = make_person(f"d{i}@example.org", legal_name=f"Person {i:03d}")
            Listing.objects.create(person=person, region=f"Region {i}", languages=" en ")
            Credential.objects.create(person=person, association=riverbend if i % 2 else cascade, category="IFS",
                                      since=date(2020, 1, 1))  # fmt: skip

    assert assert_constant_queries(grow, lambda: client.get(ALL, {"language": "en"})) == 1


def test_keyset_pages_walk_the_whole_directory(riverbend: Any, make_person: Callable[..., Any], client: Any) -> None:
    for i in range(53):
        person = make_person(f"k{i}@example.org", legal_name=f"Person {i:03d}")
        Credential.objects.create(person=person, association=riverbend, category="IFS", since=date(2020, 1, 1))
    first = client.get(ALL, {"category": "IFS"})
    assert len(names(first)) == 50
    more = first.context["more"]
    assert "category=IFS" in more
    second = client.get(f"{ALL}?{more}")
    assert names(second) == ["Person 050", "Person 051", "Person 052"]
    assert second.context["more"] == ""


def test_pages_follow_the_folded_name_and_cover_everyone_once(riverbend: Any, client: Any, db: Any) -> None:
    from attunement.people.models import User

    # 120 holders: accents and case mixed, some sharing a name, one holding two categories.
    spellings = ["Émile Zola", "emile zola", "Ana Núñez", "ana nunez", "Zoë Adams", "Bo Li"]
    people = User.objects.bulk_create(
        User(email=f"page{i}@example.org", legal_name=f"{spellings[i % 6]} {i // 6:02d}").fill_name_keys()
        for i in range(119)
    )
    Credential.objects.bulk_create(
        Credential(person=p, association=riverbend, category="IFS", since=date(2020, 1, 1)) for p in people
    )
    Credential.objects.create(person=people[0], association=riverbend, category="IMHS", since=date(2020, 1, 1))
    seen: list[tuple[str, int, int]] = []
    params: dict[str, str] = {}
    pages = 0
    while True:
        response = client.get(ALL, params)
        pages += 1
        seen += [(c.person.legal_name_key, c.person_id, c.id) for c in response.context["credentials"]]
        if not response.context["more"]:
            break
        assert f'href="?{response.context["more"]}"'.replace("&", "&amp;") in response.content.decode()
        params = {"after": response.context["after"]}
    assert pages == 3  # 50, 50, 20
    assert len(seen) == 120
    assert len(set(seen)) == 120
    assert seen == sorted(seen)  # "ana nunez 00" and "Ana Núñez 00" side by side, by folded name
    assert [key for key, _p, _c in seen[:2]] == ["ana nunez 00", "ana nunez 00"]


@pytest.mark.parametrize("after", ["garbage", "|", "x|1", "x|a|b", "a|1|2|3", "%00|1|1"])
def test_a_malformed_position_starts_at_the_beginning_or_after_it_never_an_error(
    after: str, holders: dict[str, Any], client: Any
) -> None:
    response = client.get(ALL, {"after": after})
    assert response.status_code == 200
    # Every one of these either is no position or sorts before every name: the first page.
    assert names(response) == ["Ana Lopez", "Ben Okafor", "Cy Park"]
    assert response.context["after"] == ""
