"""Staff and reviewer pages of applications: the queue, one application, reviews, the exam."""

from __future__ import annotations

import csv
import uuid
from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from attunement.associations.access import coordinator_required, staff_required
from attunement.associations.models import Role
from attunement.audit.actions import record
from attunement.endorsement.actions.application import (
    ask_clarification,
    check_completeness,
    processing_fee_settled,
    relay_clarification,
)
from attunement.endorsement.actions.credential import change_status, reactivate, set_inactive
from attunement.endorsement.actions.exam import assign_readers, new_sitting, record_part1, score_part2
from attunement.endorsement.actions.renewal import approve_renewal, mark_reminder_bounced, return_renewal
from attunement.endorsement.actions.review import assign_reviewers, decide, resume_review, save_review, update_reviewer
from attunement.endorsement.history import get_application_for_staff
from attunement.endorsement.matching import reader_candidates, reviewer_candidates
from attunement.endorsement.models import (
    CATEGORY_CHOICES,
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
from attunement.lib.exports import csv_writer
from attunement.lib.http import StaffRequest
from attunement.payments import actions as payment_actions
from attunement.payments.models import Invoice, PaymentMethod
from attunement.people.models import User
from attunement.portfolios.access import reviewing
from attunement.portfolios.forms import DOMAIN_CHOICES
from attunement.portfolios.selectors import judge

PAGE_SIZE = 100
CHECKLIST_VALUES = {"met": _("Met"), "not_met": _("Not met"), "unclear": _("Unclear")}


@coordinator_required
@require_GET
def queue(request: StaffRequest) -> HttpResponse:
    """Applications by state, oldest in their state first, with filters and a CSV export."""
    rows = (
        Application.objects.filter(association=request.association)
        # select_related: each row shows the person. annotate: reviews submitted / assigned.
        .select_related("portfolio__person")
        .annotate(
            reviews=Count("assignments", filter=Q(assignments__review_round=F("review_round")), distinct=True),
            reviews_done=Count(
                "assignments",
                filter=Q(assignments__review_round=F("review_round"), assignments__submitted_at__isnull=False),
                distinct=True,
            ),
        )
        .order_by("state_changed_at", "id")
    )
    state, category = request.GET.get("state", ""), request.GET.get("category", "")
    if state in State.values:
        rows = rows.filter(state=state)
    elif not state:
        rows = rows.exclude(state__in=[State.ENDORSED, State.WITHDRAWN])
    if category in dict(CATEGORY_CHOICES):
        rows = rows.filter(category=category)
    now = timezone.now()
    if request.GET.get("format") == "csv":
        record(actor=request.user, verb="endorsement.queue.exported", association=request.association)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="applications.csv"'
        writer = csv_writer(response)
        writer.writerow(
            [
                "application",
                "person",
                "email",
                "category",
                "state",
                "registered",
                "submitted",
                "days_in_state",
                "days_since_registered",
            ]
        )
        for a in rows[:10_000]:
            writer.writerow(
                [
                    a.public_id,
                    a.portfolio.person.display_name,
                    a.portfolio.person.email,
                    a.category,
                    a.state,
                    a.registered_at.date(),
                    a.submitted_at.date() if a.submitted_at else "",
                    (now - a.state_changed_at).days,
                    (now - a.registered_at).days,
                ]
            )
        return response
    page = list(rows[:PAGE_SIZE])
    for a in page:
        a.days_in_state = (now - a.state_changed_at).days  # type: ignore[attr-defined]
        a.age_days = (now - a.registered_at).days  # type: ignore[attr-defined]
    counts = dict(
        Application.objects.filter(association=request.association)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    return render(
        request,
        "endorsement/staff_queue.html",
        {
            "applications": page,
            "states": State.choices,
            "state": state,
            "category": category,
            "categories": CATEGORY_CHOICES,
            "counts": counts,
        },
    )


@staff_required(Role.ADMIN, Role.COORDINATOR)
@require_GET
def application_detail(request: StaffRequest, application_id: str) -> HttpResponse:
    application = get_application_for_staff(request.user, request.association, application_id)
    report = application.submission_report or None
    if application.state in {State.IN_PROGRESS, State.REGISTERED}:
        report = judge(application.portfolio, application.category).report
    assignments = (
        Assignment.objects.filter(application=application)
        .select_related("reviewer")
        .order_by("review_round", "assigned_at")
    )
    purpose = f"endorsement.application:{application.public_id}:"
    sittings = list(ExamSitting.objects.filter(application=application).prefetch_related("scores__reader"))
    return render(
        request,
        "endorsement/staff_application.html",
        {
            "application": application,
            "report": report,
            "assignments": assignments,
            "candidates": reviewer_candidates(application) if application.state == State.UNDER_REVIEW else [],
            "decisions": Decision.objects.filter(application=application).select_related("decided_by"),
            "clarifications": Clarification.objects.filter(application=application).select_related("asked_by"),
            "invoices": Invoice.objects.filter(lines__purpose__startswith=purpose)
            .distinct()
            .prefetch_related("lines", "payments"),
            "processing_paid": processing_fee_settled(application),
            "outcomes": Outcome.choices,
            "methods": PaymentMethod.choices,
            "sittings": sittings,
            # Only readers the rules allow (trained reviewers without a conflict); none to
            # work out when there is no exam.
            "readers": [c.user for c in reader_candidates(application) if not c.excluded] if sittings else [],
        },
    )


@staff_required(Role.ADMIN, Role.COORDINATOR)
@require_POST
def staff_act(request: StaffRequest, application_id: str, what: str) -> HttpResponse:
    application = get_application_for_staff(request.user, request.association, application_id)
    post = request.POST
    try:
        if what == "complete":
            check_completeness(actor=request.user, application=application, complete=True)
        elif what == "incomplete":
            check_completeness(actor=request.user, application=application, complete=False, note=post.get("note", ""))
        elif what == "assign":
            chosen = list(User.objects.filter(public_id__in=post.getlist("reviewer"))) or None
            made = assign_reviewers(actor=request.user, application=application, reviewers=chosen)
            messages.success(request, _("%(n)s reviewers assigned.") % {"n": len(made)})
        elif what == "resolve":
            decide(
                actor=request.user,
                application=application,
                outcome=post.get("outcome", ""),
                basis="coordinator",
                feedback=post.get("feedback", ""),
            )
        elif what == "resume":
            resume_review(actor=request.user, application=application)
        elif what == "relay":
            clarification = get_object_or_404(
                Clarification, application=application, public_id=post.get("clarification")
            )
            relay_clarification(actor=request.user, clarification=clarification)
        elif what == "payment":
            invoice = get_object_or_404(Invoice, association=request.association, number=post.get("invoice"))
            try:
                amount = Decimal(post.get("amount", ""))
            except InvalidOperation:
                raise ValidationError({"amount": _("Enter an amount such as 25.00.")}) from None
            payment_actions.record_payment(
                actor=request.user,
                invoice=invoice,
                method=post.get("method", ""),
                amount=amount,
                reference=post.get("reference", ""),
                reason=post.get("reason", ""),
            )
        elif what == "part1":
            sitting = get_object_or_404(ExamSitting, application=application, public_id=post.get("sitting"))
            try:
                percent = Decimal(post.get("percent", ""))
                taken_on = date.fromisoformat(post.get("taken_on", ""))
            except (InvalidOperation, ValueError):
                raise ValidationError(
                    {"part1_percent": _("Give the score (0–100) and the date (YYYY-MM-DD).")}
                ) from None
            record_part1(actor=request.user, sitting=sitting, percent=percent, taken_on=taken_on)
        elif what == "readers":
            sitting = get_object_or_404(ExamSitting, application=application, public_id=post.get("sitting"))
            readers = _chosen_readers(post.getlist("reader"))
            assign_readers(actor=request.user, sitting=sitting, readers=readers, third=post.get("third") == "on")
        elif what == "retake":
            new_sitting(actor=request.user, application=application)
        else:
            raise Http404
    except ActionRefused as refusal:
        messages.error(request, str(refusal))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Done."))
    return redirect(
        "endorsement_staff:application", association_slug=request.association.slug, application_id=application.public_id
    )


def _chosen_readers(ids: list[str]) -> list[User]:
    """The people ticked as Part 2 readers; an id that is nobody is refused, naming the field
    (who may read is the action's rule: ``actions.exam.assign_readers``)."""
    try:
        keys = {uuid.UUID(i) for i in ids}
    except ValueError:
        keys = set()
    readers = list(User.objects.filter(public_id__in=keys)) if keys else []
    if ids and len(readers) != len(set(ids)):
        raise ValidationError({"reader": _("Part 2 readers: choose readers from the list.")})
    return readers


@coordinator_required
@require_POST
def import_part1(request: StaffRequest) -> HttpResponse:
    """Part 1 scores from a CSV (email,part1_percent,taken_on): all rows or none."""
    upload = request.FILES.get("scores")
    if upload is None:
        messages.error(request, _("Choose a CSV file."))
        return redirect("endorsement_staff:queue", association_slug=request.association.slug)
    errors, rows = [], []
    try:
        text = upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        text, errors = "", [_("The file is not UTF-8 text.")]
    reader = csv.DictReader(text.splitlines())
    if text and reader.fieldnames != ["email", "part1_percent", "taken_on"]:
        errors.append(_("Row 1: the columns must be email,part1_percent,taken_on."))
    for number, row in enumerate(reader if not errors else [], start=2):
        sitting = (
            ExamSitting.objects.filter(
                application__association=request.association,
                application__portfolio__person__email__iexact=row["email"].strip(),
                completed_at__isnull=True,
            )
            .select_related("application")
            .order_by("-approved_until")
            .first()
        )
        if sitting is None:
            errors.append(
                _("Row %(row)s, column email: nobody approved to sit the exam has that address.") % {"row": number}
            )
            continue
        try:
            percent = Decimal(row["part1_percent"])
            if not 0 <= percent <= 100:
                raise InvalidOperation
        except InvalidOperation:
            errors.append(_("Row %(row)s, column part1_percent: a number from 0 to 100.") % {"row": number})
            continue
        try:
            taken = date.fromisoformat(row["taken_on"].strip())
        except ValueError:
            errors.append(_("Row %(row)s, column taken_on: a date YYYY-MM-DD.") % {"row": number})
            continue
        rows.append((sitting, percent, taken))
    if errors:
        for error in errors:
            messages.error(request, error)
        return redirect("endorsement_staff:queue", association_slug=request.association.slug)
    try:
        with transaction.atomic():
            for sitting, percent, taken in rows:
                record_part1(actor=request.user, sitting=sitting, percent=percent, taken_on=taken)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages) + " " + _("Nothing was imported."))
    else:
        messages.success(request, _("%(n)s Part 1 scores imported.") % {"n": len(rows)})
    return redirect("endorsement_staff:queue", association_slug=request.association.slug)


