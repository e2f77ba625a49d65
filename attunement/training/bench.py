"""``make bench BENCH_ARGS=training``: the public catalog at 100 and 10,000 sessions (a keyset
page of 20, filtered and not), and finalising a 100-attendee, 10-part series."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from functools import partial

from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone

from attunement.lib.bench import Figure, benchmark, sized, time_calls
from attunement.lib.testing import count_queries

SIZES = sized((100, 10000), (4, 8))


@benchmark("training", "training catalog at 100 and 10,000 sessions; finalising a 100-person, 10-part series")
def training() -> list[Figure]:
    from attunement.associations import actions as association_actions
    from attunement.associations.models import Association, Role
    from attunement.people.models import User
    from attunement.portfolios.models import Portfolio
    from attunement.training import actions
    from attunement.training.models import Course, CourseStatus, Part, Provider, Registration, Session

    association = Association.objects.filter(slug="bench-training").first() or association_actions.create_association(
        actor=None, slug="bench-training", name="Bench Training AIMH", contact_email="training@example.org"
    )
    provider = Provider.objects.create(association=association, name="Bench institute")
    courses = []
    for i, topic in enumerate(["attachment", "assessment", "reflective_practice", "dc0_5_diagnosis"]):
        course = Course(association=association, provider=provider, title=f"Course {i}", topics=[topic],
                        domains=["reflection"], clock_hours=Decimal(3), status=CourseStatus.APPROVED)  # fmt: skip
        course.save_tags()
        course.save()
        courses.append(course)
    anonymous = Client()
    baseline = time_calls(partial(anonymous.get, "/healthz"), repeat=200)
    figures = [Figure("health (trivial view, baseline)", baseline.median, "ms", f"p99 {baseline.p(99):.2f} ms")]
    today = timezone.localdate()
    have = 0
    for size in SIZES:
        Session.objects.bulk_create(
            Session(
                association=association,
                course=courses[i % 4],
                capacity=20,
                starts_on=today + timedelta(days=i % 300),
                ends_on=today + timedelta(days=i % 300),
                region=f"Region {i % 12}",
                delivery=("in_person", "virtual")[i % 2],
                fee_cents=(0, 2500)[i % 3 == 0],
            )
            for i in range(have, size)
        )
        have = size
        for label, url in (("page 1", "/bench-training/training/"),
                           ("filtered", "/bench-training/training/?topic=attachment&virtual=yes&free=yes")):  # fmt: skip
            page = time_calls(partial(anonymous.get, url), repeat=50)
            figures.append(Figure(f"catalog {label}, {size:,} sessions", page.median, "ms",
                                  f"p99 {page.p(99):.2f} ms, {count_queries(partial(anonymous.get, url))} queries"))  # fmt: skip
    trainer = User.objects.create(email="trainer@bench-training.example", password=make_password(None))
    association_actions.grant_staff_role(actor=None, association=association, user=trainer, role=Role.TRAINER)
    start = timezone.now() - timedelta(days=300)
    session = Session.objects.create(association=association, course=courses[0], capacity=100, trainer=trainer,
                                     starts_on=start.date(), ends_on=(start + timedelta(days=270)).date())  # fmt: skip
    Part.objects.bulk_create(Part(session=session, position=i + 1, starts_at=start + timedelta(days=30 * i),
                                  ends_at=start + timedelta(days=30 * i, hours=3), hours=Decimal("3.3"))
                             for i in range(10))  # fmt: skip
    people = User.objects.bulk_create(
        User(email=f"att{i}@bench-training.example", password=make_password(None)) for i in range(100)
    )
    Portfolio.objects.bulk_create(Portfolio(person=p, association=association) for p in people)
    regs = Registration.objects.bulk_create(
        Registration(session=session, person=p, status="registered") for p in people
    )
    present = [(str(r.public_id), part) for i, r in enumerate(regs) for part in range(1, 11) if (i + part) % 7]
    started = timezone.now()
    queries = count_queries(partial(actions.mark_attendance, actor=trainer, session=session, present=present))
    figures.append(Figure("mark attendance, 100 people x 10 parts", (timezone.now() - started).total_seconds() * 1000,
                          "ms", f"{queries} queries"))  # fmt: skip
    started = timezone.now()
    queries = count_queries(partial(actions.finalise_session, actor=trainer, session=session))
    figures.append(Figure("finalise, 100 portfolio records", (timezone.now() - started).total_seconds() * 1000, "ms",
                          f"{queries} queries"))  # fmt: skip
    return figures
