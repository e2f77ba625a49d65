"""R5: every route of ours, for every persona, answers with the status this table says.

Adding a view without a row here fails ``test_every_route_has_a_row``: say who may see it.
Statuses: 200 shown, 302 redirect (sign-in for anonymous, or after a successful POST),
403 a role in the association but not this one, 404 no role in it, or not its object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from attunement.api.tests.permission_rows import api_client, api_key, api_webhook
from attunement.associations.tests.fixtures import staff_invitation
from attunement.credentials.tests.fixtures import holder_code, issuing_status_list
from attunement.mail.actions import unsubscribe_token
from attunement.membership.tests.fixtures import membership_type
from attunement.rsc.tests.fixtures import attendance_data as rsc_attendance_data
from attunement.rsc.tests.fixtures import confirm_token as rsc_confirm_token
from attunement.rsc.tests.fixtures import kw as rsc_kw
from attunement.training.tests.fixtures import attendance_file as training_attendance_file
from attunement.training.tests.fixtures import certificate as training_certificate
from attunement.training.tests.fixtures import certificate_code as training_certificate_code
from attunement.training.tests.fixtures import feed_token as training_feed_token
from attunement.training.tests.fixtures import kw as training_kw
from attunement.workforce.tests.fixtures import checkin_import
from conftest import PERSONA_NAMES

ANON, APPL, REV, TRN, ANL, COORD, ADM, OUT, OPER = PERSONA_NAMES


def statuses(default: int, **overrides: int) -> dict[str, int]:
    return {name: overrides.get(name, default) for name in PERSONA_NAMES}


# Shorthands for the usual shapes of access.
PUBLIC = statuses(200)
SIGNED_IN = statuses(200, anonymous=302)
ANY_STAFF = statuses(200, anonymous=302, applicant=404, outsider=404, operator=404)
COORDINATORS = statuses(403, anonymous=302, applicant=404, outsider=404, operator=404, coordinator=200, admin=200)
ADMINS = statuses(403, anonymous=302, applicant=404, outsider=404, operator=404, admin=200)
# A person's own portfolio: only the applicant has one; the others are sent to start theirs.
OWN_PORTFOLIO_PAGE = statuses(302, applicant=200)
OWN_ENTRY = statuses(404, anonymous=302, applicant=200)
OWN_ENTRY_POST = statuses(404, anonymous=302, applicant=302)
REVIEWERS = statuses(403, anonymous=302, applicant=404, outsider=404, operator=404, reviewer=200)
ANALYSTS = statuses(
    403, anonymous=302, applicant=404, outsider=404, operator=404, analyst=200, coordinator=200, admin=200
)
PORTFOLIO_STAFF = statuses(
    403, anonymous=302, applicant=404, outsider=404, operator=404, coordinator=200, admin=200, reviewer=200
)


@dataclass
class Row:
    expect: dict[str, int]
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] = lambda ctx: {}
    method: str = "get"
    data: Callable[[dict[str, Any]], dict[str, Any]] = lambda ctx: {}
    # After a successful POST the row's object may be gone (revoked); rebuild per persona.
    notes: str = field(default="")


def riverbend(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"association_slug": "riverbend"}


def education_entry(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"section": "education", "entry_id": ctx["education"].public_id}


def own_application(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"application_id": ctx["application"].public_id}


def staff_application(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"association_slug": "riverbend", "application_id": ctx["application"].public_id}


def sitting(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"sitting": str(ctx["score"].sitting.public_id)}


def staff_portfolio(ctx: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"association_slug": "riverbend", "portfolio_id": ctx["portfolio"].public_id, **more}


def group_member(ctx: dict[str, Any]) -> dict[str, Any]:
    return rsc_kw(ctx, "group", "membership", association_slug="riverbend")


def staff_credential(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"association_slug": "riverbend", **holder_code(ctx)}


def staff_renewal(ctx: dict[str, Any]) -> dict[str, Any]:
    from attunement.endorsement.models import Renewal, RenewalState

    portfolio = ctx["portfolio"]
    renewal = Renewal.objects.create(person=portfolio.person, association=portfolio.association,
                                     due=date(2030, 1, 1), state=RenewalState.UNDER_REVIEW)  # fmt: skip
    return {"association_slug": "riverbend", "renewal_id": renewal.public_id}


def staff_reminder(ctx: dict[str, Any]) -> dict[str, Any]:
    from attunement.endorsement.models import Reminder

    portfolio = ctx["portfolio"]
    reminder = Reminder.objects.create(person=portfolio.person, association=portfolio.association,
                                       due=date(2030, 1, 1), offset_days=30)  # fmt: skip
    return {"association_slug": "riverbend", "reminder_id": reminder.pk}


GROUP_MANAGERS_POST = statuses(
    403, anonymous=302, applicant=404, outsider=404, operator=404, reviewer=302, coordinator=302, admin=302
)

TABLE: dict[str, Row] = {
    "home": Row(PUBLIC),
    "health": Row(PUBLIC),
    # A provider's tracking webhook: no provider is configured here, so it is a 404 for everyone;
    # with one, the provider's own signature or password decides (mail/tests/test_tracking.py).
    "mail_tracking": Row(statuses(404), lambda ctx: {"provider": "mailgun"}, method="post"),
    # The signed link in a reminder: anyone holding it sees the page (GET writes nothing).
    "mail_unsubscribe": Row(PUBLIC, lambda ctx: {"token": unsubscribe_token(["kim@example.org"], "renewal_reminder")}),
    "set_language": Row(statuses(302), method="post", data=lambda ctx: {"language": "es", "next": "/"}),
    # The admin signs in through allauth (lock-out, second factor) like everyone.
    "admin:login": Row(statuses(302)),
    "people:home": Row(SIGNED_IN),
    "people:profile": Row(SIGNED_IN),
    "associations:home": Row(PUBLIC, riverbend),
    "associations:logo": Row(PUBLIC, riverbend),
    "associations:staff_home": Row(ANY_STAFF, riverbend),
    "associations:staff_roles": Row(COORDINATORS, riverbend),
    "associations:grant_role": Row(
        {**ADMINS, ADM: 302},
        riverbend,
        method="post",
        data=lambda ctx: {"email": "applicant@example.org", "role": "trainer"},
    ),
    "associations_me:invitations": Row(SIGNED_IN),
    "associations_me:accept": Row(OWN_ENTRY_POST, staff_invitation, method="post"),
    "associations:withdraw_invitation": Row(
        {**ADMINS, ADM: 302},
        lambda ctx: {"association_slug": "riverbend", **staff_invitation(ctx)},
        method="post",
    ),
    "associations:revoke_role": Row(
        {**ADMINS, ADM: 302},
        lambda ctx: {"association_slug": "riverbend", "role_id": ctx["staff_role"].public_id},
        method="post",
    ),
    "associations:settings": Row(ADMINS, riverbend),
    # Issue 15.4: each settings form posts to its own address (an empty form is refused: 400).
    "associations:save_details": Row({**ADMINS, ADM: 400}, riverbend, method="post"),
    "associations:save_policy": Row({**ADMINS, ADM: 400}, riverbend, method="post"),
    "associations:save_logo": Row({**ADMINS, ADM: 400}, riverbend, method="post"),
    "fees:list": Row(ADMINS, riverbend),
    "fees:save": Row(
        {**ADMINS, ADM: 302},
        riverbend,
        method="post",
        data=lambda ctx: {"fee-kind": "processing", "fee-category": "", "fee-amount": "10"},
    ),
    # Issue 15.5: coordinators see the membership types, admins create and change them.
    "membership_staff:types": Row(COORDINATORS, riverbend),
    "membership_staff:create": Row(
        {**ADMINS, ADM: 302},
        riverbend,
        method="post",
        data=lambda ctx: {"kind": "student", "name": "Student", "price": "20.00", "active": "on"},
    ),
    "membership_staff:edit": Row(ADMINS, membership_type),
    "registry:directory": Row(PUBLIC, riverbend),
    "directory:all": Row(PUBLIC),
    "api_docs": Row(PUBLIC),
    "directory:listing": Row(PUBLIC, holder_code),
    "verify": Row(PUBLIC, holder_code),
    "did_document": Row(PUBLIC, riverbend),
    "credentials:status_list": Row(PUBLIC, issuing_status_list),
    "registry_me:listing": Row(SIGNED_IN),
    "credentials_me:mine": Row(SIGNED_IN),
    "credentials_me:jwt": Row(OWN_ENTRY, holder_code),
    "credentials_me:bundle": Row(OWN_ENTRY, holder_code),
    "credentials_me:certificate": Row(OWN_ENTRY, holder_code),
    "workforce:indicators": Row(ANALYSTS, riverbend),
    "workforce:import": Row({**ANALYSTS, ANL: 403, COORD: 302, ADM: 302}, riverbend, method="post"),
    "workforce:import_job": Row({**ANALYSTS, ANL: 403}, checkin_import),
    "api_admin:clients": Row(ADMINS, riverbend),
    "api_admin:create_client": Row(
        {**ADMINS, ADM: 302}, riverbend, method="post", data=lambda ctx: {"name": "Payer", "contact_email": "a@b.org"}
    ),
    "api_admin:client": Row(ADMINS, api_client),
    "api_admin:issue_key": Row(ADMINS, api_client, method="post", data=lambda ctx: {"label": "claims"}),
    "api_admin:revoke_key": Row({**ADMINS, ADM: 302}, api_key, method="post"),
    "api_admin:set_quota": Row({**ADMINS, ADM: 302}, api_client, method="post", data=lambda ctx: {"quota": "100"}),
    "api_admin:add_webhook": Row(
        ADMINS, api_client, method="post", data=lambda ctx: {"url": "https://p.example/h", "events": ["lapsed"]}
    ),
    "api_admin:remove_webhook": Row({**ADMINS, ADM: 302}, api_webhook, method="post"),
    "workforce:endorsed": Row(ANALYSTS, riverbend),
    "workforce:pipeline": Row(ANALYSTS, riverbend),
    "workforce:coverage": Row(ANALYSTS, riverbend),
    "workforce:save_programme": Row({**ANALYSTS, ANL: 403, COORD: 302, ADM: 302}, riverbend, method="post"),
    "workforce:region_target": Row({**ANALYSTS, ANL: 403, COORD: 302, ADM: 302}, riverbend, method="post"),
    "workforce_me:profile": Row(SIGNED_IN),
    "workforce_me:checkin": Row(SIGNED_IN),
    # RS/C (issue 7): the reviewer persona is also the provider of the group (attunement/rsc/tests/fixtures.py).
    "rsc:roster": Row(PUBLIC, riverbend),
    "rsc:provider": Row(PUBLIC, lambda ctx: rsc_kw(ctx, "profile", association_slug="riverbend")),
    "rsc:group": Row(PUBLIC, lambda ctx: rsc_kw(ctx, "group", association_slug="riverbend")),
    "rsc:request_individual": Row(SIGNED_IN, lambda ctx: rsc_kw(ctx, "profile", association_slug="riverbend")),
    "rsc:join": Row(SIGNED_IN, lambda ctx: rsc_kw(ctx, "group", association_slug="riverbend")),
    "rsc:leave": Row(OWN_ENTRY_POST, lambda ctx: rsc_kw(ctx, "group", association_slug="riverbend"), method="post"),
    "rsc:group_new": Row(
        statuses(403, anonymous=302, reviewer=200, coordinator=200, admin=200),
        lambda ctx: rsc_kw(ctx, association_slug="riverbend"),
    ),
    "rsc:manage": Row(PORTFOLIO_STAFF, lambda ctx: rsc_kw(ctx, "group", association_slug="riverbend")),
    "rsc:attendance": Row(
        statuses(403, anonymous=302, applicant=404, outsider=404, operator=404, reviewer=302),
        lambda ctx: rsc_kw(ctx, "group", association_slug="riverbend"),
        method="post",
        data=rsc_attendance_data,
    ),
    # The group's provider (the reviewer persona), coordinators and admins decide on its members.
    "rsc:approve_member": Row(GROUP_MANAGERS_POST, group_member, method="post"),
    "rsc:decline_member": Row(GROUP_MANAGERS_POST, group_member, method="post"),
    "rsc:remove_member": Row(GROUP_MANAGERS_POST, group_member, method="post"),
    "rsc_me:ledger": Row(SIGNED_IN),
    "rsc_me:caseload": Row(SIGNED_IN),
    "rsc_me:profile": Row(SIGNED_IN),
    "rsc_me:log_session": Row(OWN_PORTFOLIO_PAGE),
    # Issue 15.4: one address per answer (they were one address with the answer in it).
    "rsc_me:confirm_session": Row(
        statuses(404, anonymous=302, reviewer=302), lambda ctx: rsc_kw(ctx, "session"), method="post"
    ),
    "rsc_me:decline_session": Row(
        statuses(404, anonymous=302, reviewer=302), lambda ctx: rsc_kw(ctx, "session"), method="post"
    ),
    "rsc_me:accept_request": Row(
        statuses(404, anonymous=302, reviewer=302), lambda ctx: rsc_kw(ctx, "request"), method="post"
    ),
    "rsc_me:decline_request": Row(
        statuses(404, anonymous=302, reviewer=302), lambda ctx: rsc_kw(ctx, "request"), method="post"
    ),
    "rsc_confirm": Row(PUBLIC, rsc_confirm_token),
    "rsc_staff:providers": Row(COORDINATORS, riverbend),
    "rsc_staff:vet": Row(
        {**COORDINATORS, COORD: 302, ADM: 302},
        lambda ctx: rsc_kw(ctx, "profile", association_slug="riverbend"),
        method="post",
    ),
    "rsc_staff:programmes": Row(COORDINATORS, riverbend),
    "rsc_staff:programme": Row(ANALYSTS, lambda ctx: rsc_kw(ctx, "programme", association_slug="riverbend")),
    "rsc_staff:programme_csv": Row(ANALYSTS, lambda ctx: rsc_kw(ctx, "programme", association_slug="riverbend")),
    # Training hub (issue 6): the trainer persona leads the session; the applicant is registered.
    "training:catalog": Row(PUBLIC, riverbend),
    "training:feed": Row(PUBLIC, riverbend),
    "training:session": Row(PUBLIC, lambda ctx: training_kw(ctx, "session")),
    "training:register": Row(statuses(302), lambda ctx: training_kw(ctx, "session"), method="post"),
    "training:cancel": Row(OWN_ENTRY_POST, lambda ctx: training_kw(ctx, "session"), method="post"),
    "training_staff:sessions": Row({**COORDINATORS, TRN: 200}, riverbend),
    "training_staff:roster": Row({**COORDINATORS, TRN: 200}, lambda ctx: training_kw(ctx, "session")),
    "training_staff:attendance": Row(
        {**COORDINATORS, TRN: 302, COORD: 302, ADM: 302}, lambda ctx: training_kw(ctx, "session"), method="post"
    ),
    "training_staff:upload": Row(
        {**COORDINATORS, TRN: 302, COORD: 302, ADM: 302},
        lambda ctx: training_kw(ctx, "session"),
        method="post",
        data=training_attendance_file,
    ),
    "training_staff:finalise": Row(
        {**COORDINATORS, TRN: 302, COORD: 302, ADM: 302}, lambda ctx: training_kw(ctx, "session"), method="post"
    ),
    "training_staff:courses": Row(COORDINATORS, riverbend),
    "training_staff:providers": Row(COORDINATORS, riverbend),
    "training_staff:cancel_session": Row(
        {**COORDINATORS, TRN: 302, COORD: 302, ADM: 302}, lambda ctx: training_kw(ctx, "session"), method="post"
    ),
    "training_staff:course_new": Row({**COORDINATORS, TRN: 200}, riverbend),
    "training_staff:session_new": Row({**COORDINATORS, TRN: 200}, riverbend),
    "training:certificate_check": Row(PUBLIC, training_certificate_code),
    "training_me:certificate": Row(OWN_ENTRY, training_certificate),
    "training_staff:approve_course": Row(
        {**COORDINATORS, COORD: 302, ADM: 302}, lambda ctx: training_kw(ctx, "submitted"), method="post"
    ),
    "training_staff:reject_course": Row(
        {**COORDINATORS, COORD: 302, ADM: 302}, lambda ctx: training_kw(ctx, "submitted"), method="post"
    ),
    "training_me:transcript": Row(SIGNED_IN),
    "training_me:transcript_csv": Row(SIGNED_IN),
    "training_me:transcript_pdf": Row(SIGNED_IN),
    "training_me:claim": Row(statuses(302), method="post"),
    "training_me:feed": Row(PUBLIC, training_feed_token),
    "training_me:rotate_feed": Row(statuses(302), method="post"),
    "training_me:revoke_feed": Row(statuses(302), method="post"),
    "portfolio:home": Row(SIGNED_IN),
    "portfolio:needs": Row(OWN_PORTFOLIO_PAGE),
    "portfolio:references": Row(OWN_PORTFOLIO_PAGE),
    "portfolio:agreements": Row(OWN_PORTFOLIO_PAGE),
    "portfolio:section": Row(OWN_PORTFOLIO_PAGE, lambda ctx: {"section": "education"}),
    "portfolio:export": Row(OWN_ENTRY),
    "portfolio:edit": Row(OWN_ENTRY, education_entry),
    "portfolio:file": Row(OWN_ENTRY, education_entry),
    "portfolio:delete": Row(OWN_ENTRY_POST, education_entry, method="post"),
    "portfolio:comment": Row(
        OWN_ENTRY_POST, lambda ctx: {"section": "education"}, method="post", data=lambda ctx: {"body": "Hello"}
    ),
    "portfolio:resend_reference": Row(
        OWN_ENTRY_POST, lambda ctx: {"reference_id": ctx["reference"].public_id}, method="post"
    ),
    "portfolio:cancel_reference": Row(
        OWN_ENTRY_POST, lambda ctx: {"reference_id": ctx["reference"].public_id}, method="post"
    ),
    "portfolio:change_rater": Row(
        OWN_ENTRY_POST,
        lambda ctx: {"reference_id": ctx["reference"].public_id},
        method="post",
        data=lambda ctx: {"rater_name": "Ana Díaz", "rater_email": "ana@example.org"},
    ),
    "reference_form": Row(PUBLIC, lambda ctx: {"token": ctx["token"]}),
    # Every portfolio is for coordinators and admins; the reviewer persona reaches this one
    # through its assignment (see the context, and PORTFOLIO_ACCESS below for the other cases).
    "portfolio_staff:list": Row(COORDINATORS, riverbend),
    "portfolio_staff:detail": Row(PORTFOLIO_STAFF, staff_portfolio),
    "portfolio_staff:file": Row(
        PORTFOLIO_STAFF, lambda ctx: staff_portfolio(ctx, section="education", entry_id=ctx["education"].public_id)
    ),
    "portfolio_staff:comment": Row(
        {**PORTFOLIO_STAFF, COORD: 302, ADM: 302, REV: 302},
        lambda ctx: staff_portfolio(ctx, section="education"),
        method="post",
        data=lambda ctx: {"body": "Please add the transcript."},
    ),
    "application:list": Row(OWN_PORTFOLIO_PAGE),
    "application:detail": Row(OWN_ENTRY, lambda ctx: {"application_id": ctx["application"].public_id}),
    # One route per action on an application; a question or a window that is not there is a 404.
    "application:submit": Row(OWN_ENTRY_POST, own_application, method="post"),
    "application:withdraw": Row(OWN_ENTRY_POST, own_application, method="post"),
    "application:answer": Row(statuses(404, anonymous=302), own_application, method="post"),
    "application:window": Row(statuses(404, anonymous=302), own_application, method="post", data=sitting),
    "application:part2": Row(
        OWN_ENTRY_POST,
        own_application,
        method="post",
        data=lambda ctx: {**sitting(ctx), "answer-1": "First.", "answer-2": "Second."},
    ),
    # Anyone signed in may join an association (an invoice in their own name; no portfolio needed).
    "membership_me:join": Row(statuses(302), method="post", data=lambda ctx: {"association": "riverbend"}),
    "payments_me:pay": Row(
        OWN_ENTRY_POST, lambda ctx: {"number": ctx["invoice"].number}, method="post", data=lambda ctx: {"card": "0000"}
    ),
    "endorsement_staff:queue": Row(COORDINATORS, riverbend),
    "endorsement_staff:import_part1": Row({**COORDINATORS, COORD: 302, ADM: 302}, riverbend, method="post"),
    "endorsement_staff:application": Row(
        COORDINATORS, lambda ctx: {"association_slug": "riverbend", "application_id": ctx["application"].public_id}
    ),
    **{
        f"endorsement_staff:{action}": Row(
            {**COORDINATORS, COORD: 302, ADM: 302}, staff_application, method="post", data=data
        )
        for action, data in {
            "complete": lambda ctx: {},
            "incomplete": lambda ctx: {"note": "Add the transcript."},
            "assign": lambda ctx: {},
            "resolve": lambda ctx: {"outcome": "on_hold"},
            "resume": lambda ctx: {},
            "payment": lambda ctx: {"invoice": ctx["invoice"].number, "amount": "25.00", "method": "cheque"},
            "part1": lambda ctx: {**sitting(ctx), "percent": "85", "taken_on": "2026-01-05"},
            "readers": sitting,
            "retake": lambda ctx: {},
        }.items()
    },
    # No clarification was asked: nothing to relay.
    "endorsement_staff:relay": Row({**COORDINATORS, COORD: 404, ADM: 404}, staff_application, method="post"),
    "endorsement_staff:reviews": Row(REVIEWERS, riverbend),
    "endorsement_staff:reviewers": Row(COORDINATORS, riverbend),
    "endorsement_staff:renewals": Row(COORDINATORS, riverbend),
    "endorsement_staff:credentials": Row(COORDINATORS, riverbend),
    # Issue 15.4: one route per action on a renewal, a reminder, a credential (they were one
    # address each, with the action posted); a refused one is a message, back on the page.
    "endorsement_staff:approve_renewal": Row({**COORDINATORS, COORD: 302, ADM: 302}, staff_renewal, method="post"),
    "endorsement_staff:return_renewal": Row(
        {**COORDINATORS, COORD: 302, ADM: 302}, staff_renewal, method="post", data=lambda ctx: {"note": "Add it."}
    ),
    "endorsement_staff:reminder_bounced": Row({**COORDINATORS, COORD: 302, ADM: 302}, staff_reminder, method="post"),
    **{
        f"endorsement_staff:{name}": Row(
            {**COORDINATORS, COORD: 302, ADM: 302}, staff_credential, method="post", data=data
        )
        for name, data in {
            "make_credential_inactive": lambda ctx: {"until": "2030-01-01"},
            "reactivate_credential": lambda ctx: {},
            "archive_credential": lambda ctx: {},
            "make_credential_emeritus": lambda ctx: {},
            "suspend_credential": lambda ctx: {"reason": "Audit"},
            "restore_credential": lambda ctx: {"reason": "Cleared"},
            "revoke_credential": lambda ctx: {"reason": "Fraud"},
        }.items()
    },
    "application:renewal": Row(OWN_PORTFOLIO_PAGE),
    "payments:invoices": Row(COORDINATORS, riverbend),
    "payments:combine": Row({**COORDINATORS, COORD: 302, ADM: 302}, riverbend, method="post"),
    "payments:record": Row(
        {**COORDINATORS, COORD: 302, ADM: 302},
        lambda ctx: {"association_slug": "riverbend", "number": ctx["invoice"].number},
        method="post",
    ),
    "endorsement_staff:review": Row(
        REVIEWERS, lambda ctx: {"association_slug": "riverbend", "assignment_id": ctx["assignment"].public_id}
    ),
    "endorsement_staff:ask_question": Row(
        {**REVIEWERS, REV: 302},
        lambda ctx: {"association_slug": "riverbend", "assignment_id": ctx["assignment"].public_id},
        method="post",
        data=lambda ctx: {"question": "Which agency?"},
    ),
    "endorsement_staff:save_review": Row(
        {**REVIEWERS, REV: 302},
        lambda ctx: {"association_slug": "riverbend", "assignment_id": ctx["assignment"].public_id},
        method="post",
        data=lambda ctx: {"comments": "Good."},
    ),
    "endorsement_staff:reading": Row(
        REVIEWERS, lambda ctx: {"association_slug": "riverbend", "score_id": ctx["score"].public_id}
    ),
    "portfolio_staff:reference_bounced": Row(
        {**ADMINS, COORD: 302, ADM: 302},
        lambda ctx: staff_portfolio(ctx, reference_id=ctx["reference"].public_id),
        method="post",
    ),
    "portfolio_staff:verify": Row(
        {**ADMINS, COORD: 302, ADM: 302},
        lambda ctx: staff_portfolio(ctx, section="education", entry_id=ctx["education"].public_id),
        method="post",
        data=lambda ctx: {"verification": "verified", "reason": ""},
    ),
    # Issue 27: coordinators settle the standing of a rater or RS/C provider who answered a link.
    "portfolio_staff:standing": Row(
        {**ADMINS, COORD: 302, ADM: 302},
        lambda ctx: staff_portfolio(ctx, section="references", entry_id=ctx["reference"].public_id),
        method="post",
        data=lambda ctx: {"decision": "verified"},
    ),
    "audit:log": Row(COORDINATORS, riverbend),
    "audit:history": Row(
        COORDINATORS,
        lambda ctx: {
            "association_slug": "riverbend",
            "target_type": "associations.staffrole",
            "target_id": ctx["staff_role"].public_id,
        },
    ),
}


def context(staff_role: Any, portfolio: Any) -> dict[str, Any]:
    from datetime import date
    from decimal import Decimal

    from attunement.endorsement.models import Application, Assignment, ExamSitting, Part2Score, State
    from attunement.payments.actions import Line, issue_invoice
    from attunement.portfolios.actions import reference_token

    reference = portfolio.references.get()
    reviewer = staff_role.user
    # Under review with the reviewer persona assigned in this round: their way into the portfolio.
    application = Application.objects.create(
        portfolio=portfolio, association=portfolio.association, category="IFS", state=State.UNDER_REVIEW,
        review_round=1,
    )  # fmt: skip
    assignment = Assignment.objects.create(application=application, reviewer=reviewer)
    sitting = ExamSitting.objects.create(application=application, approved_until=date(2030, 1, 1))
    invoice = issue_invoice(actor=None, association=portfolio.association, billed_to=portfolio.person,
                            lines=[Line("registration", "Registration", Decimal("25.00"))])  # fmt: skip
    return {
        "application": application,
        "assignment": assignment,
        "score": Part2Score.objects.create(sitting=sitting, reader=reviewer),
        "invoice": invoice,
        "staff_role": staff_role,
        "portfolio": portfolio,
        "education": portfolio.education_entries.get(),
        "reference": reference,
        "token": reference_token(reference),
    }


def our_route_names() -> set[str]:
    """Every named route of Attunement's: its own views anywhere, and every route the root
    URLconf itself declares (allauth's and the admin's own pages are theirs to guard)."""
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str, top: bool) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace, top=False)
            elif isinstance(p, URLPattern):
                module = getattr(p.callback, "__module__", "")
                if top or module.startswith("attunement."):
                    assert p.name, f"route {p.pattern} of {module} has no name"
                    names.add(f"{namespace}{p.name}")

    walk(get_resolver().url_patterns, "", top=True)
    return names


def test_every_route_has_a_row() -> None:
    routes = our_route_names()
    missing = routes - set(TABLE)
    assert not missing, f"add these routes to the permission table: {sorted(missing)}"
    stale = set(TABLE) - routes
    assert not stale, f"the permission table names routes that no longer exist: {sorted(stale)}"


@pytest.mark.parametrize("persona", PERSONA_NAMES)
@pytest.mark.parametrize("route", sorted(TABLE))
def test_permission_table(
    route: str,
    persona: str,
    personas: dict[str, Any],
    client_for: Any,
    logo_upload: Any,
    staff_role: Any,
    applicant_portfolio: Any,
) -> None:
    from attunement.associations import actions
    from attunement.associations.models import Association

    riverbend = Association.objects.get(slug="riverbend")
    actions.set_association_logo(actor=None, association=riverbend, logo=logo_upload)  # type: ignore[arg-type]
    row = TABLE[route]
    ctx = context(staff_role, applicant_portfolio)
    url = reverse(route, kwargs=row.kwargs(ctx))
    client = client_for(personas[persona])
    response = getattr(client, row.method)(url, row.data(ctx))
    expected = row.expect[persona]
    assert response.status_code == expected, (
        f"{persona} {row.method.upper()} {url}: {response.status_code}, expected {expected}"
    )
    if expected == 302 and (persona == ANON or route == "admin:login") and route != "set_language":
        assert response["Location"].startswith(reverse("account_login"))


# --- Portfolio staff pages, beyond the persona table (issue 27.4) ------------------------------
# A reviewer reaches a portfolio only through an active review assignment (an application on it
# under review, in the reviewer's round); nobody reaches their own portfolio (or application)
# through the staff pages, whatever their roles: they see it as its owner.


def _unassigned(ctx: dict[str, Any], user: Any) -> dict[str, Any]:
    ctx["assignment"].delete()
    return ctx


def _decided(ctx: dict[str, Any], user: Any) -> dict[str, Any]:
    from attunement.endorsement.models import Application, State

    Application.objects.filter(pk=ctx["application"].pk).update(state=State.ENDORSED)
    return ctx


def _earlier_round(ctx: dict[str, Any], user: Any) -> dict[str, Any]:
    from attunement.endorsement.models import Application

    Application.objects.filter(pk=ctx["application"].pk).update(review_round=2)
    return ctx


def _own(ctx: dict[str, Any], user: Any) -> dict[str, Any]:
    """The persona's own portfolio at Riverbend, with an entry, a waived rating and an
    application under review on which they are even (wrongly) assigned as reviewer."""
    from datetime import date

    from attunement.endorsement.models import Application, Assignment, State
    from attunement.portfolios import actions as portfolio_actions
    from attunement.portfolios.models import Education, Reference, ReferenceStatus

    portfolio = portfolio_actions.start_portfolio(actor=user, person=user, association=ctx["portfolio"].association,
                                                  aim="IFS")  # fmt: skip
    education = Education.objects.create(portfolio=portfolio, level="bachelor", conferred=date(2016, 5, 21))
    reference = Reference.objects.create(
        portfolio=portfolio, category="IFS", rater_name="Sam Lee", rater_email="sam@example.org",
        relationship="colleague", status=ReferenceStatus.COMPLETED, waived=True, narrative="Private words, waived.",
    )  # fmt: skip
    application = Application.objects.create(portfolio=portfolio, association=portfolio.association, category="IFS",
                                             state=State.UNDER_REVIEW, review_round=1)  # fmt: skip
    Assignment.objects.create(application=application, reviewer=user)
    return {**ctx, "portfolio": portfolio, "education": education, "reference": reference, "application": application}


PORTFOLIO_PAGES: dict[str, tuple[str, str, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "detail": ("portfolio_staff:detail", "get", staff_portfolio),
    "file": ("portfolio_staff:file", "get", lambda ctx: staff_portfolio(ctx, section="education",
                                                                      entry_id=ctx["education"].public_id)),
    "comment": ("portfolio_staff:comment", "post", lambda ctx: staff_portfolio(ctx, section="education")),
    "verify": ("portfolio_staff:verify", "post", lambda ctx: staff_portfolio(ctx, section="education",
                                                                           entry_id=ctx["education"].public_id)),
    "bounced": ("portfolio_staff:reference_bounced", "post",
                lambda ctx: staff_portfolio(ctx, reference_id=ctx["reference"].public_id)),
    "history": ("audit:history", "get", lambda ctx: {"association_slug": "riverbend",
                                                     "target_type": "portfolios.portfolio",
                                                     "target_id": ctx["portfolio"].public_id}),
    "application": ("endorsement_staff:application", "get",
                    lambda ctx: {"association_slug": "riverbend", "application_id": ctx["application"].public_id}),
}  # fmt: skip
OWN_AS_STAFF = dict.fromkeys(PORTFOLIO_PAGES, 403)
PORTFOLIO_ACCESS: dict[str, tuple[str, Callable[..., dict[str, Any]] | None, dict[str, int]]] = {
    "reviewer with an active assignment": (REV, None, {"detail": 200, "file": 200, "comment": 302, "verify": 403}),
    "reviewer without an assignment": (REV, _unassigned, {"detail": 404, "file": 404, "comment": 404, "verify": 403}),
    "reviewer of a decided application": (REV, _decided, {"detail": 404, "file": 404, "comment": 404}),
    "reviewer of an earlier round": (REV, _earlier_round, {"detail": 404, "file": 404, "comment": 404}),
    "coordinator on their own portfolio": (COORD, _own, OWN_AS_STAFF),
    "admin on their own portfolio": (ADM, _own, OWN_AS_STAFF),
    "reviewer on their own portfolio, even assigned": (REV, _own, {"detail": 403, "file": 403, "comment": 403}),
}


@pytest.mark.parametrize("case", sorted(PORTFOLIO_ACCESS))
def test_portfolio_staff_access(
    case: str, personas: dict[str, Any], client_for: Any, staff_role: Any, applicant_portfolio: Any
) -> None:
    persona, setup, expect = PORTFOLIO_ACCESS[case]
    user = personas[persona]
    ctx = context(staff_role, applicant_portfolio)
    if setup is not None:
        ctx = setup(ctx, user)
    client = client_for(user)
    for page, expected in expect.items():
        route, method, kwargs = PORTFOLIO_PAGES[page]
        response = getattr(client, method)(
            reverse(route, kwargs=kwargs(ctx)), {"body": "Hello", "verification": "verified"}
        )
        assert response.status_code == expected, f"{case}: {page} answered {response.status_code}, expected {expected}"
        if not getattr(response, "streaming", False):
            assert b"Private words, waived." not in response.content
    if persona in {COORD, ADM}:
        listing = client.get(reverse("portfolio_staff:list", kwargs={"association_slug": "riverbend"}))
        assert listing.status_code == 200
        assert (str(ctx["portfolio"].public_id) in listing.content.decode()) is (setup is not _own)
