"""Associations (the tenants), their policy settings and their staff roles."""

from __future__ import annotations

import uuid
import zoneinfo
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Top-level paths the deployment itself uses; an association cannot take them as its slug.
RESERVED_SLUGS = frozenset(
    {
        "about", "accounts", "admin", "api", "assets", "docs", "directory", "favicon.ico", "healthz",
        "help", "i18n", "mail", "me", "media", "reference", "registry", "robots.txt", "rsc-confirm", "static", "staff", "uploads",
        "verify",
        "well-known", ".well-known", "www",
    }
)  # fmt: skip

slug_format = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$",
    _("Use 2 to 40 lower-case letters, digits and hyphens, starting and ending with a letter or digit."),
)


def validate_slug_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("“%(slug)s” is used by Attunement itself; choose another."), params={"slug": value})


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(tz)s” is not a known time zone (for example America/Detroit)."), params={"tz": value}
        )


US_STATES = [
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"), ("CA", "California"),
    ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"), ("DC", "District of Columbia"),
    ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"), ("ID", "Idaho"), ("IL", "Illinois"),
    ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"), ("KY", "Kentucky"), ("LA", "Louisiana"),
    ("ME", "Maine"), ("MD", "Maryland"), ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"),
    ("MS", "Mississippi"), ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"), ("NV", "Nevada"),
    ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"), ("NY", "New York"),
    ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma"), ("OR", "Oregon"),
    ("PA", "Pennsylvania"), ("PR", "Puerto Rico"), ("RI", "Rhode Island"), ("SC", "South Carolina"),
    ("SD", "South Dakota"), ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"), ("VT", "Vermont"),
    ("VA", "Virginia"), ("WA", "Washington"), ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
]  # fmt: skip


