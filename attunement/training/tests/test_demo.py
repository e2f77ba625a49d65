"""The demo's story: Tom finalises the session Alex attended and Alex's "what do I still
need" page changes without Alex doing anything."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.urls import reverse

from attunement.training.models import Session

pytestmark = pytest.mark.django_db


def load_demo_parts() -> Any:
    from attunement.demo import loader
    from attunement.training.demo import training_demo
    from conftest import ensure_shipped_data

    ensure_shipped_data()
    demo = loader.Demo(rng=random.Random(loader.SEED))
    for part in (loader._operator, loader._associations, loader._personas, loader._members, loader._rule_sets,
                 loader._applicant_portfolio, training_demo, training_demo):  # fmt: skip
        part(demo)
    return demo


def test_the_trainer_finalises_and_alexs_needs_change(client_for: Any) -> None:
    demo = load_demo_parts()
    assert Session.objects.filter(association__slug="riverbend").count() == 4  # loaded once
    alex, tom = demo.personas["applicant"], demo.personas["trainer"]
    needs = reverse("portfolio:needs") + "?category=IMHS"
    before = client_for(alex).get(needs)
    training_before = next(n for n in before.context["needs"] if n.id == "training")
    assert training_before.status == "unmet"
    session = Session.objects.get(finalised_at__isnull=True, course__title="Reflective practice: an introduction")
    trainer = client_for(tom)
    kwargs = {"association_slug": "riverbend", "session_id": session.public_id}
    assert trainer.get(reverse("training_staff:roster", kwargs=kwargs)).status_code == 200
    response = trainer.post(reverse("training_staff:finalise", kwargs=kwargs))
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.finalised_at is not None
    after = client_for(alex).get(needs)
    training_after = next(n for n in after.context["needs"] if n.id == "training")
    assert training_after.status == "met"
    assert training_after.have == training_before.have + 3
    catalog = client_for(None).get(reverse("training:catalog", kwargs={"association_slug": "riverbend"}))
    assert "10-month series" in catalog.content.decode()
