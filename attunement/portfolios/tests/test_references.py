"""Reference ratings: a signed, expiring link; no account; statuses; resend and change; waived."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from attunement.audit.models import AuditEvent
from attunement.lib.testing import race
from attunement.portfolios import actions
from attunement.portfolios.models import Reference, ReferenceStatus

DOMAINS_8 = [
    "theoretical-foundations", "law-regulation-policy", "systems-expertise", "direct-service-skills",
    "working-with-others", "communicating", "thinking", "reflection",
]  # fmt: skip


def ask(client: Client, capture: Any, **overrides: Any) -> str:
    data = {"category": "IFS", "rater_name": "Rosa Flores", "rater_email": "rosa@example.org",
            "relationship": "rsc_provider", "known_months": "18", "waived": "on", **overrides}  # fmt: skip
    with_mail = len(mail.outbox)
    with capture(execute=True):
        assert client.post(reverse("portfolio:references"), data).status_code == 302
    assert len(mail.outbox) == with_mail + 1
    link = re.search(r"https?://\S+/reference/(\S+)/", str(mail.outbox[-1].body))
    assert link is not None
    return link.group(1)


def answers(insufficient: int = 0, **extra: str) -> dict[str, str]:
    data = {f"domain-{slug}": ("insufficient" if i < insufficient else "3") for i, slug in enumerate(DOMAINS_8)}
    data.update(extra)
    return data


@pytest.fixture
def client_(
    personas: dict[str, Any], client_for: Any, applicant_portfolio: Any, django_capture_on_commit_callbacks: Any
) -> Client:
    return client_for(personas["applicant"])


def test_a_rater_answers_through_the_link_without_an_account(
    client_: Client, applicant_portfolio: Any, django_capture_on_commit_callbacks: Any
) -> None:
    token = ask(client_, django_capture_on_commit_callbacks)
    reference = Reference.objects.get(rater_email="rosa@example.org")
    assert reference.status == ReferenceStatus.SENT
    rater = Client()
    form = rater.get(reverse("reference_form", kwargs={"token": token}))
    assert form.status_code == 200
    reference.refresh_from_db()
    assert reference.status == ReferenceStatus.OPENED
    done = rater.post(
        reverse("reference_form", kwargs={"token": token}), answers(2, rater_category="IMHS", rater_since="2018-01-01")
    )
    assert done.status_code == 200
    reference.refresh_from_db()
    assert reference.status == ReferenceStatus.COMPLETED
    assert reference.insufficient_info_count == 2
    assert reference.rater_category == "IMHS"
    # The link is spent.
    assert rater.get(reverse("reference_form", kwargs={"token": token})).status_code == 410


def test_six_not_enough_information_answers_invalidate_the_rating(
    client_: Client, applicant_portfolio: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from attunement.endorsement.eligibility import judge

    token = ask(client_, django_capture_on_commit_callbacks)
    Client().post(reverse("reference_form", kwargs={"token": token}), answers(6))
    report = judge(applicant_portfolio, "IFS").report
    refs = next(r for r in report["requirements"] if r["id"] == "references")
    assert refs["excluded"] == [
        {"section": "references", "index": 0, "why": "6 or more items answered 'not enough information'"}
    ]


def test_every_item_needs_an_answer(client_: Client, django_capture_on_commit_callbacks: Any) -> None:
    token = ask(client_, django_capture_on_commit_callbacks)
    data = answers()
    del data["domain-thinking"]
    response = Client().post(reverse("reference_form", kwargs={"token": token}), data)
    assert response.status_code == 400
    assert "thinking" in response.context["errors"]
    assert Reference.objects.get(rater_email="rosa@example.org").status == ReferenceStatus.OPENED


def test_resending_makes_the_old_link_dead(client_: Client, django_capture_on_commit_callbacks: Any) -> None:
    old = ask(client_, django_capture_on_commit_callbacks)
    reference = Reference.objects.get(rater_email="rosa@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client_.post(reverse("portfolio:resend_reference", kwargs={"reference_id": reference.public_id}))
    new = re.search(r"/reference/(\S+)/", str(mail.outbox[-1].body))
    assert new is not None
    assert Client().get(reverse("reference_form", kwargs={"token": old})).status_code == 410
    assert Client().get(reverse("reference_form", kwargs={"token": new.group(1)})).status_code == 200


def test_changing_the_rater_sends_to_the_new_one(client_: Client, django_capture_on_commit_callbacks: Any) -> None:
    ask(client_, django_capture_on_commit_callbacks)
    reference = Reference.objects.get(rater_email="rosa@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_.post(
            reverse("portfolio:change_rater", kwargs={"reference_id": reference.public_id}),
            {"rater_name": "Ana Díaz", "rater_email": "ana@example.org"},
        )
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["ana@example.org"]
    reference.refresh_from_db()
    assert (reference.rater_name, reference.status) == ("Ana Díaz", ReferenceStatus.SENT)


def test_an_expired_or_forged_link_is_refused(applicant_portfolio: Any, settings: Any) -> None:
    reference = applicant_portfolio.references.get()
    forged = signing.dumps({"r": str(reference.public_id), "n": reference.link_nonce}, salt="something else")
    assert Client().get(reverse("reference_form", kwargs={"token": forged})).status_code == 410
    token = actions.reference_token(reference)
    original = actions.REFERENCE_LINK_MAX_AGE
    try:
        actions.REFERENCE_LINK_MAX_AGE = -1
        response = Client().get(reverse("reference_form", kwargs={"token": token}))
    finally:
        actions.REFERENCE_LINK_MAX_AGE = original
    assert response.status_code == 410
    assert "expired" in response.context["message"]


def test_the_applicant_sees_a_rating_they_did_not_waive(client_: Client, applicant_portfolio: Any) -> None:
    reference = applicant_portfolio.references.get()
    Reference.objects.filter(pk=reference.pk).update(waived=False)
    actions.complete_reference(reference=reference, answers={"thinking": "3"}, narrative="Open words about Alex.",
                               rater_category="", rater_since=None)  # fmt: skip
    html = client_.get(reverse("portfolio:references")).content.decode()
    assert "Open words about Alex." in html
    assert "Competent" in html


def test_the_applicant_never_sees_a_waived_ratings_content(client_: Client, applicant_portfolio: Any) -> None:
    reference = applicant_portfolio.references.get()
    actions.complete_reference(reference=reference, answers={"thinking": "insufficient"}, narrative="Private words about Alex.",
                               rater_category="", rater_since=None)  # fmt: skip
    html = client_.get(reverse("portfolio:references")).content.decode()
    assert "Private words about Alex." not in html
    assert "Waived" in html


@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_one_stands(applicant_portfolio: Any) -> None:
    reference = applicant_portfolio.references.get()

    def submit(narrative: str) -> Any:
        return actions.complete_reference(reference=Reference.objects.get(pk=reference.pk), answers={}, narrative=narrative,
                                          rater_category="", rater_since=None)  # fmt: skip

    outcome = race(lambda: submit("first"), lambda: submit("second"))
    assert len(outcome.results) == 1
    assert [type(e) for e in outcome.errors] == [actions.ActionRefused]
    assert AuditEvent.objects.filter(verb="portfolios.reference.completed").count() == 1


def test_staff_record_a_bounce_and_the_applicant_sees_it(
    personas: dict[str, Any], client_for: Any, applicant_portfolio: Any
) -> None:
    reference = applicant_portfolio.references.get()
    url = reverse(
        "portfolio_staff:reference_bounced",
        kwargs={
            "association_slug": "riverbend",
            "portfolio_id": applicant_portfolio.public_id,
            "reference_id": reference.public_id,
        },
    )
    assert client_for(personas["coordinator"]).post(url).status_code == 302
    reference.refresh_from_db()
    assert reference.status == ReferenceStatus.BOUNCED
    assert "Email bounced" in client_for(personas["applicant"]).get(reverse("portfolio:references")).content.decode()