@coordinator_required
def reviewer_pool(request: StaffRequest) -> HttpResponse:
    """The association's reviewers: training, availability, employer (for conflicts)."""
    people = list(
        User.objects.filter(staff_roles__association=request.association, staff_roles__role=Role.REVIEWER,
                            staff_roles__revoked_at__isnull=True).distinct().order_by("email")
    )  # fmt: skip
    if request.method == "POST":
        person = next((p for p in people if str(p.public_id) == request.POST.get("reviewer")), None)
        if person is None:
            raise Http404
        update_reviewer(actor=request.user, association=request.association, reviewer=person,
                                trained=request.POST.get("trained") == "on", active=request.POST.get("active") == "on",
                                employer=request.POST.get("employer", "")[:200])  # fmt: skip
        messages.success(request, _("Saved."))
        return redirect("endorsement_staff:reviewers", association_slug=request.association.slug)
    profiles = {p.user_id: p for p in ReviewerProfile.objects.filter(association=request.association)}
    held: dict[int, list[str]] = {}
    for credential in Credential.objects.filter(person__in=people, status="active"):
        held.setdefault(credential.person_id, []).append(credential.category)
    rows = [(p, profiles.get(p.pk), held.get(p.pk, [])) for p in people]
    return render(request, "endorsement/reviewers.html", {"rows": rows})


