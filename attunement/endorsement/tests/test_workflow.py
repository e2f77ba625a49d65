"""The application path: registration to Endorsement, review by consensus, races, exam."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from attunement.associations.models import Role
from attunement.audit.models import AuditEvent
from attunement.endorsement.actions.application import (
    answer_clarification,
    ask_clarification,
    check_completeness,
    register_application,
    relay_clarification,
    submit_application,
)
from attunement.endorsement.actions.exam import (
    assign_readers,
    choose_window,
    new_sitting,
    record_part1,
    score_part2,
    submit_part2,
)
from attunement.endorsement.actions.review import assign_reviewers, decide, save_review
from attunement.endorsement.matching import reviewer_candidates
from attunement.endorsement.models import (
    Application,
    Assignment,
    Clarification,
    Credential,
    Decision,
    ExamSitting,
    Outcome,
    Part2Score,
    ReviewerProfile,
    State,
)
from attunement.lib.errors import ActionRefused
from attunement.lib.testing import pin_queries, race
from attunement.payments.actions import record_payment
from attunement.payments.models import Invoice, InvoiceStatus
from attunement.portfolios.models import Education, Reference, ReferenceStatus


def pay_all(application: Application, staff: Any) -> None:
    for invoice in Invoice.objects.filter(billed_to=application.portfolio.person, status=InvoiceStatus.OPEN):
        record_payment(actor=staff, invoice=invoice, method="cheque", amount=invoice.total, reference="1001")


def under_review(ready: Any, personas: dict[str, Any]) -> Application:
    alex, coordinator = personas["applicant"], personas["coordinator"]
    application = register_application(actor=alex, portfolio=ready, category="IFS", residency_attested=True)
    pay_all(application, coordinator)
    application = submit_application(actor=alex, application=Application.objects.get(pk=application.pk))
    pay_all(application, coordinator)
    return check_completeness(actor=coordinator, application=application, complete=True)


def test_from_registration_to_endorsed(
    ready: Any, personas: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    alex, coordinator, reviewer = personas["applicant"], personas["coordinator"], personas["reviewer"]
    with django_capture_on_commit_callbacks(execute=True):
        application = register_application(actor=alex, portfolio=ready, category="IFS", residency_attested=True)
        assert application.state == State.REGISTERED
        invoice = Invoice.objects.get(billed_to=alex, status=InvoiceStatus.OPEN)
        assert invoice.total == Decimal("25.00")
        record_payment(actor=coordinator, invoice=invoice, method="cheque", amount=Decimal("25.00"), reference="1001")
        application.refresh_from_db()
        assert application.state == State.IN_PROGRESS
        application = submit_application(actor=alex, application=application)
        assert application.state == State.SUBMITTED
        assert application.rule_set is not None
        assert application.rule_set.key == "alliance-2025"
        assert application.submission_report["eligible"] is True
        with pytest.raises(ActionRefused, match="processing fee"):
            check_completeness(actor=coordinator, application=application, complete=True)
        pay_all(application, coordinator)
        application = check_completeness(actor=coordinator, application=application, complete=True)
        assert (application.state, application.review_round) == (State.UNDER_REVIEW, 1)
        [assignment] = assign_reviewers(actor=coordinator, application=application)
        assert assignment.reviewer == reviewer
        message = save_review(actor=reviewer, assignment=assignment, checklist={"reflection": "met"}, comments="Strong work.",
                                      recommendation=Outcome.ENDORSE, submit=True)  # fmt: skip
    assert "agree" in message
    application.refresh_from_db()
    assert application.state == State.ENDORSED
    credential = Credential.objects.get(person=alex)
    assert (credential.category, credential.status, len(credential.public_code)) == ("IFS", "active", 10)
    assert Decision.objects.get(application=application).basis == "consensus"
    # Every step left one audit event on the application, and the applicant heard of each in Spanish.
    verbs = list(AuditEvent.objects.filter(target_id=str(application.public_id)).values_list("verb", flat=True))
    for verb in ["registered", "started", "submitted", "review_started", "decided.endorse"]:
        assert f"endorsement.application.{verb}" in verbs
    to_alex = [m for m in mail.outbox if m.to == [alex.email]]
    assert any("Decisión" in m.subject or "decisión" in m.body for m in to_alex)


def test_the_submission_report_is_eligible_but_for_nothing(ready: Any, personas: dict[str, Any]) -> None:
    application = under_review(ready, personas)
    unmet = [r["id"] for r in application.submission_report["requirements"] if r["status"] == "unmet"]
    assert unmet == []


def test_submission_waits_for_transcripts_and_ratings(ready: Any, personas: dict[str, Any]) -> None:
    Education.objects.create(portfolio=ready, level="master", conferred=date(2020, 5, 1))
    Reference.objects.create(portfolio=ready, category="IFS", rater_name="Late", rater_email="late@example.org",
                             relationship="trainer", status=ReferenceStatus.SENT)  # fmt: skip
    application = register_application(
        actor=personas["applicant"], portfolio=ready, category="IFS", residency_attested=True
    )
    pay_all(application, personas["coordinator"])
    application.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        submit_application(actor=personas["applicant"], application=application)
    text = " ".join(caught.value.messages)
    assert "verify the transcript" in text
    assert "not completed yet" in text
    application.refresh_from_db()
    assert application.state == State.IN_PROGRESS


def test_reviewers_with_a_conflict_or_no_standing_are_excluded(
    ready: Any, personas: dict[str, Any], make_person: Any, riverbend: Any
) -> None:
    application = under_review(ready, personas)
    others = {}
    for key, employer, category, trained in [("provider", "", "IMHS", True), ("colleague", "Family Center", "IMHS", True),
                                              ("junior", "", "IFA", True), ("untrained", "", "IMHS", False)]:  # fmt: skip
        person = make_person(f"{key}@example.org", roles=(Role.REVIEWER,), association=riverbend)
        ReviewerProfile.objects.create(association=riverbend, user=person, trained=trained, employer=employer)
        Credential.objects.create(person=person, association=riverbend, category=category, since=date(2015, 1, 1))
        others[key] = person
    from attunement.portfolios.models import RSC

    RSC.objects.filter(portfolio=ready).update(provider_email="provider@example.org")
    reasons = {c.user.email: c.excluded for c in reviewer_candidates(application)}
    assert "RS/C provider" in reasons["provider@example.org"]
    assert "same employer" in reasons["colleague@example.org"]
    assert "IFS or higher" in reasons["junior@example.org"]
    assert "training" in reasons["untrained@example.org"]
    assert reasons[personas["reviewer"].email] == ""
    with pytest.raises(ActionRefused, match="may not review"):
        assign_reviewers(actor=personas["coordinator"], application=application, reviewers=[others["provider"]])


def test_the_least_busy_eligible_reviewer_is_chosen(
    ready: Any, personas: dict[str, Any], make_person: Any, riverbend: Any
) -> None:
    application = under_review(ready, personas)
    second = make_person("second.reviewer@example.org", roles=(Role.REVIEWER,), association=riverbend)
    ReviewerProfile.objects.create(association=riverbend, user=second, trained=True)
    Credential.objects.create(person=second, association=riverbend, category="IMHM-C", since=date(2015, 1, 1))
    busy = Application.objects.create(portfolio=ready, association=riverbend, category="IMHS", state=State.UNDER_REVIEW)
    Assignment.objects.create(application=busy, reviewer=personas["reviewer"])
    [assignment] = assign_reviewers(actor=personas["coordinator"], application=application)
    assert assignment.reviewer == second


def test_disagreement_goes_to_the_coordinator(
    ready: Any, personas: dict[str, Any], make_person: Any, riverbend: Any
) -> None:
    riverbend.policy.reviewers_per_application = 2
    riverbend.policy.save(update_fields=["reviewers_per_application"])
    second = make_person("second.reviewer@example.org", roles=(Role.REVIEWER,), association=riverbend)
    ReviewerProfile.objects.create(association=riverbend, user=second, trained=True)
    Credential.objects.create(person=second, association=riverbend, category="IMHS", since=date(2015, 1, 1))
    application = under_review(ready, personas)
    first_a, second_a = assign_reviewers(actor=personas["coordinator"], application=application)
    save_review(
        actor=first_a.reviewer,
        assignment=first_a,
        checklist={},
        comments="",
        recommendation=Outcome.ENDORSE,
        submit=True,
    )
    message = save_review(actor=second_a.reviewer, assignment=second_a, checklist={}, comments="More RS/C.",
                                  recommendation=Outcome.DEFER, submit=True)  # fmt: skip
    assert "disagree" in message
    application.refresh_from_db()
    assert application.state == State.UNDER_REVIEW
    with pytest.raises(ValidationError):
        decide(actor=personas["coordinator"], application=application, outcome=Outcome.DEFER, basis="coordinator")
    decide(actor=personas["coordinator"], application=application, outcome=Outcome.DEFER, basis="coordinator",
                   feedback="Please add RS/C with one provider.")  # fmt: skip
    application.refresh_from_db()
    assert (application.state, application.feedback) == (State.IN_PROGRESS, "Please add RS/C with one provider.")


@pytest.mark.django_db(transaction=True)
def test_two_people_deciding_at_once_one_decision_stands(ready: Any, personas: dict[str, Any]) -> None:
    application = under_review(ready, personas)

    def decide_as(actor: Any, outcome: str) -> Any:
        return decide(
            actor=actor, application=Application.objects.get(pk=application.pk), outcome=outcome, basis="coordinator"
        )

    outcome = race(
        lambda: decide_as(personas["coordinator"], Outcome.ENDORSE),
        lambda: decide_as(personas["admin"], Outcome.ON_HOLD),
    )
    assert len(outcome.results) == 1
    assert [type(e) for e in outcome.errors] == [ActionRefused]
    assert "already recorded the decision" in str(outcome.errors[0])
    assert Decision.objects.filter(application=application).count() == 1
    assert Application.objects.get(pk=application.pk).state in {State.ENDORSED, State.ON_HOLD}


def test_a_clarification_goes_out_through_the_coordinator_and_comes_back(ready: Any, personas: dict[str, Any]) -> None:
    application = under_review(ready, personas)
    [assignment] = assign_reviewers(actor=personas["coordinator"], application=application)
    question = ask_clarification(actor=personas["reviewer"], application=application, question="Which families?")
    with pytest.raises(ActionRefused):
        ask_clarification(actor=personas["trainer"], application=application, question="?")
    with pytest.raises(ActionRefused):
        answer_clarification(actor=personas["applicant"], clarification=question, answer="Too early")
    relay_clarification(actor=personas["coordinator"], clarification=question)
    answer_clarification(actor=personas["applicant"], clarification=question, answer="Eighteen families in Addison.")
    question.refresh_from_db()
    assert question.answer == "Eighteen families in Addison."
    assert assignment.application_id == application.pk


def test_the_exam_is_scored_blind_by_two_readers_and_a_third_when_they_disagree(
    ready: Any, personas: dict[str, Any], make_person: Any
) -> None:
    application = under_review(ready, personas)
    decide(
        actor=personas["coordinator"], application=application, outcome=Outcome.APPROVE_FOR_EXAM, basis="coordinator"
    )
    sitting = ExamSitting.objects.get(application=application)
    assert sitting.approved_until == timezone.localdate() + timedelta(days=365)
    submit_part2(actor=personas["applicant"], sitting=sitting, answers=["First vignette.", "Second vignette."])
    # Readers come from the trained reviewer pool (issue 28.2; see test_integrity.py).
    riverbend = application.association
    readers = [personas["reviewer"]]
    for email in ("reader2@example.org", "reader3@example.org"):
        readers.append(make_person(email, roles=(Role.REVIEWER,), association=riverbend))
        ReviewerProfile.objects.create(association=riverbend, user=readers[-1], trained=True)
        Credential.objects.create(person=readers[-1], association=riverbend, category="IMHS", since=date(2015, 1, 1))
    assign_readers(actor=personas["coordinator"], sitting=sitting, readers=readers[:2])
    with pytest.raises(ValidationError, match="their own answers"):
        assign_readers(actor=personas["coordinator"], sitting=sitting, readers=[personas["applicant"]])
    first, second = Part2Score.objects.filter(sitting=sitting)
    score_part2(actor=first.reader, score=first, rubric={"reflection": 3}, passed=True, comments="Thoughtful.")
    assert "third reader" in score_part2(
        actor=second.reader, score=second, rubric={"reflection": 2}, passed=False, comments=""
    )
    assign_readers(actor=personas["coordinator"], sitting=sitting, readers=readers[2:], third=True)
    third = Part2Score.objects.get(sitting=sitting, third_reader=True)
    score_part2(actor=third.reader, score=third, rubric={"reflection": 3}, passed=True, comments="")
    sitting.refresh_from_db()
    assert sitting.part2_passed is True
    record_part1(
        actor=personas["coordinator"], sitting=sitting, percent=Decimal("80.00"), taken_on=timezone.localdate()
    )
    application.refresh_from_db()
    assert application.state == State.ENDORSED
    assert "Thoughtful." in ExamSitting.objects.get(pk=sitting.pk).feedback


def test_a_failed_exam_waits_for_a_retake(ready: Any, personas: dict[str, Any]) -> None:
    application = under_review(ready, personas)
    decide(
        actor=personas["coordinator"], application=application, outcome=Outcome.APPROVE_FOR_EXAM, basis="coordinator"
    )
    sitting = ExamSitting.objects.get(application=application)
    ExamSitting.objects.filter(pk=sitting.pk).update(part2_passed=True)
    sitting.refresh_from_db()
    record_part1(
        actor=personas["coordinator"], sitting=sitting, percent=Decimal("79.99"), taken_on=timezone.localdate()
    )
    application.refresh_from_db()
    assert application.state == State.APPROVED_FOR_EXAM
    assert "sit it again from" in ExamSitting.objects.get(pk=sitting.pk).feedback
    with pytest.raises(ActionRefused, match="retake is possible from"):
        new_sitting(actor=personas["coordinator"], application=application)


def test_a_waiver_needs_a_reason_and_settles_the_fee(ready: Any, personas: dict[str, Any]) -> None:
    application = register_application(
        actor=personas["applicant"], portfolio=ready, category="IFS", residency_attested=True
    )
    invoice = Invoice.objects.get(billed_to=personas["applicant"], status=InvoiceStatus.OPEN)
    with pytest.raises(ValidationError) as caught:
        record_payment(actor=personas["coordinator"], invoice=invoice, method="waiver", amount=Decimal("25.00"))
    assert "reason" in caught.value.message_dict
    record_payment(
        actor=personas["coordinator"],
        invoice=invoice,
        method="waiver",
        amount=Decimal("25.00"),
        reason="PDG scholarship",
    )
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.WAIVED
    application.refresh_from_db()
    assert application.state == State.IN_PROGRESS


def test_the_queue_costs_the_same_with_5_and_50_applications(
    ready: Any, personas: dict[str, Any], client_for: Any, make_person: Any, riverbend: Any
) -> None:
    from attunement.lib.testing import assert_constant_queries
    from attunement.portfolios.models import Portfolio

    def grow(n: int) -> None:
        while Application.objects.count() < n:
            person = make_person(f"a{Application.objects.count()}@example.org")
            portfolio = Portfolio.objects.create(person=person, association=riverbend)
            Application.objects.create(
                portfolio=portfolio, association=riverbend, category="IFA", state=State.SUBMITTED
            )

    client = client_for(personas["coordinator"])
    url = reverse("endorsement_staff:queue", kwargs={"association_slug": "riverbend"})
    # session, user, staff status, association+policy, roles, the page of applications, the counts per state.
    assert assert_constant_queries(grow, lambda: client.get(url)) == 7
    with pin_queries(7):
        client.get(url, {"state": "submitted", "category": "IFA"})


def test_an_agency_pays_one_invoice_for_several_staff(
    ready: Any, personas: dict[str, Any], make_person: Any, riverbend: Any
) -> None:
    from attunement.payments.actions import combine_for_agency
    from attunement.portfolios.models import Portfolio

    staff = [make_person(f"visitor{i}@example.org") for i in range(3)]
    for person in staff:
        register_application(
            actor=person,
            portfolio=Portfolio.objects.create(person=person, association=riverbend),
            category="IFS",
            residency_attested=True,
        )
    invoices = list(Invoice.objects.filter(billed_to__in=staff))
    combined = combine_for_agency(actor=personas["coordinator"], association=riverbend, invoices=invoices, contact=personas["admin"],
                                  agency="Addison County Parent Child Center")  # fmt: skip
    assert combined.total == Decimal("75.00")
    assert set(Invoice.objects.filter(pk__in=[i.pk for i in invoices]).values_list("status", flat=True)) == {
        InvoiceStatus.VOID
    }
    record_payment(
        actor=personas["coordinator"], invoice=combined, method="cheque", amount=Decimal("75.00"), reference="4471"
    )
    assert set(Application.objects.filter(portfolio__person__in=staff).values_list("state", flat=True)) == {
        State.IN_PROGRESS
    }
    with pytest.raises(ValidationError):
        combine_for_agency(
            actor=personas["coordinator"],
            association=riverbend,
            invoices=[combined],
            contact=personas["admin"],
            agency="X",
        )


def test_a_coordinator_keeps_the_reviewer_pool(personas: dict[str, Any], client_for: Any, riverbend: Any) -> None:
    url = reverse("endorsement_staff:reviewers", kwargs={"association_slug": "riverbend"})
    client = client_for(personas["coordinator"])
    reviewer = personas["reviewer"]
    assert (
        client.post(
            url, {"reviewer": str(reviewer.public_id), "trained": "on", "employer": "Lamoille Family Services"}
        ).status_code
        == 302
    )
    profile = ReviewerProfile.objects.get(association=riverbend, user=reviewer)
    assert (profile.trained, profile.active, profile.employer) == (True, False, "Lamoille Family Services")
    assert client.post(url, {"reviewer": str(personas["trainer"].public_id)}).status_code == 404


def test_the_examinee_chooses_a_window_before_the_approval_runs_out(
    ready: Any, personas: dict[str, Any], riverbend: Any
) -> None:
    from attunement.endorsement.models import ExamWindow

    application = under_review(ready, personas)
    decide(
        actor=personas["coordinator"], application=application, outcome=Outcome.APPROVE_FOR_EXAM, basis="coordinator"
    )
    sitting = ExamSitting.objects.get(application=application)
    today = timezone.localdate()
    late = ExamWindow.objects.create(
        association=riverbend, name="Too late", opens=today + timedelta(days=400), closes=today + timedelta(days=407)
    )
    soon = ExamWindow.objects.create(
        association=riverbend, name="March", opens=today + timedelta(days=30), closes=today + timedelta(days=37)
    )
    with pytest.raises(ValidationError):
        choose_window(actor=personas["applicant"], sitting=sitting, window=late)
    with pytest.raises(ActionRefused):
        choose_window(actor=personas["coordinator"], sitting=sitting, window=soon)
    choose_window(actor=personas["applicant"], sitting=sitting, window=soon)
    assert ExamSitting.objects.get(pk=sitting.pk).window == soon


def test_registering_where_the_association_asks_for_residency_needs_the_attestation(
    ready: Any, personas: dict[str, Any], client_for: Any
) -> None:
    # The rule is the action's: the page only passes on the ticked box.
    with pytest.raises(ValidationError) as refused:
        register_application(actor=personas["applicant"], portfolio=ready, category="IFS")
    assert "residency" in refused.value.message_dict
    client = client_for(personas["applicant"])
    response = client.post(reverse("application:list"), {"category": "IFS"}, follow=True)
    assert "Confirm that you live or work" in response.content.decode()
    assert not Application.objects.filter(portfolio=ready).exists()
    response = client.post(reverse("application:list"), {"category": "IFS", "residency": "on"})
    assert response.status_code == 302
    assert Application.objects.filter(portfolio=ready, category="IFS").count() == 1


def test_a_reviewer_asks_a_question_and_saves_the_checklist_on_the_review_page(
    ready: Any, personas: dict[str, Any], client_for: Any
) -> None:
    application = under_review(ready, personas)
    [assignment] = assign_reviewers(actor=personas["coordinator"], application=application)
    kw = {"association_slug": "riverbend", "assignment_id": assignment.public_id}
    ask, url = reverse("endorsement_staff:ask_question", kwargs=kw), reverse("endorsement_staff:save_review", kwargs=kw)
    client = client_for(assignment.reviewer)
    client.post(ask, {"question": "  Which agency?  ", "comments": "ignored"})
    assert Clarification.objects.get(application=application).question == "Which agency?"
    assert "Write your question." in client.post(ask, {"question": "  "}, follow=True).content.decode()
    assert Clarification.objects.filter(application=application).count() == 1
    client.post(url, {"domain-reflection": "met", "domain-theory": "nonsense", "comments": "Good."})
    assignment.refresh_from_db()
    assert (assignment.checklist, assignment.comments, assignment.submitted_at) == (
        {"reflection": "met"},
        "Good.",
        None,
    )
    page = client.post(url, {"comments": "Good.", "submit": "1"}, follow=True)
    assert "Choose a recommendation." in page.content.decode()
