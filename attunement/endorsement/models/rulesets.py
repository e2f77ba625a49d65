"""Rule sets as versioned data in the database (the files in ``rulesets/`` are their source),
(the categories are data: ``endorsement.rules.categories``)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RuleSetVersion(models.Model):
    """One version of a rule set: the default (no association) or an association's own.

    Rows are never edited: a change is a new version with a new key and effective date. An
    application is judged by the set in force on its submission date."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.SlugField(_("rule set id"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    association = models.ForeignKey(
        "associations.Association", on_delete=models.PROTECT, null=True, blank=True, related_name="rule_sets"
    )
    effective = models.DateField(_("in force from"))
    extends = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    data = models.JSONField(_("rules"))
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rule set version")
        verbose_name_plural = _("rule set versions")
        ordering = ["association_id", "-effective"]
        constraints = [
            models.UniqueConstraint(fields=["association", "effective"], name="ruleset_one_per_association_and_day"),
            models.UniqueConstraint(
                fields=["effective"], condition=Q(association__isnull=True), name="ruleset_one_default_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.effective:%Y-%m-%d})"
