"""Membership terms: calendar years with the association's cutoff. The engine reads them;
nobody types an expiry date. (Types, prices per type, renewals and agency groups grow here.)"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MembershipKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    STUDENT = "student", _("Student")
    ORGANISATION = "organisation", _("Organisation")
    AGENCY_GROUP = "agency_group", _("Agency staff group")


class MembershipType(models.Model):
    """What an association offers, at its price (a waiver or scholarship brings it to zero).
    Staff change types on their Membership page; a type with terms is never deleted, only
    no longer offered (``active`` off)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    association = models.ForeignKey(
        "associations.Association", on_delete=models.CASCADE, related_name="membership_types"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MembershipKind.choices)
    name = models.CharField(_("name"), max_length=100)
    price = models.DecimalField(_("price"), max_digits=9, decimal_places=2)
    counts_for_endorsement = models.BooleanField(
        _("counts for Endorsement"),
        default=True,
        help_text=_("An organisational membership does not make a person a member."),
    )
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["association", "price", "name"]
        verbose_name = _("membership type")
        verbose_name_plural = _("membership types")
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gte=0), name="membership_price_not_negative"),
            # Among the types an association offers, a name is one type (whatever its case).
            models.UniqueConstraint(
                Lower("name"),
                "association",
                condition=Q(active=True),
                name="membership_type_offered_name_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.price})"


class Term(models.Model):
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="membership_terms")
    association = models.ForeignKey(
        "associations.Association", on_delete=models.PROTECT, related_name="membership_terms"
    )
    valid_from = models.DateField(_("valid from"))
    valid_through = models.DateField(_("valid through"))
    source = models.CharField(_("how"), max_length=100, help_text=_("Invoice number, or who recorded it."))
    membership_type = models.ForeignKey(
        MembershipType, on_delete=models.PROTECT, null=True, blank=True, related_name="terms"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-valid_through", "id"]
        verbose_name = _("membership term")
        verbose_name_plural = _("membership terms")
        constraints = [
            models.CheckConstraint(condition=Q(valid_through__gte=F("valid_from")), name="term_ends_after_start")
        ]
        indexes = [models.Index(fields=["person", "association", "valid_through"], name="term_person_idx")]

    def __str__(self) -> str:
        return f"{self.association} {self.valid_from:%Y-%m-%d}–{self.valid_through:%Y-%m-%d}"
