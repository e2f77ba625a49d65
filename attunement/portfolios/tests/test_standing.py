"""Issue 27, item 2: nobody rates themselves. The applicant's own addresses are refused as a
rater; a rating given through the link is "given by an unverified rater" and does not count
until staff verify the rater's standing, unless the rater holds an Endorsement here."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from attunement.audit.models import AuditEvent
from attunement.endorsement.eligibility import judge, portfolio_document
from attunement.endorsement.models import Credential
from attunement.lib.errors import ActionRefused
from attunement.portfolios import actions
from attunement.portfolios.models import RaterStanding, Reference, ReferenceStatus
from attunement.portfolios.selectors import fold_email
from attunement.portfolios.tests.test_references import answers, ask

pytestmark = pytest.mark.django_db

UNVERIFIED = "given by an unverified rater: it counts once staff verify the rater's standing"


def references_requirement(portfolio: Any) -> dict[str, Any]:
    report = judge(portfolio, "IFS").report
    return next(r for r in report["requirements"] if r["id"] == "references")


def rate(token: str, **extra: Any) -> Any:
    return Client().post(reverse("reference_form", kwargs={"token": token}), answers(**extra))


def ask_form(client: Any, email: str) -> Any:
    return client.post(reverse("portfolio:references"), {
        "category": "IFS", "rater_name": "Me Myself", "rater_email": email, "relationship": "colleague",
        "known_months": "24", "waived": "on"})  # fmt: skip


def test_fold_email() -> None:
    assert fold_email("  Alex+Ratings@Example.ORG ") == "alex@example.org"
    assert fold_email("no-at-sign") == "no-at-sign"


def test_the_applicants_own_addresses_are_refused_as_rater(
    personas: dict[str, Any], client_for: Any, applicant_portfolio: Any, django_capture_on_commit_callbacks: Any
) -> None:
    alex = personas["applicant"]
    alex.secondary_email = "alex.home@example.com"
    alex.save(update_fields=["secondary_email"])
    EmailAddress.objects.create(user=alex, email="alex@old-job.example", verified=True, primary=False)
    page = client_for(alex)
    before = Reference.objects.count()
    for own in (alex.email.upper(), "ALEX.HOME@example.com", "alex@Old-Job.example", alex.email.replace("@", "+x@")):
        with django_capture_on_commit_callbacks(execute=True):
            response = ask_form(page, own)
        assert response.status_code == 400
        assert "one of your own email addresses" in " ".join(response.context["form"].errors["rater_email"])
    assert Reference.objects.count() == before
    assert mail.outbox == []
    # Changing a rater to one's own address is refused too.
    sent = Reference.objects.get(portfolio=applicant_portfolio)
    url = reverse("portfolio:change_rater", kwargs={"reference_id": sent.public_id})
    response = page.post(url, {"rater_name": "Me", "rater_email": "Alex.Home@example.com"}, follow=True)
    assert "one of your own email addresses" in response.content.decode()
    sent.refresh_from_db()
    assert sent.rater_email == "jordan@example.org"


def test_a_rating_given_through_the_link_waits_for_staff_to_verify_the_rater(
    personas: dict[str, Any], client_for: Any, applicant_portfolio: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The reproduction: Alex asks a mailbox of theirs that no account lists, rates themselves
    Exemplary and declares IMHM-C. Before the fix the rating and its category counted."""
    alex = client_for(personas["applicant"])
    token = ask(alex, django_capture_on_commit_callbacks, rater_email="alex.private@example.net")
    exemplary = dict.fromkeys(answers(), "4")
    response = Client().post(
        reverse("reference_form", kwargs={"token": token}),
        {**exemplary, "rater_category": "IMHM-C", "rater_since": "2005-01-01"},
    )
    assert response.status_code == 200
    reference = Reference.objects.get(rater_email="alex.private@example.net")
    assert reference.status == ReferenceStatus.COMPLETED
    assert reference.rater_standing == RaterStanding.UNVERIFIED
    [rater] = [r["rater"] for r in portfolio_document(applicant_portfolio)["references"]]
    assert rater["unverified"] is True
    req = references_requirement(applicant_portfolio)
    assert req["progress"]["have"] == 0
    assert req["excluded"] == [{"section": "references", "index": 0, "why": UNVERIFIED}]
    needs = alex.get(reverse("portfolio:needs"))
    [refs] = [n for n in needs.context["needs"] if n.id == "references"]
    assert "1 rating was given by a rater whose standing staff have not verified yet" in refs.next_step
    # Staff see it, and settle it.
    coordinator = client_for(personas["coordinator"])
    detail = reverse("portfolio_staff:detail",
                     kwargs={"association_slug": "riverbend", "portfolio_id": applicant_portfolio.public_id})  # fmt: skip
    page = coordinator.get(detail).content.decode()
    assert "Given by an unverified rater" in page
    assert "Save standing" in page
    url = reverse("portfolio_staff:standing", kwargs={"association_slug": "riverbend",
                  "portfolio_id": applicant_portfolio.public_id, "section": "references",
                  "entry_id": reference.public_id})  # fmt: skip
    assert (
        coordinator.post(
            url, {"decision": "rejected", "reason": "Not in any registry; the applicant's own address"}
        ).status_code
        == 302
    )
    reference.refresh_from_db()
    assert reference.rater_standing == RaterStanding.REJECTED
    assert references_requirement(applicant_portfolio)["progress"]["have"] == 0
    assert AuditEvent.objects.filter(verb="portfolios.reference.standing_rejected").count() == 1


