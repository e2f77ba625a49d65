"""The demo part shows the issue's 'done when', and running it twice changes nothing."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils import timezone

from attunement.demo.loader import Demo
from attunement.portfolios.models import RSC
from attunement.rsc.demo import PROVIDER_EMAIL, SUPERVISEE_EMAIL, rsc_demo
from attunement.rsc.models import Group, Meeting, Programme


def test_the_demo_part_shows_the_done_when_and_runs_twice(
    personas: dict[str, Any], riverbend: Any, applicant_portfolio: Any, make_person: Callable[..., Any],
    client_for: Callable[..., Any],
) -> None:  # fmt: skip
    from attunement.credentials.tests.fixtures import holder_credential

    holder_credential(personas["reviewer"], riverbend, category="IMHS")  # as the demo's earlier parts give Keisha
    members = [make_person(f"m{i}@riverbend-members.example", legal_name=f"Member {i}") for i in range(12)]
    demo = Demo(rng=random.Random(1), associations={"riverbend": riverbend}, personas=dict(personas),
                members={"riverbend": members})  # fmt: skip
    rsc_demo(demo)
    counts = (Programme.objects.count(), Group.objects.count(), Meeting.objects.count(), RSC.objects.count())
    rsc_demo(demo)
    assert (Programme.objects.count(), Group.objects.count(), Meeting.objects.count(), RSC.objects.count()) == counts
    assert counts[1] == 23
    assert counts[2] == 5
    group = Group.objects.filter(provider__person__email=PROVIDER_EMAIL, memberships__isnull=False).distinct().get()
    kwargs = {"association_slug": "riverbend", "group_id": group.public_id}
    # Robin aims at IMHS and is warned before joining the IFRS provider's group.
    robin = client_for(personas["applicant"].__class__.objects.get(email=SUPERVISEE_EMAIL))
    assert "will not count toward IMHS" in robin.get(reverse("rsc:join", kwargs=kwargs)).content.decode()
    # The provider records today's meeting; Alex's ledger and 'what do I still need' follow.
    alex = client_for(personas["applicant"])
    before = alex.get(reverse("rsc_me:ledger")).context["ledger"].need.have
    jordan = client_for(group.provider.person)
    present = [str(m.public_id) for m in group.memberships.all()]
    response = jordan.post(reverse("rsc:attendance", kwargs=kwargs),
                           {"date": timezone.localdate().isoformat(), "hours": "1.5", "present": present})  # fmt: skip
    assert response.status_code == 302
    assert alex.get(reverse("rsc_me:ledger")).context["ledger"].need.have == before + 1.5
    [needs] = [n for n in alex.get(reverse("portfolio:needs")).context["needs"] if n.id == "rsc"]
    assert needs.have == before + 1.5
