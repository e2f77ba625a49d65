"""Helpers shared by the training tests and the permission table."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from attunement.associations.models import Association
from attunement.people.models import User
from attunement.training.actions import PartSpec
from attunement.training.models import (
    Course,
    CourseStatus,
    Part,
    Provider,
    Registration,
    RegistrationStatus,
    Session,
)


def make_provider(association: Association, *trainers: User, name: str = "Riverbend Training Institute") -> Provider:
    provider, _created = Provider.objects.get_or_create(association=association, name=name)
    provider.trainers.add(*trainers)
    return provider


def make_course(provider: Provider, status: str = CourseStatus.APPROVED, **fields: Any) -> Course:
    values: dict[str, Any] = {
        "title": "Attachment in the first year",
        "description": "How infants form attachments; what home visitors can do.",
        "domains": ["theoretical-foundations", "direct-service-skills"],
        "topics": ["attachment", "child_development"],
        "clock_hours": Decimal(6),
        "language": "en",
        **fields,
    }
    course = Course(association=provider.association, provider=provider, status=status, **values)
    course.save_tags()
    course.save()
    return course


def part_specs(count: int = 1, *, days: int = 7, hours: int = 3) -> list[PartSpec]:
    """``count`` parts a week apart, the first ``days`` from now (negative: in the past)."""
    start = timezone.now().replace(hour=14, minute=0, second=0, microsecond=0) + timedelta(days=days)
    return [
        PartSpec(start + timedelta(weeks=i), start + timedelta(weeks=i, hours=hours), Decimal(hours))
        for i in range(count)
    ]


def make_session(course: Course, *, parts: int = 1, days: int = 7, hours: int = 3, **fields: Any) -> Session:
    specs = part_specs(parts, days=days, hours=hours)
    values: dict[str, Any] = {"capacity": 10, "delivery": "in_person", "region": "Rutland County", **fields}
    session = Session.objects.create(
        association=course.association,
        course=course,
        starts_on=timezone.localdate(specs[0].starts_at),
        ends_on=timezone.localdate(specs[-1].ends_at),
        fee_cents=values.pop("fee_cents", course.cost_cents),
        **values,
    )
    Part.objects.bulk_create(
        Part(session=session, position=i, starts_at=s.starts_at, ends_at=s.ends_at, hours=s.hours)
        for i, s in enumerate(specs, start=1)
    )
    return session


def training_world(ctx: dict[str, Any]) -> dict[str, Any]:
    """Riverbend's provider (the trainer persona listed), an approved course with a session
    that took place (led by the trainer) where the applicant is registered, and a submitted course."""
    if "training" in ctx:
        return ctx["training"]
    portfolio = ctx["portfolio"]
    association = portfolio.association
    trainer = User.objects.get(email="trainer@riverbend.example")
    provider = make_provider(association, trainer)
    course = make_course(provider)
    session = make_session(course, days=-3, trainer=trainer)
    registration = Registration.objects.create(
        session=session, person=portfolio.person, status=RegistrationStatus.REGISTERED
    )
    submitted = make_course(provider, CourseStatus.SUBMITTED, title="DC:0-5 in practice")
    done = make_session(course, days=-30, trainer=trainer, finalised_at=timezone.now())
    attended = Registration.objects.create(
        session=done, person=portfolio.person, status=RegistrationStatus.REGISTERED, credited_hours=Decimal(3)
    )
    ctx["training"] = {"provider": provider, "course": course, "session": session, "registration": registration,
                       "submitted": submitted, "attended": attended}  # fmt: skip
    return ctx["training"]


def kw(ctx: dict[str, Any], *names: str, **more: Any) -> dict[str, Any]:
    """Permission-table kwargs naming training objects by public id."""
    world = training_world(ctx)
    keys = {"session": "session_id", "submitted": "course_id"}
    return {**{keys[n]: world[n].public_id for n in names}, "association_slug": "riverbend", **more}


def certificate(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"registration_id": training_world(ctx)["attended"].public_id}


def certificate_code(ctx: dict[str, Any]) -> dict[str, Any]:
    return {"association_slug": "riverbend", "code": training_world(ctx)["attended"].certificate_code}


def feed_token(ctx: dict[str, Any]) -> dict[str, Any]:
    from attunement.training.me_views import feed_token as token

    training_world(ctx)
    return {"token": token(ctx["portfolio"].person)}


def attendance_file(ctx: dict[str, Any]) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    training_world(ctx)
    body = f"email,part,present\n{ctx['portfolio'].person.email},1,yes\n".encode()
    return {"file": SimpleUploadedFile("attendance.csv", body, content_type="text/csv")}
