"""The private calendar feed: its owner rotates or revokes the address (audited), and the
old address then answers 404."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from attunement.audit.models import AuditEvent
from attunement.lib.errors import ActionRefused
from attunement.lib.testing import race
from attunement.training import feeds
from attunement.training.me_views import feed_token


def feed_url(token: str) -> str:
    return reverse("training_me:feed", kwargs={"token": token})


def shown_address(client: Client) -> str:
    """The feed path the transcript page shows, or "" when it shows none."""
    page = client.get(reverse("training_me:transcript"))
    assert page.status_code == 200
    url: str = page.context["feed_url"]
    return urlsplit(url).path if url else ""


@pytest.mark.django_db
def test_the_owner_rotates_the_address_and_the_old_one_answers_404(personas: dict[str, Any], client_for: Any) -> None:
    alex = personas["applicant"]
    client = client_for(alex)
    old = shown_address(client)
    assert old == feed_url(feed_token(alex) or "")
    assert Client().get(old).status_code == 200

    response = client.post(reverse("training_me:rotate_feed"))
    assert response.status_code == 302
    new = shown_address(client)
    assert new
    assert new != old
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 200
    [event] = AuditEvent.objects.filter(verb="training.feed.rotated")
    assert event.actor == alex

    # A second rotation retires the second address too.
    client.post(reverse("training_me:rotate_feed"))
    assert Client().get(new).status_code == 404
    assert AuditEvent.objects.filter(verb="training.feed.rotated").count() == 2


@pytest.mark.django_db
def test_the_owner_revokes_the_address_and_no_address_works_until_a_new_one(
    personas: dict[str, Any], client_for: Any
) -> None:
    alex = personas["applicant"]
    client = client_for(alex)
    old = shown_address(client)
    client.post(reverse("training_me:rotate_feed"))
    rotated = shown_address(client)

    client.post(reverse("training_me:revoke_feed"))
    assert shown_address(client) == ""
    assert feed_token(alex) is None
    assert "turned off" in client.get(reverse("training_me:transcript")).content.decode()
    assert Client().get(old).status_code == 404  # the first, unsigned-secret address stays dead too
    assert Client().get(rotated).status_code == 404
    assert AuditEvent.objects.filter(verb="training.feed.revoked", actor=alex).count() == 1

    # Revoking again changes nothing and says so; no second event.
    with pytest.raises(ActionRefused):
        feeds.revoke_calendar_feed(actor=alex)
    assert AuditEvent.objects.filter(verb="training.feed.revoked").count() == 1

    client.post(reverse("training_me:rotate_feed"))
    fresh = shown_address(client)
    assert fresh not in {"", old, rotated}
    assert Client().get(fresh).status_code == 200


@pytest.mark.django_db
def test_revoking_the_first_address_works_without_a_rotation_first(personas: dict[str, Any], client_for: Any) -> None:
    alex = personas["applicant"]
    client = client_for(alex)
    old = shown_address(client)
    client.post(reverse("training_me:revoke_feed"))
    assert Client().get(old).status_code == 404
    assert AuditEvent.objects.filter(verb="training.feed.revoked").count() == 1


@pytest.mark.django_db
def test_one_persons_rotation_leaves_anothers_address_alone(personas: dict[str, Any], client_for: Any) -> None:
    others = Client().get(feed_url(feed_token(personas["reviewer"]) or ""))
    assert others.status_code == 200
    client_for(personas["applicant"]).post(reverse("training_me:rotate_feed"))
    assert Client().get(feed_url(feed_token(personas["reviewer"]) or "")).status_code == 200


@pytest.mark.django_db
def test_a_rotated_token_cannot_be_forged_from_the_first(personas: dict[str, Any]) -> None:
    alex = personas["applicant"]
    feeds.rotate_calendar_feed(actor=alex)
    assert feeds.person_for_token(feed_token(alex) or "") == alex
    assert feeds.person_for_token(f"{alex.public_id}.guess:forged") is None
    assert feeds.person_for_token("not-a-token") is None


@pytest.mark.django_db(transaction=True)
def test_two_revocations_at_once_one_wins(personas: dict[str, Any]) -> None:
    alex = personas["applicant"]
    feeds.rotate_calendar_feed(actor=alex)
    outcome = race(lambda: feeds.revoke_calendar_feed(actor=alex), lambda: feeds.revoke_calendar_feed(actor=alex))
    assert len(outcome.results) == 1
    assert [type(e) for e in outcome.errors] == [ActionRefused]
    assert AuditEvent.objects.filter(verb="training.feed.revoked").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_first_rotations_at_once_both_end_with_one_row_and_the_last_address(personas: dict[str, Any]) -> None:
    from attunement.training.models import CalendarFeed

    alex = personas["applicant"]
    outcome = race(lambda: feeds.rotate_calendar_feed(actor=alex), lambda: feeds.rotate_calendar_feed(actor=alex))
    assert not outcome.errors
    assert CalendarFeed.objects.filter(person=alex).count() == 1
    assert AuditEvent.objects.filter(verb="training.feed.rotated").count() == 2
    assert feeds.person_for_token(feed_token(alex) or "") == alex
