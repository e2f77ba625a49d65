"""Review and exam integrity (issues 16.4 and 28.2): conflicts of interest beyond an exact
address or employer, exam readers only from the trained pool without a conflict, readers
blind to whose answers they read, and letter templates that cannot reach into values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from attunement.associations.models import Role
from attunement.audit.models import AuditEvent
from attunement.endorsement.actions.exam import assign_readers, submit_part2
from attunement.endorsement.actions.review import assign_reviewers, decide
from attunement.endorsement.conflicts import organisation_key
from attunement.endorsement.letters import placeholder_errors, render
from attunement.endorsement.matching import reader_candidates, reviewer_candidates
from attunement.endorsement.models import (
    Application,
    Assignment,
    Credential,
    ExamSitting,
    LetterTemplate,
    Outcome,
    Part2Score,
    ReviewerProfile,
    State,
)
from attunement.endorsement.tests.test_workflow import under_review
from attunement.lib.errors import ActionRefused
from attunement.portfolios.models import Reference, Work


def reasons(application: Application) -> dict[str, str]:
    return {c.user.email: c.excluded for c in reviewer_candidates(application)}


# --- Conflicts of interest ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Riverbend Family Services", "riverbend family services"),
        ("Riverbend Family Services", "The Riverbend Family Services, Inc."),
        ("Riverbend Family Services", "Riverbend  Family-Services LLC"),
        ("Riverbend Family Services", "RIVERBEND FAMILY SERVICES, L.L.C."),
        ("Smith & Jones Clinic", "Smith and Jones Clinic Ltd."),
        ("Centro de Niños", "Centro de Ninos, Inc"),
    ],
)
def test_one_organisation_under_different_spellings_has_one_key(one: str, other: str) -> None:
    assert organisation_key(one) == organisation_key(other) != ""


def test_different_organisations_keep_different_keys() -> None:
    assert organisation_key("Riverbend Family Services") != organisation_key("Riverbend Family Center")
    assert organisation_key("Family Center of Rutland") != organisation_key("Family Center of Addison")
    assert organisation_key("") == ""


def test_the_same_employer_under_another_spelling_is_a_conflict(ready: Any, personas: dict[str, Any]) -> None:
    # The reviewer works at "Riverbend Family Services"; the applicant wrote it another way.
    Work.objects.filter(portfolio=ready).update(employer="The Riverbend Family-Services, Inc.")
    application = under_review(ready, personas)
    assert "same employer" in reasons(application)[personas["reviewer"].email]
    with pytest.raises(ActionRefused, match="may not review"):
        assign_reviewers(actor=personas["coordinator"], application=application, reviewers=[personas["reviewer"]])


def test_a_rater_known_by_their_second_address_is_a_conflict(ready: Any, personas: dict[str, Any]) -> None:
    reviewer = personas["reviewer"]
    type(reviewer).objects.filter(pk=reviewer.pk).update(secondary_email="keisha.home@example.org")
    first = Reference.objects.filter(portfolio=ready).order_by("id")[0]
    Reference.objects.filter(pk=first.pk).update(rater_email="Keisha.Home+ratings@Example.org")
    application = under_review(ready, personas)
    assert "rater or supervisor" in reasons(application)[reviewer.email]


def test_leading_or_sharing_an_rsc_group_with_the_applicant_is_a_conflict(
    ready: Any, personas: dict[str, Any], make_person: Any, riverbend: Any
) -> None:
    from attunement.rsc.models import Membership, MembershipStatus
    from attunement.rsc.tests.fixtures import make_group, make_provider

    reviewer, alex = personas["reviewer"], personas["applicant"]
    fellow = make_person("fellow@example.org", roles=(Role.REVIEWER,), association=riverbend)
    ReviewerProfile.objects.create(association=riverbend, user=fellow, trained=True)
    Credential.objects.create(person=fellow, association=riverbend, category="IMHS", since=date(2015, 1, 1))
    # The reviewer leads a group; Alex and the other reviewer are both members.
    group = make_group(make_provider(reviewer, riverbend))
    for person in (alex, fellow):
        Membership.objects.create(group=group, supervisee=person, status=MembershipStatus.ACTIVE)
    application = under_review(ready, personas)
    found = reasons(application)
    assert "RS/C group" in found[reviewer.email]
    assert "RS/C group" in found[fellow.email]


def test_a_request_to_join_that_was_declined_is_no_conflict(
    ready: Any, personas: dict[str, Any], riverbend: Any
) -> None:
    from attunement.rsc.models import Membership, MembershipStatus
    from attunement.rsc.tests.fixtures import make_group, make_provider

    group = make_group(make_provider(personas["reviewer"], riverbend))
    Membership.objects.create(group=group, supervisee=personas["applicant"], status=MembershipStatus.DECLINED)
    application = under_review(ready, personas)
    assert reasons(application)[personas["reviewer"].email] == ""


def test_the_applicants_individual_rsc_provider_is_a_conflict(
    ready: Any, personas: dict[str, Any], riverbend: Any
) -> None:
    from attunement.rsc.models import IndividualSession
    from attunement.rsc.tests.fixtures import make_provider

    # Logged with the provider's profile under an address that is none of the reviewer's.
    IndividualSession.objects.create(supervisee=personas["applicant"], provider=make_provider(personas["reviewer"], riverbend),
                                     provider_name="K. Reviewer", provider_email="office@elsewhere.example",
                                     date=timezone.localdate(), hours=Decimal(1))  # fmt: skip
    application = under_review(ready, personas)
    assert "RS/C provider" in reasons(application)[personas["reviewer"].email]


def test_the_trainer_of_a_session_the_applicant_attended_is_a_conflict(
    ready: Any, personas: dict[str, Any], riverbend: Any
) -> None:
    from attunement.training.models import Registration, RegistrationStatus
    from attunement.training.tests.fixtures import make_course, make_provider, make_session

    reviewer = personas["reviewer"]
    session = make_session(make_course(make_provider(riverbend, reviewer)), days=-30, trainer=reviewer)
    Registration.objects.create(session=session, person=personas["applicant"], status=RegistrationStatus.REGISTERED)
    application = under_review(ready, personas)
    assert "trained the applicant" in reasons(application)[reviewer.email]


def test_the_conflict_checks_cost_the_same_with_more_reviewers(
    ready: Any, personas: dict[str, Any], make_person: Any, riverbend: Any, django_assert_max_num_queries: Any
) -> None:
    application = under_review(ready, personas)
    for i in range(6):
        person = make_person(f"pool{i}@example.org", roles=(Role.REVIEWER,), association=riverbend, totp=False)
        ReviewerProfile.objects.create(association=riverbend, user=person, trained=True, employer=f"Clinic {i}")
    application = Application.objects.select_related("portfolio__person", "association").get(pk=application.pk)
    with django_assert_max_num_queries(14):
        assert len(reviewer_candidates(application)) == 7


# --- Exam readers (issue 28.2) -------------------------------------------------------------------


def exam_sitting(ready: Any, personas: dict[str, Any]) -> ExamSitting:
    application = under_review(ready, personas)
    decide(
        actor=personas["coordinator"], application=application, outcome=Outcome.APPROVE_FOR_EXAM, basis="coordinator"
    )
    sitting = ExamSitting.objects.get(application=application)
    submit_part2(actor=personas["applicant"], sitting=sitting, answers=["First vignette.", "Second."])
    return sitting


@pytest.fixture
def pool(personas: dict[str, Any], make_person: Any, riverbend: Any) -> dict[str, Any]:
    """Two more trained reviewers endorsed IMHS; the ready fixture's reviewer is the third."""
    out = {}
    for name in ("reader.one", "reader.two"):
        person = make_person(f"{name}@example.org", roles=(Role.REVIEWER,), association=riverbend)
        ReviewerProfile.objects.create(association=riverbend, user=person, trained=True, employer="Elsewhere Clinic")
        Credential.objects.create(person=person, association=riverbend, category="IMHS", since=date(2015, 1, 1))
        out[name] = person
    return out