# --- Reviewers ---------------------------------------------------------------------------------


@staff_required(Role.REVIEWER)
@require_GET
def my_reviews(request: StaffRequest) -> HttpResponse:
    """A reviewer sees only their own assignments and score sheets."""
    assignments = (
        Assignment.objects.filter(reviewer=request.user, application__association=request.association)
        .select_related("application__portfolio__person")
        .order_by("submitted_at", "assigned_at")
    )
    readings = Part2Score.objects.filter(
        reader=request.user, sitting__application__association=request.association
    ).select_related("sitting")
    return render(request, "endorsement/reviews.html", {"assignments": assignments, "readings": readings})


def _assignment(request: StaffRequest, assignment_id: str) -> Assignment:
    try:
        key = uuid.UUID(assignment_id)
    except ValueError:
        raise Http404 from None
    return get_object_or_404(
        Assignment.objects.select_related(
            "application__portfolio__person", "application__association", "application__rule_set"
        ),
        public_id=key,
        reviewer=request.user,
        application__association=request.association,
    )


@staff_required(Role.REVIEWER)
def review(request: StaffRequest, assignment_id: str) -> HttpResponse:
    assignment = _assignment(request, assignment_id)
    application = assignment.application
    from attunement.endorsement.selectors import build

    domains = [(slug, label) for slug, label in DOMAIN_CHOICES]
    if application.rule_set is not None:
        wanted = build(application.rule_set).category(application.category).domains
        domains = [(slug, label) for slug, label in DOMAIN_CHOICES if slug in wanted]
    if request.method == "POST":
        checklist = {slug: request.POST.get(f"domain-{slug}", "") for slug, _label in domains}
        checklist = {k: v for k, v in checklist.items() if v in CHECKLIST_VALUES}
        try:
            if request.POST.get("question", "").strip():
                ask_clarification(actor=request.user, application=application, question=request.POST["question"])
                messages.success(request, _("Your question went to the coordinator, who sends it on."))
            else:
                message = save_review(
                    actor=request.user,
                    assignment=assignment,
                    checklist=checklist,
                    comments=request.POST.get("comments", ""),
                    recommendation=request.POST.get("recommendation", ""),
                    submit=request.POST.get("submit") == "1",
                )
                messages.success(request, message)
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect(
            "endorsement_staff:review", association_slug=request.association.slug, assignment_id=assignment.public_id
        )
    return render(
        request,
        "endorsement/review.html",
        {
            "assignment": assignment,
            "application": application,
            "report": application.submission_report,
            "domains": domains,
            "values": CHECKLIST_VALUES,
            "outcomes": Outcome.choices,
            "clarifications": Clarification.objects.filter(application=application, asked_by=request.user),
            "portfolio_open": reviewing(request.user, application.portfolio),
        },
    )


