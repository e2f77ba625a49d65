"""``make bench`` for the workforce dashboards at a million profiles (issue 9, PostgreSQL).

Loads people, workforce profiles, credentials, applications and this year's rows with
``INSERT … SELECT generate_series`` (minutes of ORM work otherwise), then measures the
refresh task that keeps the roll-ups (a timer runs it) and each dashboard page's server time
and query count: at 10,000 profiles and at 1,000,000, to show the page cost does not grow."""

from __future__ import annotations

import os
import time
from functools import partial

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from attunement.associations.bench import staff_client
from attunement.lib.bench import Figure, benchmark, sized, time_calls

SIZES = sized(tuple(int(n) for n in os.environ.get("BENCH_WORKFORCE_SIZES", "10000,1000000").split(",")), (30, 60))
PAGES = ("indicators", "endorsed", "pipeline", "coverage")


def _grow(association_id: int, have: int, want: int) -> None:
    year = timezone.localdate().year
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO people_user (password, is_superuser, public_id, email, legal_name, legal_name_key,
                preferred_name, preferred_name_key, pronouns, languages, secondary_email, region, preferred_language,
                is_active, is_staff, date_joined)
            SELECT '!', false, md5('u' || i)::uuid, 'w' || i || '@bench-workforce.example', 'Worker ' || i,
                'worker ' || i, '', '', '', '["en"]', '', '', 'en', true, false, now()
            FROM generate_series(%s, %s) AS i
            """,
            [have + 1, want],
        )
        cursor.execute(
            """
            INSERT INTO workforce_workforceprofile (person_id, respondent_key, role, sector, service_level, region,
                demographics_consent, race_ethnicity, annual_salary, caseload, paid_hours_week, worked_hours_week,
                updated_at)
            SELECT u.id, md5('p' || u.id)::uuid,
                (ARRAY['clinician','home_visitor','early_educator','early_intervention','supervisor'])[1 + u.id %% 5],
                (ARRAY['mental_health','home_visiting','early_care_education','early_intervention'])[1 + u.id %% 4],
                (ARRAY['promotion','prevention','intervention','leadership'])[1 + u.id %% 4],
                'region-' || (u.id %% 40), u.id %% 4 <> 0,
                CASE WHEN u.id %% 4 = 0 THEN NULL WHEN u.id %% 5 = 0 THEN '["black"]'::jsonb ELSE '["white"]'::jsonb END,
                35000 + (u.id %% 40000), 5 + u.id %% 20, 40, 40 + (u.id %% 3) * 3, now()
            FROM people_user u
            WHERE u.email LIKE 'w%%@bench-workforce.example'
                AND NOT EXISTS (SELECT 1 FROM workforce_workforceprofile w WHERE w.person_id = u.id)
            """,
            [],
        )
        # One in five holds a credential; one in ten has an application on its way.
        cursor.execute(
            """
            INSERT INTO endorsement_credential (public_code, person_id, association_id, category, emerging, since,
                valid_through, status)
            SELECT 'W' || lpad(p.person_id::text, 10, '0'), p.person_id, %s,
                (ARRAY['IFA','IFS','IFRS','IMHS','IMHM-C','ECFS'])[1 + p.person_id %% 6], false,
                date '2012-01-01' + (p.person_id %% 5000)::int, %s::date,
                CASE WHEN p.person_id %% 50 = 0 THEN 'lapsed' ELSE 'active' END
            FROM workforce_workforceprofile p
            WHERE p.person_id %% 5 = 0
                AND NOT EXISTS (SELECT 1 FROM endorsement_credential c WHERE c.person_id = p.person_id)
            """,
            [association_id, f"{year + 1}-09-30"],
        )
        cursor.execute(
            """
            INSERT INTO portfolios_portfolio (public_id, person_id, association_id, aim, created_at, updated_at)
            SELECT md5('f' || p.person_id)::uuid, p.person_id, %s, 'IFS', now(), now()
            FROM workforce_workforceprofile p
            WHERE p.person_id %% 10 = 1
                AND NOT EXISTS (SELECT 1 FROM portfolios_portfolio f WHERE f.person_id = p.person_id)
            """,
            [association_id],
        )
        cursor.execute(
            """
            INSERT INTO endorsement_application (public_id, portfolio_id, association_id, category, state,
                registered_at, submitted_at, state_changed_at, review_round, submission_report, feedback)
            SELECT md5('a' || f.id)::uuid, f.id, %s, 'IFS',
                (ARRAY['registered','in_progress','submitted','under_review','endorsed'])[1 + f.id %% 5],
                now() - make_interval(days => (30 + f.id %% 700)::int),
                CASE WHEN f.id %% 5 >= 2 THEN now() - make_interval(days => (10 + f.id %% 20)::int) END,
                now() - make_interval(days => (f.id %% 10)::int), 0, '{}'::jsonb, ''
            FROM portfolios_portfolio f
            WHERE NOT EXISTS (SELECT 1 FROM endorsement_application a WHERE a.portfolio_id = f.id)
            """,
            [association_id],
        )
        cursor.execute(
            """
            INSERT INTO workforce_checkinresponse (association_id, respondent_id, year, source, role, service_level,
                region, race_ethnicity, languages, endorsed, received_rs, barriers, desired_topics, paid_hours_week,
                worked_hours_week, annual_salary, caseload, updated_at)
            SELECT %s, 'p-' || left(replace(p.respondent_key::text, '-', ''), 20), %s, 'profile', p.role,
                p.service_level, p.region, p.race_ethnicity, '["en"]', p.person_id %% 5 = 0,
                CASE WHEN p.person_id %% 2 = 0 THEN p.person_id %% 3 <> 0 END,
                CASE WHEN p.person_id %% 2 = 0 THEN '["cost", "time"]'::jsonb END,
                CASE WHEN p.person_id %% 2 = 0 THEN '["attachment"]'::jsonb END,
                p.paid_hours_week, p.worked_hours_week, p.annual_salary, p.caseload, now()
            FROM workforce_workforceprofile p
            ON CONFLICT DO NOTHING
            """,
            [association_id, year],
        )
        cursor.execute("ANALYZE")


@benchmark(
    "workforce_dashboards",
    "workforce dashboards at 10,000 and 1,000,000 profiles: the refresh task and each page's time and queries (issue 9)",
    postgres_only=True,
)
def workforce_dashboards() -> list[Figure]:
    from attunement.workforce.actions import refresh_workforce
    from attunement.workforce.models import IndicatorSnapshot

    client, association = staff_client()
    figures: list[Figure] = []
    have = 0
    for size in SIZES:
        started = time.perf_counter()
        _grow(association.pk, have, size)
        have = size
        figures.append(Figure(f"load {size:,} profiles (SQL, not the app)", time.perf_counter() - started, "s"))
        IndicatorSnapshot.objects.filter(association=association).update(stale=True)
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            result = refresh_workforce(association, stale_only=False)
        figures.append(
            Figure(
                f"refresh at {size:,}: seconds",
                time.perf_counter() - started,
                "s",
                f"{result.years} year(s) of figures + {result.rollups} roll-ups, {len(queries)} queries",
            )
        )
        for page in PAGES:
            url = f"/bench/staff/workforce/{'' if page == 'indicators' else page + '/'}"
            timing = time_calls(partial(client.get, url), repeat=30)
            with CaptureQueriesContext(connection) as queries:
                status = client.get(url).status_code
            figures.append(
                Figure(
                    f"{page} page p95 at {size:,}",
                    timing.p(95),
                    "ms",
                    f"p50 {timing.median:.1f} ms, {len(queries)} queries, HTTP {status}",
                )
            )
    return figures
