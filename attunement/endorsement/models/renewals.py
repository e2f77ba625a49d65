"""Keeping Endorsement: yearly renewals, reminders, the daily job's runs."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RenewalState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted: fee due")
    UNDER_REVIEW = "under_review", _("Waiting for staff")
    RENEWED = "renewed", _("Renewed")
    RETURNED = "returned", _("Returned for changes")


class Renewal(models.Model):
    """One yearly renewal of everything a person holds in an association: one set of hours,
    one fee, every category judged by the engine's renewal rules."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="renewals")
    association = models.ForeignKey("associations.Association", on_delete=models.PROTECT, related_name="renewals")
    due = models.DateField(_("due date"))
    state = models.CharField(_("state"), max_length=20, choices=RenewalState.choices, default=RenewalState.SUBMITTED)
    reports = models.JSONField(_("renewal reports per category"), default=dict)
    submitted_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note to the member"), blank=True)
    audited = models.BooleanField(_("chosen for the documentation audit"), default=False)

    class Meta:
        ordering = ["-submitted_at", "id"]
        constraints = [models.UniqueConstraint(fields=["person", "association", "due"], name="one_renewal_per_period")]

    def __str__(self) -> str:
        return f"{self.person} {self.due:%Y}"


class Reminder(models.Model):
    """A renewal reminder owed to a person for a due date and an offset; sent once."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    association = models.ForeignKey("associations.Association", on_delete=models.CASCADE, related_name="+")
    due = models.DateField()
    offset_days = models.SmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "association", "due", "offset_days"], name="one_reminder_per_offset"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.due} {self.offset_days:+d}"


class DailyRun(models.Model):
    """The daily job's run for one association and day. It doubles as a lease: a run holds
    ``lease_until`` while it works (renewed per batch), so two runs started at once never
    work on one association together; a crashed run's lease expires and the next run resumes."""

    association = models.ForeignKey("associations.Association", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    owner = models.CharField(max_length=32, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reminders = models.PositiveIntegerField(default=0)
    lapsed = models.PositiveIntegerField(default=0)
    # What failed in the last finished run, one sentence per step ("reminders: SMTPException: ...").
    failures = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["association", "day"], name="one_daily_run_per_day")]

    def __str__(self) -> str:
        return f"{self.association_id} {self.day}"
