"""The training hub's part of the demo: Riverbend's training institute with approved courses
(one a ten-month foundations series), and a session Alex attended three days ago whose
attendance Tom (the trainer persona) has marked and can finalise: Alex's "what do I still
need" page then shows the hours without Alex doing anything (IMHS training goes from 31 of
33 hours to met)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from attunement.training import actions
from attunement.training.actions import PartSpec
from attunement.training.models import Provider, Registration, RegistrationStatus

if TYPE_CHECKING:
    from attunement.demo.base import Demo

PROVIDER = "Riverbend Training Institute"


def _parts(start_days: int, count: int, hours: Decimal, every_days: int = 7, at: int = 13) -> list[PartSpec]:
    first = timezone.now().replace(hour=at, minute=0, second=0, microsecond=0) + timedelta(days=start_days)
    length = timedelta(minutes=int(hours * 60))
    return [
        PartSpec(first + timedelta(days=i * every_days), first + timedelta(days=i * every_days) + length, hours)
        for i in range(count)
    ]


def training_demo(demo: Demo) -> None:
    riverbend = demo.associations["riverbend"]
    if Provider.objects.filter(association=riverbend, name=PROVIDER).exists():
        return
    tom, maria, alex = demo.personas["trainer"], demo.personas["coordinator"], demo.personas["applicant"]
    provider = actions.create_provider(actor=maria, association=riverbend, name=PROVIDER,
                                       website="https://riverbend-aimh.example/training", trainers=[tom])  # fmt: skip

    def course(approve: bool = True, **fields: Any) -> Any:
        made = actions.create_course(actor=tom, provider=provider, **fields)
        actions.submit_course(actor=tom, course=made)
        if approve:
            actions.approve_course(actor=maria, course=made)
        return made

    foundations = course(
        title="Foundations of Infant and Early Childhood Mental Health (10-month series)",
        description="Ten monthly parts: development, attachment, assessment, relationship-based practice.",
        domains=["theoretical-foundations", "direct-service-skills", "reflection"],
        topics=["iecmh_fundamentals", "attachment", "child_development"],
        clock_hours=Decimal(33),
        audience_roles=["home_visitor", "early_educator", "clinician"],
        audience_service_levels=["promotion", "prevention"],
        age_band="both",
        cost_cents=45000,
        scholarship_seats=4,
    )
    actions.create_session(actor=tom, course=foundations, parts=_parts(21, 10, Decimal("3.3"), every_days=30),
                           capacity=24, delivery="hybrid", region="Rutland County",
                           place="Rutland Free Library, community room", trainer=tom)  # fmt: skip
    reflective = course(
        title="Reflective practice: an introduction",
        description="What reflective supervision is, and how to use it in home visiting.",
        domains=["reflection", "working-with-others"],
        topics=["reflective_practice"],
        clock_hours=Decimal(3),
        age_band="both",
    )
    past = actions.create_session(actor=tom, course=reflective, parts=_parts(-3, 1, Decimal(3)), capacity=20,
                                  delivery="virtual", region="Statewide", trainer=tom)  # fmt: skip
    dei = course(
        title="Working with culturally diverse families",
        domains=["communicating", "systems-expertise"],
        topics=["culturally_diverse_families", "high_risk_families"],
        dei=True,
        clock_hours=Decimal(6),
        language="es",
        cost_cents=4500,
        scholarship_seats=2,
    )
    actions.create_session(actor=tom, course=dei, parts=_parts(10, 2, Decimal(3)), capacity=2,
                           delivery="in_person", region="Chittenden County", place="Burlington", trainer=tom)  # fmt: skip
    dc05 = course(title="DC:0-5 diagnosis in practice", topics=["dc0_5_diagnosis", "assessment"],
                  domains=["thinking"], clock_hours=Decimal(4))  # fmt: skip
    actions.create_session(actor=tom, course=dc05, parts=_parts(35, 1, Decimal(4)), capacity=30,
                           delivery="virtual", region="Statewide", trainer=tom)  # fmt: skip
    course(approve=False, title="Neurodevelopmental differences in toddlers", topics=["neurodevelopmental"],
           domains=["direct-service-skills"], clock_hours=Decimal(2))  # fmt: skip
    # Alex and three members had registered for the introduction (one did not come); Tom marked
    # the checklist and can finalise it from his roster. (Registering for a session that is
    # over is refused, so the demo writes these registrations directly.)
    attendees = [alex, *demo.members.get("riverbend", [])[:3]]
    registrations = [
        Registration.objects.create(
            session=past,
            person=person,
            status=RegistrationStatus.REGISTERED,
            created_at=timezone.now() - timedelta(days=10),
        )
        for person in attendees
    ]
    ticked = [(str(r.public_id), 1) for r in registrations[:-1]]
    actions.mark_attendance(actor=tom, session=past, present=ticked)
