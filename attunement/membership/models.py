"""Membership terms: calendar years with the association's cutoff. The engine reads them;
nobody types an expiry date. (Types, prices per type, renewals and agency groups grow here.)"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Term(models.Model):
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="membership_terms")
    association = models.ForeignKey(
        "associations.Association", on_delete=models.PROTECT, related_name="membership_terms"
    )
    valid_from = models.DateField(_("valid from"))
    valid_through = models.DateField(_("valid through"))
    source = models.CharField(_("how"), max_length=100, help_text=_("Invoice number, or who recorded it."))
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
