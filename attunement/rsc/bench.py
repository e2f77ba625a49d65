"""``make bench`` for RS/C: the public roster at 100 and 5,000 providers (keyset page of 50),
recording a 12-member meeting (first time and again), and a 23-group programme report."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from django.contrib.auth.hashers import make_password
from django.test import Client
from django.utils import timezone

from attunement.associations.models import Association
from attunement.lib.bench import Figure, benchmark, sized, time_calls
from attunement.lib.testing import count_queries

SIZES = sized((100, 5000), (3, 6))


def _grow_providers(association: Association, have: int, want: int) -> None:
    from attunement.endorsement.models import Credential
    from attunement.people.models import User
    from attunement.rsc.models import ProviderProfile

    people = User.objects.bulk_create(
        [
            User(
                email=f"prov{i}@bench-rsc.example", legal_name=f"Provider {i}", password=make_password(None)
            ).fill_name_keys()
            for i in range(have, want)
        ]
    )
    Credential.objects.bulk_create([Credential(person=p, association=association, category=("IFRS", "IMHS")[i % 2],
                                               since=date(2020, 1, 1)) for i, p in enumerate(people)])  # fmt: skip
    ProviderProfile.objects.bulk_create([ProviderProfile(person=p, association=association, offers_group=i % 2 == 0,
                                                         languages=["en", "es"] if i % 3 == 0 else ["en"],
                                                         virtual=i % 2 == 1) for i, p in enumerate(people)])  # fmt: skip


@benchmark("rsc", "RS/C roster at 100 and 5,000 providers, recording a meeting, a 23-group programme report")
def rsc() -> list[Figure]:
    from attunement.associations import actions as association_actions
    from attunement.associations.models import Role
    from attunement.people.models import User
    from attunement.portfolios.models import Portfolio
    from attunement.rsc import actions
    from attunement.rsc.models import Group, Membership, MembershipStatus, ProviderProfile

    association = Association.objects.filter(slug="bench-rsc").first() or association_actions.create_association(
        actor=None, slug="bench-rsc", name="Bench RS/C AIMH", contact_email="rsc@example.org"
    )
    anonymous = Client()
    baseline = time_calls(partial(anonymous.get, "/healthz"), repeat=200)
    figures = [Figure("health (trivial view, baseline)", baseline.median, "ms", f"p99 {baseline.p(99):.2f} ms")]
    have = 0
    for size in SIZES:
        _grow_providers(association, have, size)
        have = size
        url = "/bench-rsc/rsc/providers/?language=es&format=group"
        page = time_calls(partial(anonymous.get, url), repeat=100)
        figures.append(Figure(f"roster page (filtered), {size:,} providers", page.median, "ms",
                              f"p99 {page.p(99):.2f} ms, {count_queries(partial(anonymous.get, url))} queries"))  # fmt: skip
    provider = ProviderProfile.objects.filter(association=association).order_by("id").first()
    assert provider is not None
    today = timezone.localdate()
    group = Group.objects.create(association=association, provider=provider, name="Bench group", schedule="Twice monthly",
                                 starts=today - timedelta(days=200), ends=today + timedelta(days=10), capacity=20)  # fmt: skip
    members = []
    for i in range(12):
        person = User.objects.create(email=f"sup{i}@bench-rsc.example", password=make_password(None))
        Portfolio.objects.create(person=person, association=association, aim="IFS")
        members.append(Membership.objects.create(group=group, supervisee=person, status=MembershipStatus.ACTIVE,
                                                 joined_on=group.starts))  # fmt: skip
    present = [m.public_id for m in members]
    days = iter(today - timedelta(days=d) for d in range(1, 199))

    def record_new() -> None:
        actions.record_attendance(
            actor=provider.person, group=group, day=next(days), hours=Decimal("1.5"), present=present
        )

    first = time_calls(record_new, repeat=30, warmup=1)
    figures.append(Figure("record a new meeting, 12 members present", first.median, "ms", f"p99 {first.p(99):.2f} ms"))
    again = time_calls(partial(actions.record_attendance, actor=provider.person, group=group, day=today - timedelta(days=1),
                               hours=Decimal(2), present=present), repeat=30)  # fmt: skip
    figures.append(Figure("record the same meeting again (updates)", again.median, "ms", f"p99 {again.p(99):.2f} ms"))
    coordinator = User.objects.create(email="coord@bench-rsc.example", password=make_password(None))
    association_actions.grant_staff_role(actor=None, association=association, user=coordinator, role=Role.COORDINATOR)
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(coordinator, generate_totp_secret())  # staff pages ask for a second factor
    programme = actions.create_programme(actor=coordinator, association=association, name="Bench programme", sector="",
                                         count=23, providers=[provider], schedule="Twice monthly", starts=group.starts,
                                         ends=group.ends)  # fmt: skip
    Group.objects.filter(pk=group.pk).update(programme=programme)
    staff = Client()
    staff.force_login(coordinator)

    url = f"/bench-rsc/staff/rsc/programmes/{programme.public_id}/"
    status = staff.get(url).status_code
    report = time_calls(partial(staff.get, url), repeat=50)
    figures.append(Figure("programme report, 24 groups", report.median, "ms",
                          f"HTTP {status}, p99 {report.p(99):.2f} ms, {count_queries(partial(staff.get, url))} queries"))  # fmt: skip
    return figures
