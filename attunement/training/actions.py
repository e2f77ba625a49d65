"""Writes of the training hub. Each is one transaction and leaves one audit event."""

from __future__ import annotations

import zoneinfo
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from attunement.associations.models import Association
from attunement.audit.actions import record
from attunement.lib.errors import ActionRefused
from attunement.payments.actions import Line, issue_invoice, record_payment
from attunement.payments.models import FeeKind, Invoice, InvoiceStatus, PaymentMethod
from attunement.people.models import User
from attunement.portfolios.actions import credit_entries
from attunement.portfolios.models import Portfolio, Provenance, Training, Verification
from attunement.training import attendance_file
from attunement.training.access import can_decide_courses, can_manage
from attunement.training.documents import render_attendance_certificates
from attunement.training.models import (
    Attendance,
    Course,
    CourseStatus,
    Part,
    Provider,
    Registration,
    RegistrationStatus,
    Session,
)
from attunement.workforce.checkin import TOPICS

COURSE_FIELDS = frozenset(
    {
        "title", "description", "domains", "areas", "topics", "dei", "about_rsc", "clock_hours", "audience_roles",
        "audience_service_levels", "age_band", "language", "cost_cents", "scholarship_seats",
    }
)  # fmt: skip


@dataclass(frozen=True)
class PartSpec:
    starts_at: datetime
    ends_at: datetime
    hours: Decimal


@transaction.atomic
def create_provider(
    *, actor: User | None, association: Association, name: str, website: str = "", trainers: Sequence[User] = ()
) -> Provider:
    provider = Provider.objects.create(association=association, name=name, website=website)
    provider.trainers.set(trainers)
    record(actor=actor, verb="training.provider.created", association=association, target=provider,
           data={"name": name, "trainers": [t.email for t in trainers]})  # fmt: skip
    return provider


@transaction.atomic
def create_course(*, actor: User | None, provider: Provider, submit: bool = False, **fields: Any) -> Course:
    """A course of ``provider``: a draft, or (``submit``) sent at once to staff for approval."""
    unknown = set(fields) - COURSE_FIELDS
    if unknown:
        raise TypeError(f"unknown course fields: {sorted(unknown)}")
    bad_topics = set(fields.get("topics", ())) - TOPICS
    if bad_topics:
        raise ValidationError({"topics": _("Unknown topics: %(topics)s.") % {"topics": ", ".join(sorted(bad_topics))}})
    status = CourseStatus.SUBMITTED if submit else CourseStatus.DRAFT
    course = Course(association=provider.association, provider=provider, created_by=actor, status=status, **fields)
    course.full_clean()
    course.save_tags()
    course.save()
    record(actor=actor, verb="training.course.created", association=course.association, target=course,
           data={"title": course.title, "hours": str(course.clock_hours), "submitted": submit})  # fmt: skip
    return course


@transaction.atomic
def submit_course(*, actor: User, course: Course) -> Course:
    """A draft (or a rejected course, changed) goes to the association's staff for approval."""
    changed = Course.objects.filter(pk=course.pk, status__in=[CourseStatus.DRAFT, CourseStatus.REJECTED]).update(
        status=CourseStatus.SUBMITTED
    )
    if not changed:
        raise ActionRefused(_("This course is already submitted or approved."))
    course.status = CourseStatus.SUBMITTED
    record(actor=actor, verb="training.course.submitted", association=course.association, target=course)
    return course


def _decide(actor: User, course: Course, status: CourseStatus, reason: str) -> Course:
    if not can_decide_courses(actor, course.association):
        raise ActionRefused(_("Only the association's coordinators and admins approve courses."))
    now = timezone.now()
    changed = Course.objects.filter(pk=course.pk, status=CourseStatus.SUBMITTED).update(
        status=status, decided_by=actor, decided_at=now, decision_reason=reason
    )
    if not changed:
        raise ActionRefused(_("This course is not waiting for approval (someone may have decided it already)."))
    course.status, course.decided_by, course.decided_at, course.decision_reason = status, actor, now, reason
    return course


@transaction.atomic
def approve_course(*, actor: User, course: Course) -> Course:
    """Approved courses count automatically: their sessions post verified training records."""
    _decide(actor, course, CourseStatus.APPROVED, "")
    record(actor=actor, verb="training.course.approved", association=course.association, target=course)
    return course


