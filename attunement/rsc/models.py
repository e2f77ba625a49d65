"""Reflective supervision/consultation (RS/C): the providers an association lists, the groups
they run, who belongs to them, the meetings held and who attended, and individual sessions a
supervisee logs for the provider to confirm. Attendance and confirmed sessions become RS/C
entries in the supervisee's portfolio, where the eligibility engine counts them."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attunement.people.languages import WORK_LANGUAGE_CODES, WORK_LANGUAGES

if TYPE_CHECKING:
    from attunement.associations.models import Association


def validate_languages(value: object) -> None:
    if not isinstance(value, list) or set(value) - WORK_LANGUAGE_CODES:
        raise ValidationError(_("Choose languages from the list."))


class ProviderProfile(models.Model):
    """A person who provides RS/C at an association. The categories they hold come from
    their current credentials, never from this row; staff may mark a provider vetted."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    association = models.ForeignKey("associations.Association", on_delete=models.PROTECT, related_name="rsc_providers")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rsc_profiles")
    accepting_new = models.BooleanField(_("accepting new supervisees"), default=True)
    offers_individual = models.BooleanField(_("offers individual RS/C"), default=True)
    offers_group = models.BooleanField(_("offers group RS/C"), default=False)
    languages = models.JSONField(_("languages"), default=list, blank=True, validators=[validate_languages])
    virtual = models.BooleanField(_("meets by video"), default=False)
    regions = models.CharField(_("regions where I meet in person"), max_length=200, blank=True)
    fee_range = models.CharField(
        _("fee range"), max_length=100, blank=True, help_text=_("For example $60–90 a session.")
    )
    focus = models.TextField(_("focus"), max_length=1000, blank=True)
    vetted = models.BooleanField(_("vetted by the association"), default=False)
    vetted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    vetted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("RS/C provider")
        verbose_name_plural = _("RS/C providers")
        constraints = [models.UniqueConstraint(fields=["association", "person"], name="rsc_provider_once")]
        indexes = [models.Index(fields=["association", "accepting_new"], name="rsc_provider_roster_idx")]

    def __str__(self) -> str:
        return str(self.person.display_name)


class Programme(models.Model):
    """A sector programme: many groups an association runs at once (for example for every
    home visitor in a state programme)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    association = models.ForeignKey("associations.Association", on_delete=models.PROTECT, related_name="rsc_programmes")
    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("RS/C programme")
        verbose_name_plural = _("RS/C programmes")

    def __str__(self) -> str:
        return self.name


class Group(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    association = models.ForeignKey("associations.Association", on_delete=models.PROTECT, related_name="rsc_groups")
    provider = models.ForeignKey(ProviderProfile, on_delete=models.PROTECT, related_name="groups")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="groups")
    name = models.CharField(_("name"), max_length=200)
    schedule = models.CharField(
        _("schedule"), max_length=200, help_text=_("For example: every second and fourth Tuesday, 10:00–11:30.")
    )
    starts = models.DateField(_("first meeting"))
    ends = models.DateField(_("last meeting"))
    meeting_hours = models.DecimalField(
        _("hours per meeting"), max_digits=4, decimal_places=2, default=1.5, validators=[MinValueValidator(0.25)]
    )
    capacity = models.PositiveSmallIntegerField(_("places"), default=8, validators=[MinValueValidator(1)])
    language = models.CharField(_("language"), max_length=8, choices=WORK_LANGUAGES, default="en")
    virtual = models.BooleanField(_("meets by video"), default=False)
    region = models.CharField(_("region"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts", "id"]
        verbose_name = _("RS/C group")
        verbose_name_plural = _("RS/C groups")
        constraints = [
            models.CheckConstraint(condition=Q(ends__gte=models.F("starts")), name="rsc_group_ends_after_starts"),
            models.CheckConstraint(condition=Q(meeting_hours__gt=0), name="rsc_group_hours_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class MembershipStatus(models.TextChoices):
    REQUESTED = "requested", _("Asked to join")
    ACTIVE = "active", _("Member")
    LEFT = "left", _("Left")
    DECLINED = "declined", _("Not accepted")


class Membership(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    supervisee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rsc_memberships")
    status = models.CharField(
        _("status"), max_length=12, choices=MembershipStatus.choices, default=MembershipStatus.REQUESTED
    )
    requested_at = models.DateTimeField(default=timezone.now)
    joined_on = models.DateField(_("joined"), null=True, blank=True)
    left_on = models.DateField(_("left"), null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("group membership")
        verbose_name_plural = _("group memberships")
        constraints = [models.UniqueConstraint(fields=["group", "supervisee"], name="rsc_membership_once")]

    def __str__(self) -> str:
        return f"{self.supervisee} — {self.group}"


class Meeting(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=2, validators=[MinValueValidator(0.25)])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("group meeting")
        verbose_name_plural = _("group meetings")
        constraints = [
            models.UniqueConstraint(fields=["group", "date"], name="rsc_meeting_once_a_day"),
            models.CheckConstraint(condition=Q(hours__gt=0), name="rsc_meeting_hours_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.date:%Y-%m-%d}"


class Attendance(models.Model):
    """One member at one meeting. ``entry`` is the RS/C entry the attendance put in the
    member's portfolio, so recording the meeting again updates it instead of adding one."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(_("present"), default=False)
    entry = models.OneToOneField(
        "portfolios.RSC", on_delete=models.SET_NULL, null=True, blank=True, related_name="rsc_attendance"
    )

    class Meta:
        ordering = ["meeting", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "membership"], name="rsc_attendance_once")]

    def __str__(self) -> str:
        return f"{self.membership} @ {self.meeting.date:%Y-%m-%d}"


