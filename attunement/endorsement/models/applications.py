"""Applications and their review: reviewers, assignments, clarifications, decisions, letters."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from attunement.endorsement.letters import placeholder_errors
from attunement.endorsement.models.rulesets import RuleSetVersion
from attunement.lib.categories import category_name, validate_category


class State(models.TextChoices):
    REGISTERED = "registered", _("Registered: registration fee due")
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted: completeness check")
    UNDER_REVIEW = "under_review", _("Under review")
    ON_HOLD = "on_hold", _("On hold")
    APPROVED_FOR_EXAM = "approved_for_exam", _("Approved to sit the exam")
    EMERGING = "emerging", _("Endorsed (emerging)")
    ENDORSED = "endorsed", _("Endorsed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_STATES = [
    State.REGISTERED,
    State.IN_PROGRESS,
    State.SUBMITTED,
    State.UNDER_REVIEW,
    State.ON_HOLD,
    State.APPROVED_FOR_EXAM,
]


class Outcome(models.TextChoices):
    ENDORSE = "endorse", _("Endorse")
    APPROVE_FOR_EXAM = "approve_for_exam", _("Approve to sit the exam")
    EMERGING = "emerging", _("Emerging")
    ON_HOLD = "on_hold", _("On hold")
    DEFER = "defer", _("Defer (back to the applicant with feedback)")


class Application(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    portfolio = models.ForeignKey("portfolios.Portfolio", on_delete=models.PROTECT, related_name="applications")
    association = models.ForeignKey("associations.Association", on_delete=models.PROTECT, related_name="applications")
    category = models.CharField(_("category"), max_length=10, validators=[validate_category])
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.REGISTERED)
    advisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="advised_applications"
    )
    registered_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    state_changed_at = models.DateTimeField(default=timezone.now)
    review_by = models.DateField(_("review deadline"), null=True, blank=True)
    review_round = models.PositiveSmallIntegerField(default=0)
    rule_set = models.ForeignKey(RuleSetVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    submission_report = models.JSONField(default=dict, blank=True)
    feedback = models.TextField(_("feedback to the applicant"), blank=True)
    reinstates = models.ForeignKey(
        "Credential",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reinstatements",
        help_text=_("The lapsed credential this application brings back."),
    )

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["portfolio", "category"],
                condition=Q(
                    state__in=["registered", "in_progress", "submitted", "under_review", "on_hold", "approved_for_exam"]
                ),
                name="one_open_application_per_category",
            )
        ]
        indexes = [models.Index(fields=["association", "state", "state_changed_at"], name="application_queue_idx")]

    def __str__(self) -> str:
        return f"{category_name(self.category)} — {self.portfolio.person}"


class ReviewerProfile(models.Model):
    """A person in an association's reviewer pool: trained, with their employer for conflicts."""

    association = models.ForeignKey("associations.Association", on_delete=models.CASCADE, related_name="reviewers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profiles")
    trained = models.BooleanField(_("completed reviewer training"), default=False)
    active = models.BooleanField(_("taking assignments"), default=True)
    employer = models.CharField(_("employer"), max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["association", "user"], name="one_reviewer_profile")]

    def __str__(self) -> str:
        return str(self.user)


class Assignment(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    review_round = models.PositiveSmallIntegerField(default=1)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    assigned_at = models.DateTimeField(default=timezone.now)
    checklist = models.JSONField(_("competency checklist"), default=dict, blank=True)
    comments = models.TextField(_("comments"), blank=True)
    recommendation = models.CharField(_("recommendation"), max_length=20, choices=Outcome.choices, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "review_round", "reviewer"], name="one_assignment_per_reviewer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.application}"


class Clarification(models.Model):
    """A reviewer's question: the coordinator relays it, the applicant answers, it comes back."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="clarifications")
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    question = models.TextField(_("question"), max_length=4000)
    asked_at = models.DateTimeField(default=timezone.now)
    relayed_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True, max_length=8000)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]

    def __str__(self) -> str:
        return self.question[:60]


class Decision(models.Model):
    """The outcome of one review round. One per round: the constraint makes a second one fail."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="decisions")
    review_round = models.PositiveSmallIntegerField()
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    basis = models.CharField(
        max_length=20, choices=[("consensus", _("Reviewers agreed")), ("coordinator", _("Coordinator decided"))]
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    feedback = models.TextField(_("feedback"), blank=True)
    letter = models.TextField(_("decision letter"), blank=True)

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "review_round"], name="one_decision_per_round")]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.application_id}, round {self.review_round})"


LETTER_FIELD_LABELS = {"subject": _("subject"), "body": _("letter")}


class LetterTemplate(models.Model):
    """A decision letter per outcome and language; an association's own replaces the default."""

    association = models.ForeignKey("associations.Association", on_delete=models.CASCADE, null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=[*Outcome.choices, ("exam_feedback", _("Exam feedback"))]
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(
        _("letter"), help_text=_("Placeholders: {name}, {category}, {association}, {date}, {feedback}, {code}.")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["association", "outcome", "language"], name="one_letter_template")
        ]

    def __str__(self) -> str:
        return f"{self.outcome} {self.language}"

    def clean(self) -> None:
        """Unknown, dotted or formatted placeholders are refused when the template is saved
        (each error names the field and the placeholder), not found when a letter is sent."""
        errors = {
            name: found
            for name in ("subject", "body")
            if (found := placeholder_errors(getattr(self, name), capfirst(str(LETTER_FIELD_LABELS[name]))))
        }
        if errors:
            raise ValidationError(errors)