@transaction.atomic
def reject_course(*, actor: User, course: Course, reason: str) -> Course:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the course is not approved.")})
    _decide(actor, course, CourseStatus.REJECTED, reason.strip())
    record(actor=actor, verb="training.course.rejected", association=course.association, target=course,
           data={"reason": reason.strip()})  # fmt: skip
    return course


def _local_date(moment: datetime, association: Association) -> Any:
    return timezone.localtime(moment, zoneinfo.ZoneInfo(association.time_zone)).date()


@transaction.atomic
def create_session(
    *,
    actor: User | None,
    course: Course,
    parts: Sequence[PartSpec],
    capacity: int,
    delivery: str = "in_person",
    region: str = "",
    place: str = "",
    fee_cents: int | None = None,
    trainer: User | None = None,
) -> Session:
    """A session of ``course`` in one or more parts (a day, or a series)."""
    if not parts:
        raise ValidationError({"parts": _("A session needs at least one part.")})
    ordered = sorted(parts, key=lambda p: p.starts_at)
    for spec in ordered:
        if spec.ends_at <= spec.starts_at:
            raise ValidationError({"parts": _("A part must end after it starts.")})
        if spec.hours <= 0:
            raise ValidationError({"parts": _("A part must have some hours.")})
    association = course.association
    session = Session(
        association=association,
        course=course,
        trainer=trainer,
        delivery=delivery,
        region=region,
        place=place,
        capacity=capacity,
        fee_cents=course.cost_cents if fee_cents is None else fee_cents,
        starts_on=_local_date(ordered[0].starts_at, association),
        ends_on=_local_date(ordered[-1].ends_at, association),
    )
    session.full_clean()
    session.save()
    Part.objects.bulk_create(
        Part(session=session, position=i, starts_at=p.starts_at, ends_at=p.ends_at, hours=p.hours)
        for i, p in enumerate(ordered, start=1)
    )
    record(actor=actor, verb="training.session.created", association=association, target=session,
           data={"course": str(course.public_id), "parts": len(ordered), "capacity": capacity})  # fmt: skip
    return session


def _lock(session: Session) -> Session:
    # of=("self",): the trainer is a nullable relation PostgreSQL will not lock.
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("course", "course__provider", "association", "trainer")
        .get(pk=session.pk)
    )


def _invoice(actor: User | None, session: Session, registration: Registration) -> None:
    if session.fee_cents == 0 or registration.scholarship:
        return
    registration.invoice = issue_invoice(
        actor=actor,
        association=session.association,
        billed_to=registration.person,
        lines=[
            Line(
                FeeKind.OTHER,
                _("Training: %(title)s (%(day)s)") % {"title": session.course.title, "day": session.starts_on},
                session.fee,
                f"training.registration:{registration.public_id}",
                registration.person,
            )
        ],
    )
    Registration.objects.filter(pk=registration.pk).update(invoice=registration.invoice)


def _release_invoice(actor: User | None, invoice_id: int | None) -> None:
    """A cancelled seat's unpaid fee is waived (a paid one is for staff to refund). The invoice
    is locked before its status and balance are read: a payment recorded at the same moment
    either settles it first (nothing is waived) or waits and is refused."""
    if invoice_id is None:
        return
    invoice = Invoice.objects.select_for_update(of=("self",)).filter(pk=invoice_id, status=InvoiceStatus.OPEN).first()
    if invoice is None:
        return
    outstanding = invoice.total - invoice.paid_amount()
    if outstanding > 0:
        record_payment(actor=actor, invoice=invoice, method=PaymentMethod.WAIVER, amount=outstanding,
                       reason=_("Training registration cancelled"))  # fmt: skip