@staff_required(Role.REVIEWER)
def reading(request: StaffRequest, score_id: str) -> HttpResponse:
    """Part 2 answers to score, shown by anonymous code only."""
    try:
        key = uuid.UUID(score_id)
    except ValueError:
        raise Http404 from None
    score = get_object_or_404(
        Part2Score.objects.select_related("sitting"),
        public_id=key,
        reader=request.user,
        sitting__application__association=request.association,
    )
    if request.method == "POST":
        rubric = {}
        for criterion in ("understanding", "reflection", "relationships", "culture"):
            value = request.POST.get(criterion, "")
            if value in {"1", "2", "3", "4"}:
                rubric[criterion] = int(value)
        passed = request.POST.get("passed")
        if len(rubric) < 4 or passed not in {"yes", "no"}:
            messages.error(request, _("Score every criterion and say whether the answers pass."))
        else:
            try:
                messages.success(
                    request,
                    score_part2(
                        actor=request.user,
                        score=score,
                        rubric=rubric,
                        passed=passed == "yes",
                        comments=request.POST.get("comments", ""),
                    ),
                )
            except ActionRefused as refusal:
                messages.error(request, str(refusal))
        return redirect("endorsement_staff:reviews", association_slug=request.association.slug)
    return render(request, "endorsement/reading.html", {"score": score, "sitting": score.sitting})