def test_staff_verifying_the_raters_standing_makes_the_rating_count(
    personas: dict[str, Any], client_for: Any, applicant_portfolio: Any, django_capture_on_commit_callbacks: Any
) -> None:
    token = ask(client_for(personas["applicant"]), django_capture_on_commit_callbacks)
    rate(token, rater_category="IMHM-C", rater_since="2005-01-01")
    reference = Reference.objects.get(rater_email="rosa@example.org")
    coordinator = client_for(personas["coordinator"])
    url = reverse("portfolio_staff:standing", kwargs={"association_slug": "riverbend",
                  "portfolio_id": applicant_portfolio.public_id, "section": "references",
                  "entry_id": reference.public_id})  # fmt: skip
    assert coordinator.post(url, {"decision": "verified", "category": "IFS"}).status_code == 302  # no date
    assert Reference.objects.get(pk=reference.pk).rater_standing == RaterStanding.UNVERIFIED
    assert coordinator.post(url, {"decision": "verified", "category": "IFS", "since": "2019-03-01"}).status_code == 302
    reference.refresh_from_db()
    assert reference.rater_standing == RaterStanding.VERIFIED
    assert (reference.rater_category, reference.rater_since) == ("IFS", date(2019, 3, 1))  # the registry's word
    req = references_requirement(applicant_portfolio)
    assert req["progress"]["have"] == 1
    assert req["excluded"] == []
    [event] = AuditEvent.objects.filter(verb="portfolios.reference.standing_verified")
    assert event.actor == personas["coordinator"]
    with pytest.raises(ActionRefused):
        actions.verify_rater_standing(actor=personas["coordinator"], reference=reference, verified=True)
    assert AuditEvent.objects.filter(verb__startswith="portfolios.reference.standing").count() == 1


def test_a_rater_endorsed_here_is_verified_from_the_registry(
    personas: dict[str, Any], client_for: Any, applicant_portfolio: Any, riverbend: Any, make_person: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    rosa = make_person("rosa@example.org", legal_name="Rosa Flores")
    Credential.objects.create(person=rosa, association=riverbend, category="IMHS", since=date(2017, 5, 1))
    token = ask(client_for(personas["applicant"]), django_capture_on_commit_callbacks, rater_email="Rosa@Example.org")
    rate(token, rater_category="IMHM-C", rater_since="2001-01-01")
    reference = Reference.objects.get(rater_email__iexact="rosa@example.org")
    assert reference.rater_standing == RaterStanding.REGISTRY
    assert (reference.rater_category, reference.rater_since) == ("IMHS", date(2017, 5, 1))
    assert references_requirement(applicant_portfolio)["progress"]["have"] == 1
    [event] = AuditEvent.objects.filter(verb="portfolios.reference.completed")
    assert event.data["standing"] == "registry"


def test_an_address_added_after_asking_cannot_give_the_rating(
    personas: dict[str, Any], client_for: Any, applicant_portfolio: Any, django_capture_on_commit_callbacks: Any
) -> None:
    token = ask(client_for(personas["applicant"]), django_capture_on_commit_callbacks)
    alex = personas["applicant"]
    alex.secondary_email = "rosa@example.org"
    alex.save(update_fields=["secondary_email"])
    response = rate(token)
    assert response.status_code == 409
    assert Reference.objects.get(rater_email="rosa@example.org").status != ReferenceStatus.COMPLETED