@transaction.atomic
def register_for_session(*, actor: User, session: Session, scholarship: bool = False) -> Registration:
    """A seat if one is free, else a place on the waitlist. The session row is locked, so two
    people taking the last seat at once get one seat and one waitlist place."""
    session = _lock(session)
    if session.cancelled_at is not None or session.finalised_at is not None:
        raise ActionRefused(_("This session is no longer taking registrations."))
    if session.ends_on < _local_date(timezone.now(), session.association):
        raise ActionRefused(_("This session is over."))
    active = Registration.objects.filter(session=session).exclude(status=RegistrationStatus.CANCELLED)
    if active.filter(person=actor).exists():
        raise ActionRefused(_("You are already registered or on the waitlist for this session."))
    if scholarship:
        used = active.filter(scholarship=True).count()
        if used >= session.course.scholarship_seats:
            raise ActionRefused(_("No scholarship seats are left for this session."))
    taken = active.filter(status=RegistrationStatus.REGISTERED).count()
    if taken < session.capacity:
        registration = Registration.objects.create(
            session=session, person=actor, status=RegistrationStatus.REGISTERED, scholarship=scholarship
        )
        _invoice(actor, session, registration)
    else:
        last = active.filter(status=RegistrationStatus.WAITLISTED).aggregate(m=Max("position"))["m"] or 0
        registration = Registration.objects.create(
            session=session,
            person=actor,
            status=RegistrationStatus.WAITLISTED,
            position=last + 1,
            scholarship=scholarship,
        )
    registration.session = session
    record(actor=actor, verb=f"training.registration.{registration.status}", association=session.association,
           target=session, data={"person": actor.email, "scholarship": scholarship})  # fmt: skip
    return registration


def _send_promotion_mail(registration: Registration) -> None:
    person = registration.person
    with translation.override(person.preferred_language or None):
        subject = _("A seat opened for you: %(title)s") % {"title": registration.session.course.title}
        body = render_to_string("training/email/promoted.txt", {"registration": registration, "person": person})
    send_mail(subject, body, None, [person.email])


@transaction.atomic
def cancel_registration(*, actor: User, registration: Registration) -> Registration | None:
    """Cancel a seat or a waitlist place; a freed seat goes at once to the first person on
    the waitlist (returned), who is told by mail once this commits."""
    session = _lock(registration.session)
    if session.finalised_at is not None:
        raise ActionRefused(_("This session is finalised; its registrations are kept as they are."))
    now = timezone.now()
    was = Registration.objects.filter(pk=registration.pk).values_list("status", flat=True).first()
    changed = Registration.objects.filter(
        pk=registration.pk, status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED]
    ).update(status=RegistrationStatus.CANCELLED, cancelled_at=now)
    if not changed:
        raise ActionRefused(_("This registration is already cancelled."))
    registration.status, registration.cancelled_at = RegistrationStatus.CANCELLED, now
    _release_invoice(actor, Registration.objects.values_list("invoice", flat=True).get(pk=registration.pk))
    promoted = None
    if was == RegistrationStatus.REGISTERED:
        promoted = (
            Registration.objects.select_related("person")
            .filter(session=session, status=RegistrationStatus.WAITLISTED)
            .order_by("position", "id")
            .first()
        )
        if promoted is not None:
            Registration.objects.filter(pk=promoted.pk).update(status=RegistrationStatus.REGISTERED)
            promoted.status = RegistrationStatus.REGISTERED
            promoted.session = session
            _invoice(actor, session, promoted)
            chosen = promoted
            transaction.on_commit(lambda: _send_promotion_mail(chosen))
    record(
        actor=actor,
        verb="training.registration.cancelled",
        association=session.association,
        target=session,
        data={
            "registration": str(registration.public_id),
            "promoted": str(promoted.public_id) if promoted else None,
        },
    )
    return promoted


def _send_cancellation_mail(session: Session, people: list[User]) -> None:
    for person in people:
        with translation.override(person.preferred_language or None):
            subject = _("Cancelled: %(title)s") % {"title": session.course.title}
            body = render_to_string("training/email/session_cancelled.txt", {"session": session, "person": person})
        send_mail(subject, body, None, [person.email])


