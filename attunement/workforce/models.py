"""Workforce check-in answers kept per association (spec: workforce-checkin.md).

One row per respondent and year in an association: re-importing the same respondent and year
replaces the row. Rows hold no names; the respondent id is whatever the survey used."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from attunement.associations.models import Association
from attunement.workforce.checkin import COLUMNS, ROLES, SERVICE_LEVELS
from attunement.workforce.labels import ROLE_LABELS, SECTOR_LABELS, SERVICE_LEVEL_LABELS

ROLE_CHOICES = [(role, ROLE_LABELS[role]) for role in ROLE_LABELS if role in ROLES]
SERVICE_LEVEL_CHOICES = [
    (level, SERVICE_LEVEL_LABELS[level]) for level in SERVICE_LEVEL_LABELS if level in SERVICE_LEVELS
]
SECTOR_CHOICES = list(SECTOR_LABELS.items())

# Every answer column of the format (the key columns aside) and where the answer came from.
ANSWER_FIELDS = ("source", *[column for column in COLUMNS if column not in ("respondent_id", "year")])


class CheckinResponse(models.Model):
    class Source(models.TextChoices):
        IMPORT = "import", _("imported survey")
        CHECKIN = "checkin", _("yearly check-in")
        PROFILE = "profile", _("workforce profile")

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
    # Figures beyond the format's (diversity by service level, reach by role), same suppression.
    extra = models.JSONField(_("more figures"), default=dict)
    # Set when a check-in or a profile changed the year's answers; the refresh task clears it.
    stale = models.BooleanField(_("waiting for the next refresh"), default=False)
    computed_at = models.DateTimeField(_("computed"), auto_now=True)

    class Meta:
        verbose_name = _("indicator snapshot")
        verbose_name_plural = _("indicator snapshots")
        constraints = [models.UniqueConstraint(fields=["association", "year"], name="workforce_one_snapshot_per_year")]

    def __str__(self) -> str:
        return f"{self.association_id} {self.year}"


class Programme(models.Model):
    """A programme the association wants covered (a Birth to Three programme, a home-visiting
    site): people name theirs in their workforce profile; coverage counts endorsed staff in it."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="programmes")
    name = models.CharField(_("programme"), max_length=200)
    region = models.CharField(_("region"), max_length=120, blank=True)
    endorsed_target = models.PositiveSmallIntegerField(
        _("endorsed staff wanted"), default=1, validators=[MinValueValidator(1), MaxValueValidator(10_000)]
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [models.UniqueConstraint(fields=["association", "name"], name="workforce_programme_name_unique")]

    def __str__(self) -> str:
        return self.name


class RegionTarget(models.Model):
    """How many endorsed people the association wants working in a region."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="region_targets")
    region = models.CharField(_("region"), max_length=120)
    endorsed_target = models.PositiveIntegerField(
        _("endorsed people wanted"), validators=[MinValueValidator(1), MaxValueValidator(1_000_000)]
    )

    class Meta:
        ordering = ["region"]
        verbose_name = _("region target")
        verbose_name_plural = _("region targets")
        constraints = [models.UniqueConstraint(fields=["association", "region"], name="workforce_region_target_unique")]

    def __str__(self) -> str:
        return f"{self.region}: {self.endorsed_target}"


class WorkforceProfile(models.Model):
    """What a person tells about their work, kept up to date by them and counted only in
    aggregates. Race and ethnicity are kept only while the person consents."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workforce_profile")
    # The pseudonymous respondent id of this person's check-ins (no name ever leaves).
    respondent_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(_("role"), max_length=30, choices=ROLE_CHOICES)
    sector = models.CharField(_("sector"), max_length=30, choices=SECTOR_CHOICES, blank=True)
    service_level = models.CharField(_("main service level"), max_length=20, choices=SERVICE_LEVEL_CHOICES, blank=True)
    region = models.CharField(_("region"), max_length=120, blank=True)
    programme = models.ForeignKey(
        Programme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="profiles",
        verbose_name=_("programme"),
    )
    demographics_consent = models.BooleanField(_("count my race and ethnicity in aggregate figures"), default=False)
    consented_at = models.DateTimeField(null=True, blank=True)
    race_ethnicity = models.JSONField(_("race and ethnicity"), null=True, blank=True)
    annual_salary = models.PositiveIntegerField(
        _("annual salary (US dollars)"), null=True, blank=True, validators=[MaxValueValidator(2_000_000)]
    )
    caseload = models.PositiveIntegerField(_("caseload"), null=True, blank=True, validators=[MaxValueValidator(10_000)])
    paid_hours_week = models.PositiveSmallIntegerField(
        _("paid hours a week"), null=True, blank=True, validators=[MaxValueValidator(168)]
    )
    worked_hours_week = models.PositiveSmallIntegerField(
        _("hours you actually work a week"), null=True, blank=True, validators=[MaxValueValidator(168)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("workforce profile")
        verbose_name_plural = _("workforce profiles")
        indexes = [models.Index(fields=["region"], name="workforce_profile_region")]

    def __str__(self) -> str:
        return str(self.respondent_key)

    @property
    def respondent_id(self) -> str:
        return f"p-{self.respondent_key.hex[:20]}"

    @property
    def counted_race(self) -> list[str] | None:
        """Race and ethnicity as the year's row may hold them: only while the person consents."""
        return sorted(self.race_ethnicity) if self.demographics_consent and self.race_ethnicity else None


class Rollup(models.Model):
    """A dashboard's figures for one association, computed by ``refresh_rollups`` (the
    ``attunement workforce refresh`` timer and every import): pages read this one row."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="workforce_rollups")
    name = models.CharField(max_length=30)
    figures = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["association", "name"], name="workforce_one_rollup_per_name")]

    def __str__(self) -> str:
        return f"{self.association_id} {self.name}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be imported")
    RUNNING = "running", _("Being imported")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Nothing was imported")


class CheckinImport(models.Model):
    """A check-in file uploaded by staff, imported by a task (a 10 MB file takes seconds; the
    request only stores it). The stored file is removed once it has been read; the outcome
    stays: counts, or the problems that stopped it (all-or-nothing, as from the command line)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="checkin_imports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    language = models.CharField(max_length=10, default="en")  # the problems are written in it
    file = models.FileField(upload_to="imports/", blank=True)
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    replaced = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list)  # the first ones, as sentences
    problem_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("check-in import")
        verbose_name_plural = _("check-in imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.status})"