def readers_post(client: Any, sitting: ExamSitting, ids: list[str]) -> Any:
    url = reverse(
        "endorsement_staff:readers",
        kwargs={"association_slug": "riverbend", "application_id": sitting.application.public_id},
    )
    return client.post(url, {"sitting": str(sitting.public_id), "reader": ids}, follow=True)


def test_exam_readers_are_only_trained_reviewers_without_a_conflict(
    ready: Any, personas: dict[str, Any], pool: dict[str, Any], make_person: Any, client_for: Any, riverbend: Any
) -> None:
    sitting = exam_sitting(ready, personas)
    coordinator = client_for(personas["coordinator"])
    nobody = make_person("no.role@example.org")  # an account with no role here
    untrained = make_person("untrained@example.org", roles=(Role.REVIEWER,), association=riverbend)
    ReviewerProfile.objects.create(association=riverbend, user=untrained, trained=False)
    conflicted = pool["reader.two"]
    first = Reference.objects.filter(portfolio=ready).order_by("id")[0]
    Reference.objects.filter(pk=first.pk).update(rater_email=conflicted.email)
    for person, why in [
        (nobody, "not a reviewer of this association"),
        (untrained, "reviewer training"),
        (conflicted, "rater or supervisor"),
        (personas["applicant"], "their own answers"),
        (personas["outsider"], "not a reviewer of this association"),
    ]:
        page = readers_post(coordinator, sitting, [str(person.public_id)]).content.decode()
        assert "Part 2 readers:" in page, why
        assert why in page
        assert not Part2Score.objects.filter(sitting=sitting).exists()
    with pytest.raises(ValidationError) as caught:
        assign_readers(actor=personas["coordinator"], sitting=sitting, readers=[nobody])
    assert list(caught.value.error_dict) == ["reader"]
    # An id that is nobody is refused too, naming the field.
    page = readers_post(coordinator, sitting, ["not-a-uuid"]).content.decode()
    assert "Part 2 readers: choose readers from the list" in page
    # The form offers only the eligible readers.
    detail = coordinator.get(
        reverse("endorsement_staff:application",
                kwargs={"association_slug": "riverbend", "application_id": sitting.application.public_id})
    ).content.decode()  # fmt: skip
    assert str(pool["reader.one"].public_id) in detail
    for person in (nobody, untrained, conflicted):
        assert str(person.public_id) not in detail
    readers_post(coordinator, sitting, [str(pool["reader.one"].public_id)])
    assert [s.reader for s in Part2Score.objects.filter(sitting=sitting)] == [pool["reader.one"]]
    assert AuditEvent.objects.filter(verb="endorsement.exam.readers_assigned").count() == 1


