"""Rule sets as versioned data in the database (the files in ``rulesets/`` are their source)."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CATEGORY_CHOICES = [
    ("IFA", _("Infant Family Associate (IFA)")),
    ("IFS", _("Infant Family Specialist (IFS)")),
    ("IFRS", _("Infant Family Reflective Supervisor (IFRS)")),
    ("IMHS", _("Infant Mental Health Specialist (IMHS)")),
    ("IMHM-C", _("Infant Mental Health Mentor – Clinical (IMHM-C)")),
    ("IMHM-P", _("Infant Mental Health Mentor – Policy (IMHM-P)")),
    ("IMHM-RF", _("Infant Mental Health Mentor – Research/Faculty (IMHM-RF)")),
    ("ECFA", _("Early Childhood Family Associate (ECFA)")),
    ("ECFS", _("Early Childhood Family Specialist (ECFS)")),
    ("ECFRS", _("Early Childhood Family Reflective Supervisor (ECFRS)")),
    ("ECMHS", _("Early Childhood Mental Health Specialist (ECMHS)")),
    ("ECMHM-C", _("Early Childhood Mental Health Mentor – Clinical (ECMHM-C)")),
    ("ECMHM-P", _("Early Childhood Mental Health Mentor – Policy (ECMHM-P)")),
    ("ECMHM-RF", _("Early Childhood Mental Health Mentor – Research/Faculty (ECMHM-RF)")),
    ("ERS", _("Endorsed Reflective Supervisor add-on (ERS)")),
]


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


# --- Applications ----------------------------------------------------------------------------


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
    category = models.CharField(_("category"), max_length=10, choices=CATEGORY_CHOICES)
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
        return f"{self.get_category_display()} — {self.portfolio.person}"


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
        from django.core.exceptions import ValidationError
        from django.utils.text import capfirst

        from attunement.endorsement.letters import placeholder_errors

        errors = {
            name: found
            for name in ("subject", "body")
            if (found := placeholder_errors(getattr(self, name), capfirst(str(LETTER_FIELD_LABELS[name]))))
        }
        if errors:
            raise ValidationError(errors)


class CredentialStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    LAPSED = "lapsed", _("Lapsed")
    INACTIVE = "inactive", _("Inactive")
    ARCHIVED = "archived", _("Archived")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EMERITUS = "emeritus", _("Emeritus")


def credential_code() -> str:
    """A random public code, unguessable and without look-alike characters."""
    alphabet = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class Credential(models.Model):
    public_code = models.CharField(_("code"), max_length=12, unique=True, default=credential_code)
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credentials")
    association = models.ForeignKey("associations.Association", on_delete=models.PROTECT, related_name="credentials")
    category = models.CharField(_("category"), max_length=10, choices=CATEGORY_CHOICES)
    emerging = models.BooleanField(_("emerging"), default=False)
    since = models.DateField(_("endorsed since"))
    valid_through = models.DateField(_("valid through"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CredentialStatus.choices, default=CredentialStatus.ACTIVE
    )
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, null=True, blank=True, related_name="credentials"
    )

    inactive_until = models.DateField(_("inactive until"), null=True, blank=True)

    class Meta:
        ordering = ["-since", "id"]
        verbose_name = _("credential")
        verbose_name_plural = _("credentials")
        indexes = [models.Index(fields=["association", "status", "valid_through"], name="credential_due_idx")]

    def __str__(self) -> str:
        return f"{self.category} {self.public_code}"


# --- Exam -------------------------------------------------------------------------------------


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


# --- Renewal --------------------------------------------------------------------------------


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
