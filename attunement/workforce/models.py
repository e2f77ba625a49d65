"""Workforce check-in answers kept per association (spec: workforce-checkin.md).

One row per respondent and year in an association: re-importing the same respondent and year
replaces the row. Rows hold no names; the respondent id is whatever the survey used."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from attunement.associations.models import Association
from attunement.workforce.checkin import COLUMNS

# Every answer column of the format (the key columns aside) and where the answer came from.
ANSWER_FIELDS = ("source", *[column for column in COLUMNS if column not in ("respondent_id", "year")])


class CheckinResponse(models.Model):
    class Source(models.TextChoices):
        IMPORT = "import", _("imported survey")
        CHECKIN = "checkin", _("yearly check-in")

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="checkin_responses")
    respondent_id = models.CharField(_("respondent"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.IMPORT)
    role = models.CharField(_("role"), max_length=30)
    service_level = models.CharField(_("service level"), max_length=20, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    race_ethnicity = models.JSONField(_("race and ethnicity"), null=True, blank=True)
    languages = models.JSONField(_("languages"), null=True, blank=True)
    specialized_training_foundations = models.BooleanField(_("specialised training"), null=True, blank=True)
    ebt_trained = models.JSONField(_("evidence-based treatment training"), null=True, blank=True)
    endorsed = models.BooleanField(_("endorsed"), null=True, blank=True)
    received_rs = models.BooleanField(_("received reflective supervision"), null=True, blank=True)
    barriers = models.JSONField(_("barriers"), null=True, blank=True)
    desired_topics = models.JSONField(_("desired topics"), null=True, blank=True)
    paid_hours_week = models.FloatField(_("paid hours a week"), null=True, blank=True)
    worked_hours_week = models.FloatField(_("worked hours a week"), null=True, blank=True)
    annual_salary = models.FloatField(_("annual salary"), null=True, blank=True)
    caseload = models.PositiveIntegerField(_("caseload"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("check-in response")
        verbose_name_plural = _("check-in responses")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "year", "respondent_id"], name="workforce_one_answer_per_respondent_year"
            )
        ]
        indexes = [models.Index(fields=["association", "year"], name="workforce_association_year")]

    def __str__(self) -> str:
        return f"{self.respondent_id} ({self.year})"


class IndicatorSnapshot(models.Model):
    """The ``attunement.indicators/1`` figures of one association and year, recomputed in the
    same transaction as every change to that year's answers: pages read this one row instead
    of every answer, and are never stale."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="indicator_snapshots")
    year = models.PositiveSmallIntegerField(_("year"))
    figures = models.JSONField(_("figures"))
    computed_at = models.DateTimeField(_("computed"), auto_now=True)

    class Meta:
        verbose_name = _("indicator snapshot")
        verbose_name_plural = _("indicator snapshots")
        constraints = [models.UniqueConstraint(fields=["association", "year"], name="workforce_one_snapshot_per_year")]

    def __str__(self) -> str:
        return f"{self.association_id} {self.year}"