def test_a_reviewer_of_the_application_does_not_read_its_exam(
    ready: Any, personas: dict[str, Any], pool: dict[str, Any]
) -> None:
    application = under_review(ready, personas)
    assign_reviewers(actor=personas["coordinator"], application=application, reviewers=[personas["reviewer"]])
    decide(
        actor=personas["coordinator"], application=application, outcome=Outcome.APPROVE_FOR_EXAM, basis="coordinator"
    )
    sitting = ExamSitting.objects.get(application=application)
    found = {c.user.pk: c.excluded for c in reader_candidates(application)}
    assert "reviewed this application" in found[personas["reviewer"].pk]
    with pytest.raises(ValidationError, match="reviewed this application"):
        assign_readers(actor=personas["coordinator"], sitting=sitting, readers=[personas["reviewer"]])


# --- Exam blindness ------------------------------------------------------------------------------


def test_an_exam_reader_never_sees_the_applicants_name_email_or_portfolio(
    ready: Any, personas: dict[str, Any], pool: dict[str, Any], client_for: Any
) -> None:
    alex = personas["applicant"]
    sitting = exam_sitting(ready, personas)
    reader = pool["reader.one"]
    assign_readers(actor=personas["coordinator"], sitting=sitting, readers=[reader])
    score = Part2Score.objects.get(sitting=sitting, reader=reader)
    client = client_for(reader)
    secrets = [alex.legal_name, alex.display_name, alex.email, str(ready.public_id), str(sitting.application.public_id)]
    pages = {
        "reviews": client.get(reverse("endorsement_staff:reviews", kwargs={"association_slug": "riverbend"})),
        "reading": client.get(
            reverse("endorsement_staff:reading", kwargs={"association_slug": "riverbend", "score_id": score.public_id})
        ),
        "scored": client.post(
            reverse("endorsement_staff:reading", kwargs={"association_slug": "riverbend", "score_id": score.public_id}),
            {"understanding": "3", "reflection": "3", "relationships": "3", "culture": "3", "passed": "yes"},
            follow=True,
        ),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        html = response.content.decode()
        assert sitting.anonymous_code in html, name
        for secret in secrets:
            assert secret not in html, f"{name} shows {secret!r}"
    # Nor through the staff portfolio pages: reading gives no way into the portfolio.
    listing = client.get(reverse("portfolio_staff:list", kwargs={"association_slug": "riverbend"}))
    assert listing.status_code == 403
    detail = client.get(
        reverse("portfolio_staff:detail", kwargs={"association_slug": "riverbend", "portfolio_id": ready.public_id})
    )
    assert detail.status_code == 404
    for response in (listing, detail):
        assert alex.email not in response.content.decode()


# --- Letter templates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("Dear {name.__class__},", "{name.__class__}"),
        ("Dear {applicant.email},", "{applicant.email}"),
        ("Dear {foo},", "{foo}"),
        ("Dear {name[0]},", "{name[0]}"),
        ("Dear {name:>99999999},", "{name:>99999999}"),
        ("Dear {name!r},", "{name!r}"),
        ("Dear {},", "{}"),
        ("Dear {name,", "“{”"),
    ],
)
def test_a_letter_template_with_a_bad_placeholder_is_refused_when_saved(body: str, named: str) -> None:
    template = LetterTemplate(outcome=Outcome.ENDORSE, language="en", subject="Your decision", body=body)
    with pytest.raises(ValidationError) as caught:
        template.full_clean()
    assert list(caught.value.error_dict) == ["body"]
    [message] = caught.value.message_dict["body"]
    assert message.startswith("Letter:")
    assert named in message


