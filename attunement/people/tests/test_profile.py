from __future__ import annotations

import importlib
from typing import Any

from django.urls import reverse

from attunement.audit.models import AuditEvent
from attunement.lib.testing import pin_queries
from attunement.people.models import User

URL = reverse("people:profile")


def test_a_person_edits_their_profile_and_only_field_names_are_audited(
    personas: dict[str, Any], client_for: Any
) -> None:
    response = client_for(personas["applicant"]).post(
        URL,
        {
            "legal_name": "Alejandro Rivera Soto",
            "preferred_name": "Alex",
            "pronouns": "they/them",
            "languages": ["es", "en", "ase"],
            "region": "Addison County",
            "preferred_language": "es",
        },
    )
    assert response.status_code == 302
    person = User.objects.get(pk=personas["applicant"].pk)
    assert person.languages == ["es", "en", "ase"]
    assert person.display_name == "Alex"
    event = AuditEvent.objects.get(verb="people.profile.updated")
    assert event.data == {"changed": ["languages", "legal_name", "preferred_name", "pronouns", "region"]}
    assert "Soto" not in str(event.data)


def test_an_unknown_language_is_refused_by_field(personas: dict[str, Any], client_for: Any) -> None:
    response = client_for(personas["applicant"]).post(URL, {"languages": ["klingon"], "preferred_language": "es"})
    assert response.status_code == 400
    assert "languages" in response.context["form"].errors
    assert User.objects.get(pk=personas["applicant"].pk).languages == []


def test_the_profile_page_is_in_the_persons_language_when_they_choose_spanish(
    personas: dict[str, Any], client_for: Any
) -> None:
    client = client_for(personas["applicant"])
    client.post(reverse("set_language"), {"language": "es", "next": URL})
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="es"' in html
    assert "Saltar al contenido principal" in html
    assert "Su perfil" in html


def test_the_profile_page_query_count_is_pinned(personas: dict[str, Any], client_for: Any) -> None:
    client = client_for(personas["applicant"])
    # session, user, staff status.
    with pin_queries(3):
        assert client.get(URL).status_code == 200


def test_a_person_cannot_reach_anothers_profile(personas: dict[str, Any], client_for: Any) -> None:
    # There is no URL with a person's id: the profile page is always the signed-in person's own.
    response = client_for(personas["reviewer"]).get(URL)
    assert response.context["form"].instance == personas["reviewer"]


def test_a_signed_in_person_sees_their_language_unless_they_switch(personas: dict[str, Any], client_for: Any) -> None:
    client = client_for(personas["applicant"])  # prefers Spanish
    del client.cookies["django_language"]
    assert '<html lang="es"' in client.get(URL).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": URL})
    assert '<html lang="en"' in client.get(URL).content.decode()


def test_folded_name_keys_follow_every_save(db: Any) -> None:
    from django.apps import apps

    from attunement.people.models import User

    person = User.objects.create_user("keys@example.org", password=None, legal_name="Renée  O’Brien")
    person.refresh_from_db()
    assert (person.legal_name_key, person.preferred_name_key) == ("renee o brien", "")
    person.preferred_name = "Ré"
    person.save(update_fields=["preferred_name"])
    person.refresh_from_db()
    assert person.preferred_name_key == "re"
    # People from before the keys existed get them from the migration.
    User.objects.filter(pk=person.pk).update(legal_name_key="", preferred_name_key="")
    migration = importlib.import_module("attunement.people.migrations.0003_name_keys")
    migration.fill(apps, None)
    person.refresh_from_db()
    assert (person.legal_name_key, person.preferred_name_key) == ("renee o brien", "re")
    # More people than one page of the migration; bulk_create skips save(), so no keys yet.
    User.objects.bulk_create(User(email=f"bulk{i}@example.org", legal_name=f"Zoë {i}") for i in range(2_500))
    assert User.objects.filter(legal_name_key="").count() == 2_500
    migration.fill(apps, None)
    assert User.objects.filter(legal_name_key="").count() == 0
    assert User.objects.get(email="bulk2499@example.org").legal_name_key == "zoe 2499"