@coordinator_required
def renewals(request: StaffRequest) -> HttpResponse:
    """Renewals waiting for staff (those not approved at once), and reminders with bounces."""
    from attunement.endorsement.models import Reminder, Renewal, RenewalState

    if request.method == "POST" and request.POST.get("reminder", "").isdigit():
        reminder = get_object_or_404(Reminder, association=request.association, pk=int(request.POST["reminder"]))
        try:
            mark_reminder_bounced(actor=request.user, reminder=reminder)
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
        return redirect("endorsement_staff:renewals", association_slug=request.association.slug)
    if request.method == "POST":
        renewal_obj = get_object_or_404(Renewal, association=request.association, public_id=request.POST.get("renewal"))
        try:
            if request.POST.get("what") == "approve":
                approve_renewal(actor=request.user, renewal=renewal_obj)
            else:
                return_renewal(actor=request.user, renewal=renewal_obj, note=request.POST.get("note", ""))
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Done."))
        return redirect("endorsement_staff:renewals", association_slug=request.association.slug)
    waiting = Renewal.objects.filter(association=request.association, state=RenewalState.UNDER_REVIEW).select_related(
        "person"
    )[:PAGE_SIZE]
    reminders = (
        Reminder.objects.filter(association=request.association)
        .select_related("person")
        .order_by("-created_at")[:PAGE_SIZE]
    )
    return render(request, "endorsement/staff_renewals.html", {"waiting": waiting, "reminders": reminders})


@coordinator_required
def credentials(request: StaffRequest) -> HttpResponse:
    """The association's credentials: inactive status, reactivation, archiving, emeritus;
    suspension, restoration and revocation (with a reason)."""
    from attunement.endorsement.models import CredentialStatus

    if request.method == "POST":
        credential = get_object_or_404(
            Credential, association=request.association, public_code=request.POST.get("code", "")
        )
        what = request.POST.get("what")
        try:
            if what == "inactive":
                set_inactive(
                    actor=request.user, credential=credential, until=date.fromisoformat(request.POST.get("until", ""))
                )
            elif what == "reactivate":
                reactivate(actor=request.user, credential=credential)
            elif what in {CredentialStatus.ARCHIVED, CredentialStatus.EMERITUS}:
                change_status(actor=request.user, credential=credential, status=what)
            elif what in {"suspend", "revoke", "restore"}:
                from attunement.endorsement.actions.credential import (
                    restore_credential,
                    revoke_credential,
                    suspend_credential,
                )

                act = {"suspend": suspend_credential, "revoke": revoke_credential, "restore": restore_credential}[what]
                act(actor=request.user, credential=credential, reason=request.POST.get("reason", ""))
            else:
                raise Http404
        except ValueError:
            messages.error(request, _("Give the end date as YYYY-MM-DD."))
        except ActionRefused as refusal:
            messages.error(request, str(refusal))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Done."))
        return redirect("endorsement_staff:credentials", association_slug=request.association.slug)
    status = request.GET.get("status", "")
    rows = (
        Credential.objects.filter(association=request.association)
        .select_related("person")
        .order_by("person__email", "category")
    )
    if status in CredentialStatus.values:
        rows = rows.filter(status=status)
    return render(
        request,
        "endorsement/staff_credentials.html",
        {"credentials": rows[:PAGE_SIZE], "statuses": CredentialStatus.choices, "status": status},
    )