class Association(models.Model):
    """An AIMH, an alliance of AIMHs or a state agency running Attunement for its workforce."""

    slug = models.CharField(
        _("address name"),
        max_length=40,
        unique=True,
        validators=[slug_format, validate_slug_not_reserved],
        help_text=_("Used in addresses: /<address name>/…"),
    )
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=40, blank=True, help_text=_("For example MI-AIMH."))
    state = models.CharField(
        _("state"), max_length=2, choices=US_STATES, blank=True, help_text=_("Leave empty outside the United States.")
    )
    country = models.CharField(
        _("country"),
        max_length=2,
        default="US",
        validators=[RegexValidator(r"^[A-Z]{2}$", _("Use a two-letter ISO country code, for example US or IE."))],
        help_text=_("Two-letter ISO country code, for example US or IE."),
    )
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.FileField(_("logo"), upload_to="logos/", blank=True)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="America/New_York", validators=[validate_timezone]
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive associations are hidden; their data is kept.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("association")
        verbose_name_plural = _("associations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_short_name(self) -> str:
        return self.short_name or self.name

    @property
    def place(self) -> str:
        return self.get_state_display() if self.state else self.country

    def clean(self) -> None:
        if self.state and self.country != "US":
            raise ValidationError({"state": _("A state applies only to associations in the United States (US).")})


class ResidencyRule(models.TextChoices):
    NONE = "none", _("Anyone may apply")
    RESIDENTS = "residents", _("Residents of the association's state or country")
    RESIDENTS_OR_WORKERS = "residents_or_workers", _("People who live or work in the association's state or country")


class ReviewSchedule(models.TextChoices):
    ROLLING = "rolling", _("Rolling: reviewed as they come")
    MONTHLY = "monthly", _("Monthly: the first of each month")
    QUARTERLY = "quarterly", _("Quarterly: January, April, July, October")
    FIXED = "fixed", _("Fixed dates")
    COHORT = "cohort", _("Cohorts with an application window")


def default_reminder_days() -> list[int]:
    return [90, 60, 30, 7, 0, -7]


class AssociationPolicy(models.Model):
    """Settings an association's admins choose for how it runs (not Endorsement rules,
    which are versioned rule sets of their own)."""

    association = models.OneToOneField(Association, on_delete=models.CASCADE, related_name="policy")
    languages_offered = models.JSONField(
        _("languages offered"), default=list, help_text=_("Languages of the association's pages and mail.")
    )
    residency_rule = models.CharField(
        _("who may apply"), max_length=32, choices=ResidencyRule.choices, default=ResidencyRule.RESIDENTS_OR_WORKERS
    )
    membership_cutoff_month = models.PositiveSmallIntegerField(
        _("membership cutoff month"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("A membership bought on or after this date runs to the end of the next year."),
    )
    membership_cutoff_day = models.PositiveSmallIntegerField(
        _("membership cutoff day"), default=1, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    renewal_due_month = models.PositiveSmallIntegerField(
        _("renewal due month"), default=12, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    renewal_due_day = models.PositiveSmallIntegerField(
        _("renewal due day"), default=31, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    renewal_grace_days = models.PositiveSmallIntegerField(
        _("grace period (days)"),
        default=31,
        validators=[MaxValueValidator(366)],
        help_text=_("Days after the due date before a credential lapses."),
    )
    reviewers_per_application = models.PositiveSmallIntegerField(
        _("reviewers per application"), default=2, validators=[MinValueValidator(1), MaxValueValidator(2)]
    )
    public_directory = models.BooleanField(_("publish a directory of endorsed people"), default=True)
    categories_offered = models.JSONField(
        _("categories offered"), default=list, blank=True, help_text=_("Empty: every category of the rule set.")
    )
    review_schedule = models.CharField(
        _("review deadlines"), max_length=12, choices=ReviewSchedule.choices, default=ReviewSchedule.ROLLING
    )
    review_dates = models.JSONField(
        _("fixed review dates"), default=list, blank=True, help_text=_("For fixed dates: YYYY-MM-DD, one per deadline.")
    )
    application_window_days = models.PositiveSmallIntegerField(
        _("cohort application window (days)"), default=90, help_text=_("For cohorts: days to complete after joining.")
    )
    exam_approval_days = models.PositiveSmallIntegerField(_("exam approval valid for (days)"), default=365)
    exam_retake_wait_days = models.PositiveSmallIntegerField(_("wait before a retake (days)"), default=365)
    renewal_auto_approve = models.BooleanField(
        _("approve renewals at once when every counted entry is verified"), default=True
    )
    renewal_audit_percent = models.PositiveSmallIntegerField(
        _("renewals audited (%)"),
        default=10,
        validators=[MaxValueValidator(100)],
        help_text=_("This share of renewals, chosen at random, must show documentation to staff."),
    )
    reminder_days = models.JSONField(
        _("renewal reminders (days before the due date; negative: after it)"), default=default_reminder_days, blank=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("association policy")
        verbose_name_plural = _("association policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(reviewers_per_application__in=[1, 2]), name="policy_reviewers_one_or_two"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Policy of %(name)s") % {"name": self.association.name})

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        for prefix in ("membership_cutoff", "renewal_due"):
            month = getattr(self, f"{prefix}_month")
            day = getattr(self, f"{prefix}_day")
            if month and day and day > _days_in_month(month):
                errors[f"{prefix}_day"] = _("That month has no day %(day)s.") % {"day": day}
        codes = {code for code, _name in settings.LANGUAGES}
        if not self.languages_offered or not set(self.languages_offered) <= codes:
            errors["languages_offered"] = _("Choose at least one of the languages Attunement offers.")
        if errors:
            raise ValidationError(errors)


def _days_in_month(month: int) -> int:
    # February counts 29 so that a Feb 29 date is accepted; leap years are handled where it is used.
    return [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]


class Role(models.TextChoices):
    ADMIN = "admin", _("Association admin")
    COORDINATOR = "coordinator", _("Coordinator")
    REVIEWER = "reviewer", _("Reviewer")
    TRAINER = "trainer", _("Trainer")
    ANALYST = "analyst", _("Analyst")


class StaffRoleQuerySet(models.QuerySet["StaffRole"]):
    def current(self) -> StaffRoleQuerySet:
        return self.filter(revoked_at__isnull=True)


class StaffRole(models.Model):
    """A person's role in one association. Revoking keeps the row (and its history)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="staff_roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="staff_roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects: ClassVar[StaffRoleQuerySet] = StaffRoleQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("staff role")
        verbose_name_plural = _("staff roles")
        ordering = ["association", "role", "granted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "user", "role"],
                condition=Q(revoked_at__isnull=True),
                name="staffrole_one_current_per_role",
            ),
        ]
        indexes = [models.Index(fields=["user", "association"], name="staffrole_user_assoc_idx")]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.user} ({self.association.display_short_name})"


class StaffInvitation(models.Model):
    """An admin's offer of a role to an e-mail address. It is recorded, mailed and shown the
    same way whether or not anyone has an account with that address, so the admin learns
    nothing about accounts elsewhere on the deployment; the person accepts it signed in with
    that address confirmed, and only then holds the role."""

    DAYS = 30  # how long an invitation can be accepted

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    association = models.ForeignKey(Association, on_delete=models.PROTECT, related_name="staff_invitations")
    email = models.EmailField(_("email address"))  # stored in lower case
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)

    class Meta:
        verbose_name = _("staff invitation")
        verbose_name_plural = _("staff invitations")
        ordering = ["association", "-invited_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "email", "role"],
                condition=Q(accepted_at__isnull=True),
                name="staffinvitation_one_open_per_role",
            ),
        ]
        indexes = [models.Index(fields=["email", "accepted_at"], name="staffinvitation_email_idx")]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.email} ({self.association.display_short_name})"