@transaction.atomic
def cancel_session(*, actor: User, session: Session) -> int:
    """Cancel a whole session: every seat and waitlist place is cancelled and the people told
    by mail once this commits. Returns how many were registered or waiting."""
    session = _managed(actor, session)
    now = timezone.now()
    if not Session.objects.filter(pk=session.pk, cancelled_at__isnull=True).update(cancelled_at=now):
        raise ActionRefused(_("This session is already cancelled."))
    session.cancelled_at = now
    active = Registration.objects.filter(
        session=session, status__in=[RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED]
    )
    cancelled = list(active.select_related("person"))
    people = [r.person for r in cancelled]
    active.update(status=RegistrationStatus.CANCELLED, cancelled_at=now)
    for registration in cancelled:
        _release_invoice(actor, registration.invoice_id)
    transaction.on_commit(lambda: _send_cancellation_mail(session, people))
    record(actor=actor, verb="training.session.cancelled", association=session.association, target=session,
           data={"people": len(people)})  # fmt: skip
    return len(people)


def _managed(actor: User, session: Session) -> Session:
    session = _lock(session)
    if not can_manage(actor, session):
        raise ActionRefused(_("Only the session's trainers and the association's coordinators may do this."))
    if session.finalised_at is not None:
        raise ActionRefused(_("This session is finalised; attendance can no longer change."))
    return session


def _registered(session: Session) -> list[Registration]:
    # select_related: the person's address keys the attendance file.
    return list(
        Registration.objects.select_related("person").filter(session=session, status=RegistrationStatus.REGISTERED)
    )


def _write_attendance(actor: User, grid: dict[tuple[int, int], Decimal]) -> None:
    now = timezone.now()
    Attendance.objects.bulk_create(
        [
            Attendance(
                registration_id=reg_pk, part_id=part_pk, present=hours > 0, hours=hours, marked_by=actor, marked_at=now
            )
            for (reg_pk, part_pk), hours in grid.items()
        ],
        update_conflicts=True,
        unique_fields=["registration", "part"],
        update_fields=["present", "hours", "marked_by", "marked_at"],
    )


@transaction.atomic
def mark_attendance(*, actor: User, session: Session, present: Collection[tuple[str, int]]) -> int:
    """The checklist: every registered person x every part, ticked (``present`` holds
    ``(registration public id, part number)``) or not. Returns the number present."""
    session = _managed(actor, session)
    parts = {p.position: p for p in session.parts.all()}
    registrations = {r.pk: r for r in _registered(session)}
    ticked = {(str(reg), int(pos)) for reg, pos in present}
    grid = {
        (r.pk, part.pk): part.hours if (str(r.public_id), pos) in ticked else Decimal(0)
        for r in registrations.values()
        for pos, part in parts.items()
    }
    _write_attendance(actor, grid)
    count = sum(1 for hours in grid.values() if hours > 0)
    record(actor=actor, verb="training.attendance.marked", association=session.association, target=session,
           data={"present": count, "of": len(grid)})  # fmt: skip
    return count


@transaction.atomic
def upload_attendance(*, actor: User, session: Session, text: str, file_name: str = "") -> int:
    """Attendance from a CSV file, all or nothing (raises ``AttendanceFileError`` naming each
    row and column). Returns the number of people the file named."""
    session = _managed(actor, session)
    parts = list(session.parts.order_by("position"))
    registrations = {r.person.email.lower(): r for r in _registered(session)}
    parsed = attendance_file.parse(text, people=registrations, part_hours=[p.hours for p in parts])
    grid = {
        (registrations[email].pk, parts[i].pk): hours
        for email, hours_list in parsed.items()
        for i, hours in enumerate(hours_list)
        if hours is not None
    }
    _write_attendance(actor, grid)
    record(actor=actor, verb="training.attendance.uploaded", association=session.association, target=session,
           data={"file": file_name, "people": len(parsed)})  # fmt: skip
    return len(parsed)


def _entry(registration: Registration, session: Session, portfolio: Portfolio, actor: User | None) -> Training:
    course = session.course
    verified = course.approved
    return Training(
        portfolio=portfolio,
        title=course.title,
        provider=course.provider.name,
        date=session.ends_on,
        hours=registration.credited_hours or Decimal(0),
        domains=list(course.domains),
        dei=course.dei,
        about_rsc=course.about_rsc,
        provenance=Provenance.TRAINING,
        verification=Verification.VERIFIED if verified else Verification.UNVERIFIED,
        verified_by=actor if verified else None,
        verified_at=timezone.now() if verified else None,
    )


@dataclass(frozen=True)
class Finalised:
    credited: int
    waiting_for_portfolio: int
    hours: Decimal


