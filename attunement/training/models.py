"""The training hub: providers and their courses, sessions in parts, registration with a
waitlist, and attendance that becomes verified training records in attendees' portfolios."""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attunement.people.languages import WORK_LANGUAGES
from attunement.portfolios.models import Ages


def verification_code() -> str:
    return secrets.token_hex(5).upper()


class Provider(models.Model):
    """A training organisation of an association. Its approved trainers are the people listed
    here; staff with the trainer role may run sessions of every provider."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    association = models.ForeignKey(
        "associations.Association", on_delete=models.PROTECT, related_name="training_providers"
    )
    name = models.CharField(_("name"), max_length=200)
    website = models.URLField(_("website"), blank=True)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="training_providers", verbose_name=_("approved trainers")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("training provider")
        verbose_name_plural = _("training providers")
        constraints = [models.UniqueConstraint(fields=["association", "name"], name="training_provider_name")]

    def __str__(self) -> str:
        return self.name


class CourseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")


class Course(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    association = models.ForeignKey("associations.Association", on_delete=models.PROTECT, related_name="courses")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="courses")
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    domains = models.JSONField(_("competency domains"), default=list, blank=True)
    areas = models.JSONField(_("competency areas"), default=list, blank=True)
    topics = models.JSONField(_("topics"), default=list, blank=True)
    dei = models.BooleanField(_("about diversity, equity and inclusion"), default=False)
    about_rsc = models.BooleanField(_("about providing RS/C"), default=False)
    clock_hours = models.DecimalField(
        _("clock hours"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.25"))]
    )
    audience_roles = models.JSONField(_("for roles"), default=list, blank=True)
    audience_service_levels = models.JSONField(_("for service levels"), default=list, blank=True)
    age_band = models.CharField(_("ages"), max_length=20, choices=Ages.choices, blank=True)
    language = models.CharField(_("language"), max_length=10, default="en")
    cost_cents = models.PositiveIntegerField(_("cost (cents)"), default=0)
    scholarship_seats = models.PositiveSmallIntegerField(_("scholarship seats per session"), default=0)
    status = models.CharField(_("status"), max_length=12, choices=CourseStatus.choices, default=CourseStatus.DRAFT)
    # ",topic:attachment,domain:reflection,": the catalog filters on it with one LIKE on any
    # database (SQLite cannot look inside JSON lists). Kept by ``save_tags``.
    tags = models.TextField(default="", blank=True, editable=False)
    decision_reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        indexes = [models.Index(fields=["association", "status"], name="course_assoc_status_idx")]
        constraints = [models.CheckConstraint(condition=Q(clock_hours__gt=0), name="course_hours_positive")]

    def __str__(self) -> str:
        return self.title

    @property
    def approved(self) -> bool:
        return self.status == CourseStatus.APPROVED

    @property
    def language_label(self) -> str:
        return str(dict(WORK_LANGUAGES).get(self.language, self.language))

    def save_tags(self) -> None:
        """Fill ``tags`` from the topics and domains (call before saving)."""
        tags = [f"topic:{t}" for t in self.topics] + [f"domain:{d}" for d in self.domains]
        self.tags = "," + ",".join(tags) + "," if tags else ""


class Delivery(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIRTUAL = "virtual", _("Virtual")
    HYBRID = "hybrid", _("Hybrid")


class Session(models.Model):
    """One offering of a course: a single day or a series of parts."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    association = models.ForeignKey(
        "associations.Association", on_delete=models.PROTECT, related_name="training_sessions"
    )
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions")
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    delivery = models.CharField(_("delivery"), max_length=12, choices=Delivery.choices, default=Delivery.IN_PERSON)
    region = models.CharField(_("region"), max_length=100, blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    fee_cents = models.PositiveIntegerField(_("fee (cents)"), default=0)
    # First and last day (kept from the parts) so the catalog sorts and filters on one table.
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    cancelled_at = models.DateTimeField(null=True, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_on", "id"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        indexes = [models.Index(fields=["association", "starts_on", "id"], name="session_catalog_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gte=1), name="session_capacity_positive"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="session_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.course.title} ({self.starts_on:%Y-%m-%d})"

    @property
    def fee(self) -> Decimal:
        return Decimal(self.fee_cents) / 100

    @property
    def is_virtual(self) -> bool:
        return self.delivery in {Delivery.VIRTUAL, Delivery.HYBRID}


class Part(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="parts")
    position = models.PositiveSmallIntegerField(_("part"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    hours = models.DecimalField(
        _("clock hours"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.25"))]
    )

    class Meta:
        ordering = ["session", "position"]
        verbose_name = _("part")
        verbose_name_plural = _("parts")
        constraints = [
            models.UniqueConstraint(fields=["session", "position"], name="part_position_per_session"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="part_ends_after_start"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="part_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.starts_at:%Y-%m-%d %H:%M}"


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    WAITLISTED = "waitlisted", _("On the waitlist")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="registrations")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registrations")
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices)
    # Place on the waitlist (lowest first); kept after promotion for the record.
    position = models.PositiveIntegerField(null=True, blank=True)
    scholarship = models.BooleanField(_("scholarship seat"), default=False)
    invoice = models.ForeignKey("payments.Invoice", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Finalising: the hours attended, and the portfolio record they became (at most one).
    credited_hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    training_entry = models.OneToOneField(
        "portfolios.Training", on_delete=models.SET_NULL, null=True, blank=True, related_name="registration"
    )
    certificate_code = models.CharField(max_length=12, unique=True, default=verification_code)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "person"],
                condition=~Q(status="cancelled"),
                name="one_active_registration_per_session",
            )
        ]
        indexes = [models.Index(fields=["session", "status", "position"], name="registration_queue_idx")]

    def __str__(self) -> str:
        return f"{self.person} — {self.session}"


class Attendance(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="attendance")
    part = models.ForeignKey(Part, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(_("present"), default=False)
    # Hours credited for this part: the part's hours when present, fewer for part of it.
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2, default=Decimal(0))
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["registration", "part"], name="attendance_once_per_part"),
            models.CheckConstraint(condition=Q(hours__gte=0), name="attendance_hours_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.registration_id}/{self.part_id}: {self.present}"


class CalendarFeed(models.Model):
    """A person's private calendar address, once they have changed it. Without a row the first
    address works; rotating stores a fresh secret in the address (the old one stops working),
    revoking empties it (no address works until the next rotation)."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    secret = models.CharField(_("secret part of the address"), max_length=40, blank=True, editable=False)
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"calendar feed of {self.person_id}"