def test_a_letter_template_subject_is_checked_too() -> None:
    template = LetterTemplate(outcome=Outcome.ENDORSE, language="en", subject="{name.__init__.__globals__}", body="Hi")
    with pytest.raises(ValidationError) as caught:
        template.full_clean()
    assert list(caught.value.error_dict) == ["subject"]
    assert "{name.__init__.__globals__}" in caught.value.message_dict["subject"][0]


def test_a_letter_template_with_known_placeholders_is_accepted() -> None:
    body = "Dear {name},\n{category} at {association} on {date}: {code}.\n{feedback}\nBraces: {{ and }}."
    assert placeholder_errors(body, "Letter") == []
    LetterTemplate(outcome=Outcome.ENDORSE, language="en", subject="{name}: your decision", body=body).full_clean()


def test_the_admin_form_names_the_field_and_the_placeholder(personas: dict[str, Any], client_for: Any) -> None:
    client = client_for(personas["operator"])
    response = client.post(
        reverse("admin:endorsement_lettertemplate_add"),
        {"outcome": "endorse", "language": "en", "subject": "Decision", "body": "Dear {name.__class__}"},
    )
    assert response.status_code == 200
    assert not LetterTemplate.objects.exists()
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["body"]
    assert "{name.__class__}" in errors["body"][0]


def test_rendering_never_reaches_into_a_value_or_formats_it() -> None:
    values = {"name": "Alex Rivera", "category": "IFS", "association": "Riverbend", "date": "2026-01-01",
              "feedback": "Use {name.__class__} freely", "code": "ABC"}  # fmt: skip
    text = "{name} {name.__class__} {name.__init__.__globals__} {name:>99999999} {name!r} {foo} {{x}} {code}"
    assert render(text, values) == (
        "Alex Rivera {name.__class__} {name.__init__.__globals__} {name:>99999999} {name!r} {foo} {x} ABC"
    )
    # A value is never read as a template itself; a malformed template is sent as written.
    assert render("{feedback}", values) == "Use {name.__class__} freely"
    assert render("Dear {name", values) == "Dear {name"


def test_a_stored_bad_template_neither_fails_nor_leaks_when_a_letter_is_sent(
    ready: Any, personas: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    # Saved before templates were checked (or around the form): the letter still goes out.
    for language in ("en", "es"):
        LetterTemplate.objects.create(
            outcome=Outcome.ENDORSE, language=language, subject="{name.__class__} {name:>40}|",
            body="Dear {name}, {name.__class__.__mro__} {foo} {category!r} code {code}",
        )  # fmt: skip
    application = under_review(ready, personas)
    with django_capture_on_commit_callbacks(execute=True):
        decision = decide(
            actor=personas["coordinator"], application=application, outcome=Outcome.ENDORSE, basis="coordinator"
        )
    decision.refresh_from_db()
    assert "<class" not in decision.letter
    assert "{name.__class__.__mro__}" in decision.letter
    assert decision.letter.startswith(f"Dear {personas['applicant'].display_name},")
    [letter] = [m for m in mail.outbox if "{name.__class__}" in m.subject]
    assert "<class" not in letter.subject
    assert letter.subject.endswith("{name:>40}|")
    assert Application.objects.get(pk=application.pk).state == State.ENDORSED
    assert Assignment.objects.filter(application=application).count() == 0
