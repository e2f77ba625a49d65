"""R5: every route of ours, for every persona, answers with the status this table says.

Adding a view without a row here fails ``test_every_route_has_a_row``: say who may see it.
Statuses: 200 shown, 302 redirect (sign-in for anonymous, or after a successful POST),
403 a role in the association but not this one, 404 no role in it, or not its object.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

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


TABLE: dict[str, Row] = {
    "home": Row(PUBLIC),
    "health": Row(PUBLIC),
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
    "associations:revoke_role": Row(
        {**ADMINS, ADM: 302},
        lambda ctx: {"association_slug": "riverbend", "role_id": ctx["staff_role"].public_id},
        method="post",
    ),
    "associations:settings": Row(ADMINS, riverbend),
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
    route: str, persona: str, personas: dict[str, Any], client_for: Any, logo_upload: Any, staff_role: Any
) -> None:
    from attunement.associations import actions
    from attunement.associations.models import Association

    riverbend = Association.objects.get(slug="riverbend")
    actions.set_association_logo(actor=None, association=riverbend, logo=logo_upload)  # type: ignore[arg-type]
    row = TABLE[route]
    ctx = {"staff_role": staff_role}
    url = reverse(route, kwargs=row.kwargs(ctx))
    client = client_for(personas[persona])
    response = getattr(client, row.method)(url, row.data(ctx))
    expected = row.expect[persona]
    assert response.status_code == expected, (
        f"{persona} {row.method.upper()} {url}: {response.status_code}, expected {expected}"
    )
    if expected == 302 and (persona == ANON or route == "admin:login") and route != "set_language":
        assert response["Location"].startswith(reverse("account_login"))
