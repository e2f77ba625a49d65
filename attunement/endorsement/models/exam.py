"""The exam: windows, sittings, Part 2 readers' scores."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attunement.endorsement.models.applications import Application


class ExamWindow(models.Model):
    association = models.ForeignKey("associations.Association", on_delete=models.CASCADE, related_name="exam_windows")
    name = models.CharField(_("name"), max_length=100)
    opens = models.DateField(_("opens"))
    closes = models.DateField(_("closes"))

    class Meta:
        ordering = ["opens"]

    def __str__(self) -> str:
        return self.name


def anonymous_code() -> str:
    return "X-" + secrets.token_hex(4).upper()


class ExamSitting(models.Model):
    """One attempt at the exam. Part 2 readers see only ``anonymous_code``, never the person."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="sittings")
    window = models.ForeignKey(ExamWindow, on_delete=models.PROTECT, null=True, blank=True, related_name="sittings")
    approved_until = models.DateField(_("approval valid until"))
    taken_on = models.DateField(_("taken on"), null=True, blank=True)
    anonymous_code = models.CharField(max_length=12, unique=True, default=anonymous_code)
    part1_percent = models.DecimalField(_("Part 1 score (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    part2_answers = models.JSONField(_("Part 2 answers"), default=list, blank=True)
    part2_passed = models.BooleanField(null=True, blank=True)
    feedback = models.TextField(_("feedback letter"), blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-approved_until", "id"]

    def __str__(self) -> str:
        return self.anonymous_code


class Part2Score(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sitting = models.ForeignKey(ExamSitting, on_delete=models.CASCADE, related_name="scores")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rubric = models.JSONField(_("rubric scores"), default=dict)
    passed = models.BooleanField(null=True, blank=True)
    comments = models.TextField(_("comments for the feedback letter"), blank=True)
    third_reader = models.BooleanField(default=False)
    assigned_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [models.UniqueConstraint(fields=["sitting", "reader"], name="one_score_per_reader")]

    def __str__(self) -> str:
        return f"{self.sitting} — {self.reader}"
