"""A holder's listing page shows name, category, status, dates and only what they chose; the
holder chooses on "my listing"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from django.urls import reverse

from attunement.audit.models import AuditEvent
from attunement.credentials.tests.fixtures import holder_credential
from attunement.lib.testing import pin_queries
from attunement.registry.models import Listing

MINE = reverse("registry_me:listing")


@pytest.fixture
def alex(personas: dict[str, Any]) -> Any:
    person = personas["applicant"]
    person.region = "Chittenden County"
    person.languages = ["en", "es"]
    person.save(update_fields=["region", "languages"])
    return person


def test_the_listing_shows_only_what_the_holder_chose(alex: Any, riverbend: Any, client: Any) -> None:
    credential = holder_credential(alex, riverbend)
    url = reverse("directory:listing", kwargs={"code": credential.public_code})
    page = client.get(url).content.decode()
    assert "Alex Rivera" in page
    assert "Infant Family Specialist (IFS)" in page
    assert "Active" in page
    assert "Chittenden" not in page  # in the profile, not chosen for the listing
    assert "applicant@example.org" not in page
    Listing.objects.create(person=alex, region="Chittenden County", contact_email="alex@practice.example",
                           accepting="yes", focus="Home visiting with families of newborns.")  # fmt: skip
    with pin_queries(1):
        response = client.get(url)
    page = response.content.decode()
    assert "Chittenden County" in page
    assert "alex@practice.example" in page
    assert "Accepting new clients" in page
    assert "Home visiting" in page


@pytest.mark.parametrize("code", ["NOSUCHCODE", "..", "x" * 300, "ÄÖÜ", "%00", "' OR 1=1 --"])
def test_an_unknown_or_odd_code_is_a_plain_404(code: str, db: Any, client: Any) -> None:
    response = client.get(f"/directory/{quote(code, safe='')}/")
    assert response.status_code == 404
    assert "Not in the directory" in response.content.decode()


def test_my_listing_starts_from_the_profile_and_saves_with_one_audit_event(
    alex: Any, client_for: Callable[..., Any]
) -> None:
    client = client_for(alex)
    form = client.get(MINE).context["form"]
    assert form.initial["region"] == "Chittenden County"
    assert form.initial["languages"] == ["en", "es"]
    response = client.post(MINE, {"listed": "on", "region": " Chittenden   County ", "languages": ["es"],
                                  "accepting": "no", "contact_url": "https://practice.example/alex"})  # fmt: skip
    assert response.status_code == 302
    listing = Listing.objects.get(person=alex)
    assert (listing.region, listing.languages, listing.accepting) == ("Chittenden County", " es ", "no")
    assert AuditEvent.objects.filter(verb="registry.listing.saved").count() == 1
    assert client.get(MINE).context["form"].initial["languages"] == ["es"]


def test_bad_input_is_named_and_nothing_is_saved(alex: Any, client_for: Callable[..., Any]) -> None:
    response = client_for(alex).post(MINE, {"contact_email": "not an address", "languages": ["klingon"]})
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"contact_email", "languages"}
    assert not Listing.objects.exists()
    assert not AuditEvent.objects.filter(verb="registry.listing.saved").exists()


def test_unlisting_takes_the_holder_out_but_verification_still_answers(
    alex: Any, riverbend: Any, client_for: Callable[..., Any], client: Any
) -> None:
    credential = holder_credential(alex, riverbend)
    client_for(alex).post(MINE, {"region": "x"})  # "listed" unticked
    assert client.get(reverse("directory:listing", kwargs={"code": credential.public_code})).status_code == 404
    assert client.get(reverse("verify", kwargs={"code": credential.public_code})).status_code == 200
