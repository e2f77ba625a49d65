"""Issue 15.5: staff create and change membership types on their Membership page."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from attunement.associations.models import Association, Role
from attunement.audit.models import AuditEvent
from attunement.lib.testing import assert_constant_queries, race
from attunement.membership import actions
from attunement.membership.models import MembershipType, Term
from attunement.payments.models import Invoice

TYPES_URL = reverse("membership_staff:types", kwargs={"association_slug": "riverbend"})
CREATE_URL = reverse("membership_staff:create", kwargs={"association_slug": "riverbend"})


def edit_url(membership_type: MembershipType) -> str:
    return reverse(
        "membership_staff:edit", kwargs={"association_slug": "riverbend", "type_id": membership_type.public_id}
    )


def type_data(**overrides: Any) -> dict[str, Any]:
    data = {"kind": "individual", "name": "Individual", "price": "45.00", "counts_for_endorsement": "on",
            "active": "on"}  # fmt: skip
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_admin_creates_a_type_and_a_member_joins_it(
    personas: dict[str, Any], client_for: Any, applicant_portfolio: Any
) -> None:
    response = client_for(personas["admin"]).post(CREATE_URL, type_data())
    assert response.status_code == 302
    assert response["Location"] == TYPES_URL
    created = MembershipType.objects.get(association__slug="riverbend", name="Individual")
    assert (created.kind, created.price, created.counts_for_endorsement, created.active) == (
        "individual", Decimal("45.00"), True, True,
    )  # fmt: skip
    event = AuditEvent.objects.get(verb="membership.type.created")
    assert event.actor == personas["admin"]
    assert (event.target_id, event.data["price"]) == (str(created.public_id), "45.00")

    applicant = client_for(personas["applicant"])
    page = applicant.get(reverse("application:list"))
    assert "Individual — 45.00" in page.content.decode()
    joined = applicant.post(
        reverse("membership_me:join"), {"association": "riverbend", "membership_type": str(created.public_id)}
    )
    assert joined.status_code == 302
    invoice = Invoice.objects.get(billed_to=personas["applicant"])
    assert invoice.total == Decimal("45.00")


def test_changing_the_price_is_audited_with_the_old_and_new_price(
    personas: dict[str, Any], client_for: Any, riverbend: Association
) -> None:
    offered = actions.create_membership_type(actor=personas["admin"], association=riverbend,
                                             values={"kind": "individual", "name": "Individual", "price": "40"})  # fmt: skip
    admin = client_for(personas["admin"])
    form = admin.get(edit_url(offered))
    assert form.status_code == 200
    assert 'value="40.00"' in form.content.decode()
    response = admin.post(edit_url(offered), type_data(price="47.50"))
    assert response.status_code == 302
    offered.refresh_from_db()
    assert offered.price == Decimal("47.50")
    event = AuditEvent.objects.get(verb="membership.type.changed")
    assert event.data == {"changed": ["price"], "before": {"price": "40.00"}, "after": {"price": "47.50"}}
    # Saving the same values again changes nothing and records nothing.
    assert admin.post(edit_url(offered), type_data(price="47.5")).status_code == 302
    assert AuditEvent.objects.filter(verb="membership.type.changed").count() == 1


def test_a_type_no_longer_offered_leaves_the_join_choices_and_keeps_its_terms(
    personas: dict[str, Any], client_for: Any, riverbend: Association, applicant_portfolio: Any
) -> None:
    student = actions.create_membership_type(actor=personas["admin"], association=riverbend,
                                             values={"kind": "student", "name": "Student", "price": "20"})  # fmt: skip
    term = actions.add_term(actor=None, person=personas["applicant"], association=riverbend,
                            on=timezone.localdate(), source="x", membership_type=student)  # fmt: skip
    response = client_for(personas["admin"]).post(edit_url(student), type_data(kind="student", name="Student",
                                                                                price="20", active=None))  # fmt: skip
    assert response.status_code == 302
    student.refresh_from_db()
    assert not student.active
    assert Term.objects.get(pk=term.pk).membership_type == student
    page = client_for(personas["applicant"]).get(reverse("application:list"))
    assert "Student — 20.00" not in page.content.decode()
    with pytest.raises(ValidationError):
        actions.join(actor=personas["applicant"], person=personas["applicant"], association=riverbend,
                     membership_type=student)  # fmt: skip
    # Still listed for staff, marked as no longer offered; a new type may take its name.
    listing = client_for(personas["coordinator"]).get(TYPES_URL).content.decode()
    assert "No longer offered" in listing
    again = actions.create_membership_type(actor=personas["admin"], association=riverbend,
                                           values={"kind": "student", "name": "student", "price": "25"})  # fmt: skip
    assert again.active


def test_a_coordinator_sees_the_types_but_cannot_change_them(
    personas: dict[str, Any], client_for: Any, riverbend: Association
) -> None:
    offered = actions.create_membership_type(actor=personas["admin"], association=riverbend,
                                             values={"kind": "individual", "name": "Individual", "price": "40"})  # fmt: skip
    coordinator = client_for(personas["coordinator"])
    page = coordinator.get(TYPES_URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Individual" in html
    assert "40.00" in html
    assert CREATE_URL not in html
    assert edit_url(offered) not in html
    assert page.context["form"] is None
    assert coordinator.post(CREATE_URL, type_data(name="Other")).status_code == 403
    assert coordinator.get(edit_url(offered)).status_code == 403
    assert coordinator.post(edit_url(offered), type_data(price="0")).status_code == 403
    offered.refresh_from_db()
    assert offered.price == Decimal("40.00")
    assert not MembershipType.objects.filter(name="Other").exists()


def test_another_associations_type_is_a_404(personas: dict[str, Any], client_for: Any, cascade: Association) -> None:
    theirs = MembershipType.objects.create(association=cascade, kind="individual", name="Cascade", price=Decimal("5"))
    assert client_for(personas["admin"]).get(edit_url(theirs)).status_code == 404
    assert client_for(personas["admin"]).post(edit_url(theirs), type_data()).status_code == 404


@pytest.mark.parametrize(
    ("price", "message"),
    [("-1", "cannot be negative"), ("12.345", "2 decimal places"), ("lots", "Enter a number")],
)
def test_a_bad_price_names_the_field(personas: dict[str, Any], client_for: Any, price: str, message: str) -> None:
    response = client_for(personas["admin"]).post(CREATE_URL, type_data(price=price))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["price"]
    assert message in " ".join(errors["price"])
    assert not MembershipType.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="membership.type").exists()


def test_a_duplicate_name_names_the_field(personas: dict[str, Any], client_for: Any, riverbend: Association) -> None:
    individual = actions.create_membership_type(actor=personas["admin"], association=riverbend,
                                                values={"kind": "individual", "name": "Individual", "price": "40"})  # fmt: skip
    other = actions.create_membership_type(actor=personas["admin"], association=riverbend,
                                           values={"kind": "student", "name": "Student", "price": "20"})  # fmt: skip
    admin = client_for(personas["admin"])
    response = admin.post(CREATE_URL, type_data(name=" individual "))
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["name"]
    assert "already offers" in response.context["form"].errors["name"][0]
    renamed = admin.post(edit_url(other), type_data(kind="student", name="INDIVIDUAL", price="20"))
    assert renamed.status_code == 400
    assert list(renamed.context["form"].errors) == ["name"]
    assert MembershipType.objects.filter(association=riverbend, name__iexact="individual").get() == individual
    # Blank names and negative prices through the action itself name their fields too.
    with pytest.raises(ValidationError) as blank:
        actions.create_membership_type(actor=personas["admin"], association=riverbend,
                                       values={"kind": "individual", "name": "  ", "price": "-3"})  # fmt: skip
    assert set(blank.value.message_dict) == {"name", "price"}


def test_the_list_costs_the_same_queries_with_2_and_20_types(
    personas: dict[str, Any], client_for: Any, riverbend: Association, make_person: Any
) -> None:
    today = timezone.localdate()
    holder = make_person("holder@example.org")
    coordinator = client_for(personas["coordinator"])

    def grow(n: int) -> None:
        for i in range(MembershipType.objects.filter(association=riverbend).count(), n):
            kind = "student" if i % 2 else "individual"
            made = MembershipType.objects.create(association=riverbend, kind=kind, name=f"Type {i}", price=Decimal(i))
            Term.objects.create(person=holder, association=riverbend, valid_from=today - timedelta(days=1),
                                valid_through=today + timedelta(days=30), source="x", membership_type=made)  # fmt: skip
            Term.objects.create(person=holder, association=riverbend, valid_from=date(2000, 1, 1),
                                valid_through=date(2000, 12, 31), source="old", membership_type=made)  # fmt: skip

    def fetch() -> None:
        response = coordinator.get(TYPES_URL)
        assert response.status_code == 200

    queries = assert_constant_queries(grow, fetch, sizes=(2, 20))
    assert queries == 6  # session, user, staff check, association, roles, the types with holders
    rows = coordinator.get(TYPES_URL).context["types"]
    assert {t.holders for t in rows} == {1}


@pytest.mark.django_db(transaction=True)
def test_two_admins_creating_the_same_name_at_once_make_one(
    personas: dict[str, Any], riverbend: Association, make_person: Any
) -> None:
    second = make_person("admin2@riverbend.example", roles=(Role.ADMIN,), association=riverbend)
    for trial in range(3):
        name = f"Family {trial}"
        outcome = race(
            partial(actions.create_membership_type, actor=personas["admin"], association=riverbend,
                    values={"kind": "individual", "name": name, "price": "60"}),
            partial(actions.create_membership_type, actor=second, association=riverbend,
                    values={"kind": "individual", "name": name.upper(), "price": "60"}),
        )  # fmt: skip
        assert len(outcome.results) == 1, outcome.errors
        assert [type(e) for e in outcome.errors] == [ValidationError]
        assert "name" in outcome.errors[0].message_dict  # type: ignore[attr-defined]
        assert MembershipType.objects.filter(association=riverbend, name__iexact=name).count() == 1
        assert AuditEvent.objects.filter(verb="membership.type.created", data__name__iexact=name).count() == 1