@transaction.atomic
def finalise_session(*, actor: User, session: Session) -> Finalised:
    """Post each attendee's hours (partial attendance, partial hours) to their portfolio as a
    training record: verified when the course is approved, else self-reported. Once only:
    a second call is refused and credits nothing. Attendees without a portfolio are credited
    when they start one (``claim_training``)."""
    session = _managed(actor, session)
    parts = list(session.parts.order_by("position"))
    if parts and parts[-1].starts_at > timezone.now():
        raise ActionRefused(_("The session has not taken place yet."))
    # prefetch: each attendee's attendance rows, in one query.
    registrations = list(
        Registration.objects.filter(session=session, status=RegistrationStatus.REGISTERED).prefetch_related(
            "attendance"
        )
    )
    incomplete = [r for r in registrations if len(r.attendance.all()) < len(parts)]
    if incomplete:
        raise ActionRefused(
            _("Attendance is not complete: %(n)s people have parts not marked yet.") % {"n": len(incomplete)}
        )
    now = timezone.now()
    if not Session.objects.filter(pk=session.pk, finalised_at__isnull=True).update(
        finalised_at=now, finalised_by=actor
    ):
        raise ActionRefused(_("This session is already finalised."))
    session.finalised_at, session.finalised_by = now, actor
    # select_related: each portfolio's audit event is labelled with its person's name.
    portfolios = {
        p.person_id: p
        for p in Portfolio.objects.filter(person_id__in=[r.person_id for r in registrations]).select_related("person")
    }
    waiting = 0
    total = Decimal(0)
    to_credit: list[tuple[Registration, Training]] = []
    for registration in registrations:
        registration.credited_hours = sum((a.hours for a in registration.attendance.all() if a.present), Decimal(0))
        total += registration.credited_hours
        portfolio = portfolios.get(registration.person_id)
        if registration.credited_hours > 0 and registration.training_entry_id is None:
            if portfolio is None:
                waiting += 1
            else:
                to_credit.append((registration, _entry(registration, session, portfolio, actor)))
    credit_entries(
        actor=actor,
        entries=[entry for _registration, entry in to_credit],
        source=f"training.session:{session.public_id}",
    )
    for registration, entry in to_credit:
        registration.training_entry = entry
    credited = len(to_credit)
    Registration.objects.bulk_update(registrations, ["credited_hours", "training_entry"])
    record(actor=actor, verb="training.session.finalised", association=session.association, target=session,
           data={"credited": credited, "waiting_for_portfolio": waiting, "hours": str(total)})  # fmt: skip
    # The attendance certificates, made by a task before people come to download them.
    render_attendance_certificates.enqueue(session.pk)
    return Finalised(credited=credited, waiting_for_portfolio=waiting, hours=total)


@transaction.atomic
def claim_training(*, actor: User) -> int:
    """Post the finalised sessions ``actor`` attended before they had a portfolio."""
    portfolio = Portfolio.objects.filter(person=actor).select_related("person").first()
    if portfolio is None:
        raise ActionRefused(_("Start your portfolio first."))
    pending = list(
        Registration.objects.select_for_update(of=("self",))
        .select_related("session__course__provider", "session__association", "session__finalised_by")
        .filter(person=actor, training_entry__isnull=True, credited_hours__gt=0, session__finalised_at__isnull=False)
    )
    entries = [_entry(r, r.session, portfolio, r.session.finalised_by) for r in pending]
    credit_entries(actor=actor, entries=entries, source="training.claimed")
    for registration, entry in zip(pending, entries, strict=True):
        registration.training_entry = entry
    Registration.objects.bulk_update(pending, ["training_entry"])
    record(actor=actor, verb="training.records.claimed", association=portfolio.association, target=portfolio,
           data={"sessions": len(pending)})  # fmt: skip
    return len(pending)


@transaction.atomic
def record_transcript_export(*, actor: User, kind: str, rows: int) -> None:
    """A person exported their own training transcript (personal data leaves a trail)."""
    portfolio = Portfolio.objects.filter(person=actor).select_related("association").first()
    record(actor=actor, verb="training.transcript.exported", association=portfolio.association if portfolio else None,
           target=actor, data={"format": kind, "rows": rows})  # fmt: skip