class SessionStatus(models.TextChoices):
    LOGGED = "logged", _("Waiting for the provider")
    CONFIRMED = "confirmed", _("Confirmed by the provider")
    DECLINED = "declined", _("Not confirmed by the provider")


class IndividualSession(models.Model):
    """Individual RS/C the supervisee logged. Its portfolio entry counts at once (with a
    warning) and becomes provider-confirmed when the provider confirms, in Attunement or
    through a signed, single-use link when the provider has no account."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    supervisee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rsc_sessions")
    provider = models.ForeignKey(
        ProviderProfile, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions"
    )
    provider_name = models.CharField(_("provider's name"), max_length=200)
    provider_email = models.EmailField(_("provider's email"))
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=2, validators=[MinValueValidator(0.25)])
    entry = models.OneToOneField(
        "portfolios.RSC", on_delete=models.SET_NULL, null=True, blank=True, related_name="rsc_session"
    )
    status = models.CharField(_("status"), max_length=12, choices=SessionStatus.choices, default=SessionStatus.LOGGED)
    link_nonce = models.CharField(max_length=32, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "id"]
        verbose_name = _("individual RS/C session")
        verbose_name_plural = _("individual RS/C sessions")
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="rsc_session_hours_positive")]

    def __str__(self) -> str:
        return f"{self.provider_name} {self.date:%Y-%m-%d}"


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the provider")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class IndividualRequest(models.Model):
    """A person asks a provider to start individual RS/C with them."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(ProviderProfile, on_delete=models.CASCADE, related_name="requests")
    supervisee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rsc_requests")
    message = models.TextField(_("message to the provider"), max_length=1000, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = _("request for individual RS/C")
        verbose_name_plural = _("requests for individual RS/C")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "supervisee"], condition=Q(status="open"), name="rsc_one_open_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.supervisee} → {self.provider}"


class RSCPolicy(models.Model):
    """How much individual RS/C an association finds plausible (set per association in the
    Django admin). No row: the defaults below. These are not Endorsement rules (the rule set
    says how many hours count); they stop impossible logs before they reach a portfolio."""

    association = models.OneToOneField("associations.Association", on_delete=models.CASCADE, related_name="rsc_policy")
    max_session_hours = models.DecimalField(
        _("most hours in one individual session"), max_digits=4, decimal_places=2, default=4,
        validators=[MinValueValidator(0.25), MaxValueValidator(24)],
    )  # fmt: skip
    max_hours_per_day = models.DecimalField(
        _("most RS/C hours a person logs on one day"), max_digits=4, decimal_places=2, default=8,
        validators=[MinValueValidator(0.25), MaxValueValidator(24)],
        help_text=_("Individual sessions and group meetings on that date together."),
    )  # fmt: skip
    max_provider_hours_per_day = models.DecimalField(
        _("most individual RS/C hours one provider gives on one day"), max_digits=4, decimal_places=2, default=8,
        validators=[MinValueValidator(0.25), MaxValueValidator(24)],
        help_text=_("Across all their supervisees; the provider is known by their email address."),
    )  # fmt: skip
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("RS/C plausibility limits")
        verbose_name_plural = _("RS/C plausibility limits")

    def __str__(self) -> str:
        return str(_("RS/C limits of %(name)s") % {"name": self.association})

    @classmethod
    def of(cls, association: Association) -> RSCPolicy:
        """The association's limits (an unsaved row of defaults when it chose none)."""
        return cls.objects.filter(association=association).first() or cls(association=association)
