"""A person's evidence for Endorsement: one portfolio per person, entered once, counting for
every category they hold or aim at. Each entry says where it came from (provenance) and
whether staff have verified it, with the reason when they have not."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attunement.lib.categories import validate_category


class Provenance(models.TextChoices):
    SELF = "self", _("Self-reported")
    STAFF = "staff", _("Entered by staff")
    TRAINING = "training", _("Posted by a training session")
    RSC_PROVIDER = "rsc_provider", _("Confirmed by the RS/C provider")
    # A provider without an account confirmed through the signed link and said what they hold:
    # it does not count until staff verify the provider's standing (then RSC_PROVIDER).
    RSC_LINK = "rsc_link", _("Confirmed by an unverified provider")
    IMPORT = "import", _("Imported")


class Verification(models.TextChoices):
    UNVERIFIED = "unverified", _("Not verified yet")
    VERIFIED = "verified", _("Verified")
    NEEDS_CHANGES = "needs_changes", _("Needs changes")
    REJECTED = "rejected", _("Not accepted")


class Section(models.TextChoices):
    EDUCATION = "education", _("Education")
    LICENSES = "licenses", _("Licences")
    WORK = "work", _("Work")
    TRAINING = "training", _("Training")
    RSC = "rsc", _("Reflective supervision/consultation")
    REFERENCES = "references", _("References")
    AGREEMENTS = "agreements", _("Agreements")


class EducationLevel(models.TextChoices):
    NONE = "none", _("No degree")
    CDA = "cda", _("CDA credential")
    ASSOCIATE = "associate", _("Associate degree")
    BACHELOR = "bachelor", _("Bachelor's degree")
    MASTER = "master", _("Master's degree")
    DOCTORATE = "doctorate", _("Doctorate")


class ServiceLevel(models.TextChoices):
    PROMOTION = "promotion", _("Promotion")
    PREVENTION = "prevention", _("Prevention / early intervention")
    INTERVENTION = "intervention", _("Clinical intervention / treatment")
    LEADERSHIP = "leadership", _("Leadership")


class Ages(models.TextChoices):
    INFANT = "infant", _("Infants and toddlers (prenatal to 36 months)")
    EARLY_CHILDHOOD = "early_childhood", _("Young children (36 months up to 6 years)")
    BOTH = "both", _("Both")


class Leadership(models.TextChoices):
    CLINICAL = "clinical", _("Clinical")
    POLICY = "policy", _("Policy")
    RESEARCH_FACULTY = "research_faculty", _("Research / faculty")


class RSCFormat(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    GROUP = "group", _("Group")


class Relationship(models.TextChoices):
    CURRENT_SUPERVISOR = "current_supervisor", _("Current supervisor")
    FORMER_SUPERVISOR = "former_supervisor", _("Former supervisor")
    RSC_PROVIDER = "rsc_provider", _("RS/C provider")
    COLLEAGUE = "colleague", _("Colleague")
    SUPERVISEE = "supervisee", _("Supervisee")
    TEACHER = "teacher", _("Teacher")
    TRAINER = "trainer", _("Trainer")
    CONSULTANT = "consultant", _("Consultant")
    SERVICE_RECIPIENT = "service_recipient", _("Service recipient")
    OTHER = "other", _("Other")


class Portfolio(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="portfolio")
    # The association the person works with (staff there see and verify the portfolio).
    association = models.ForeignKey("associations.Association", on_delete=models.PROTECT, related_name="portfolios")
    aim = models.CharField(
        _("category I am working towards"), max_length=10, blank=True, validators=[validate_category]
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("portfolio")
        verbose_name_plural = _("portfolios")

    def __str__(self) -> str:
        return str(_("Portfolio of %(person)s") % {"person": self.person})


class Entry(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="%(class)s_entries")
    provenance = models.CharField(_("source"), max_length=20, choices=Provenance.choices, default=Provenance.SELF)
    verification = models.CharField(
        _("verification"), max_length=20, choices=Verification.choices, default=Verification.UNVERIFIED
    )
    verification_reason = models.CharField(_("reason"), max_length=500, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    SECTION: ClassVar[Section]

    class Meta:
        abstract = True

    @property
    def editable_by_owner(self) -> bool:
        """Entries posted by a trusted source, or verified by staff, are not the owner's to change."""
        return self.provenance in {Provenance.SELF, Provenance.IMPORT} and self.verification != Verification.VERIFIED


class Education(Entry):
    SECTION = Section.EDUCATION
    level = models.CharField(_("level"), max_length=12, choices=EducationLevel.choices)
    field = models.CharField(_("field of study"), max_length=200, blank=True)
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    conferred = models.DateField(_("date conferred"))
    transcript = models.FileField(_("transcript"), upload_to="transcripts/", blank=True)

    class Meta:
        ordering = ["-conferred", "id"]
        verbose_name = _("education")
        verbose_name_plural = _("education")

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.field} ({self.conferred:%Y})".strip()


class License(Entry):
    SECTION = Section.LICENSES
    kind = models.CharField(_("licence"), max_length=100, help_text=_("For example LMSW, LPC, RN."))
    mental_health = models.BooleanField(_("a mental health licence"), default=False)
    jurisdiction = models.CharField(_("state or country"), max_length=60, blank=True)
    issued = models.DateField(_("issued"))
    expires = models.DateField(_("expires"), null=True, blank=True)

    class Meta:
        ordering = ["-issued", "id"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires__isnull=True) | Q(expires__gte=models.F("issued")),
                name="license_expires_after_issued",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.jurisdiction}".strip()


class Work(Entry):
    SECTION = Section.WORK
    employer = models.CharField(_("employer"), max_length=200)
    title = models.CharField(_("job title"), max_length=200)
    responsibilities = models.TextField(_("responsibilities"), blank=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True, help_text=_("Leave empty if you still work here."))
    paid = models.BooleanField(_("paid work"), default=True)
    fte = models.DecimalField(
        _("full-time equivalent"),
        max_digits=3,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(0.01), MaxValueValidator(1)],
    )
    service_level = models.CharField(_("service level"), max_length=20, choices=ServiceLevel.choices)
    ages = models.CharField(_("ages served"), max_length=20, choices=Ages.choices)
    families_served = models.PositiveIntegerField(_("families served"), default=0)
    social_emotional_focus = models.BooleanField(_("primary focus on social-emotional needs"), default=False)
    relationship_focus = models.BooleanField(_("attention to the child's relationships"), default=False)
    dyadic_therapy = models.BooleanField(_("parent-infant / child-parent psychotherapy"), default=False)
    supervised = models.BooleanField(_("supervised"), default=False)
    internship = models.BooleanField(_("internship"), default=False)
    provides_rsc = models.BooleanField(_("I provide RS/C to others in this role"), default=False)
    leadership = models.CharField(_("leadership role"), max_length=20, choices=Leadership.choices, blank=True)
    supervisor_name = models.CharField(_("direct supervisor"), max_length=200, blank=True)
    supervisor_email = models.EmailField(_("supervisor's email"), blank=True)

    class Meta:
        ordering = ["-start", "id"]
        verbose_name = _("work experience")
        verbose_name_plural = _("work experience")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="work_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}, {self.employer}"


class Training(Entry):
    SECTION = Section.TRAINING
    title = models.CharField(_("title"), max_length=300)
    provider = models.CharField(_("offered by"), max_length=200, blank=True)
    date = models.DateField(_("date (last day)"))
    hours = models.DecimalField(_("clock hours"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0.01)])
    domains = models.JSONField(_("competency domains"), default=list, blank=True)
    dei = models.BooleanField(_("about diversity, equity and inclusion"), default=False)
    about_rsc = models.BooleanField(_("about providing RS/C"), default=False)
    certificate = models.FileField(_("certificate"), upload_to="certificates/", blank=True)

    class Meta:
        ordering = ["-date", "id"]
        verbose_name = _("training")
        verbose_name_plural = _("training")
        constraints = [models.CheckConstraint(condition=Q(hours__gt=0), name="training_hours_positive")]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%Y-%m-%d})"


class RSC(Entry):
    SECTION = Section.RSC
    provider_name = models.CharField(_("RS/C provider"), max_length=200)
    provider_email = models.EmailField(_("provider's email"), blank=True)
    provider_category = models.CharField(
        _("provider's Endorsement"), max_length=10, blank=True, validators=[validate_category]
    )
    provider_since = models.DateField(_("endorsed since"), null=True, blank=True)
    provider_vetted = models.BooleanField(_("vetted by the association (not endorsed)"), default=False)
    format = models.CharField(_("format"), max_length=12, choices=RSCFormat.choices)
    start = models.DateField(_("first session"))
    end = models.DateField(_("last session"), null=True, blank=True, help_text=_("Leave empty if it goes on."))
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0.01)])
    about_providing_rsc = models.BooleanField(_("about the RS/C I provide to others"), default=False)
    peer = models.BooleanField(_("peer supervision"), default=False)

    class Meta:
        ordering = ["-start", "id"]
        verbose_name = _("RS/C")
        verbose_name_plural = _("RS/C")
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="rsc_hours_positive"),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="rsc_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_name} ({self.start:%Y-%m})"

    @property
    def confirmed(self) -> bool:
        return self.provenance == Provenance.RSC_PROVIDER or self.verification == Verification.VERIFIED

    @property
    def provider_unverified(self) -> bool:
        """Confirmed through the link by a provider whose standing nobody has checked yet (staff
        verifying the whole entry checks it too)."""
        return self.provenance == Provenance.RSC_LINK and self.verification != Verification.VERIFIED


class AgreementKind(models.TextChoices):
    CODE_OF_ETHICS = "code_of_ethics", _("Code of Ethics")
    ENDORSEMENT_AGREEMENT = "endorsement_agreement", _("Endorsement Agreement")


class AgreementText(models.Model):
    """A version of an agreement's text. People sign a version; a new version asks again."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    association = models.ForeignKey(
        "associations.Association", on_delete=models.PROTECT, null=True, blank=True, related_name="agreement_texts"
    )
    kind = models.CharField(_("agreement"), max_length=30, choices=AgreementKind.choices)
    version = models.CharField(_("version"), max_length=20)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    body = models.TextField(_("text"))
    effective = models.DateField(_("in force from"))

    class Meta:
        ordering = ["kind", "-effective"]
        verbose_name = _("agreement text")
        verbose_name_plural = _("agreement texts")
        constraints = [
            models.UniqueConstraint(
                fields=["association", "kind", "version", "language"], name="agreement_text_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.version} ({self.language})"


class Signature(models.Model):
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="signatures")
    text = models.ForeignKey(AgreementText, on_delete=models.PROTECT, related_name="signatures")
    typed_name = models.CharField(_("name typed as signature"), max_length=200)
    signed_on = models.DateField(_("signed on"))
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-signed_at"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")

    def __str__(self) -> str:
        return f"{self.text} — {self.typed_name} {self.signed_on:%Y-%m-%d}"


class Comment(models.Model):
    """A message in a portfolio section's thread between the applicant and staff."""

    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="comments")
    section = models.CharField(_("section"), max_length=20, choices=Section.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("message"), max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["portfolio", "section", "created_at"], name="comment_thread_idx")]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


class ReferenceStatus(models.TextChoices):
    DRAFT = "draft", _("Not sent yet")
    SENT = "sent", _("Sent")
    OPENED = "opened", _("Opened")
    COMPLETED = "completed", _("Completed")
    BOUNCED = "bounced", _("Email bounced")
    CANCELLED = "cancelled", _("Cancelled")


class Rating(models.TextChoices):
    EMERGING = "1", _("Emerging")
    DEVELOPING = "2", _("Developing")
    COMPETENT = "3", _("Competent")
    EXEMPLARY = "4", _("Exemplary")
    INSUFFICIENT = "insufficient", _("I do not have enough information")


class RaterStanding(models.TextChoices):
    """Whether the rater is who they say they are (the Endorsement they hold, or that staff
    know them). A rating given through the link counts only once this is settled."""

    UNVERIFIED = "unverified", _("Given by an unverified rater")
    REGISTRY = "registry", _("The rater holds an Endorsement here")
    VERIFIED = "verified", _("Rater's standing verified by staff")
    REJECTED = "rejected", _("Rater's standing not confirmed by staff")


class Reference(models.Model):
    """A reference rating the applicant asks for. The rater answers through a signed,
    expiring link and needs no account; changing or resending the rater makes old links dead."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    portfolio = models.ForeignKey(Portfolio, on_delete=models.CASCADE, related_name="references")
    category = models.CharField(_("category rated for"), max_length=10, validators=[validate_category])
    rater_name = models.CharField(_("rater's name"), max_length=200)
    rater_email = models.EmailField(_("rater's email"))
    relationship = models.CharField(_("relationship to you"), max_length=30, choices=Relationship.choices)
    known_months = models.PositiveIntegerField(_("months the rater has known your work"), null=True, blank=True)
    waived = models.BooleanField(
        _("I waive my right to see this rating"),
        default=True,
        help_text=_("Raters are often more candid when you waive it; staff and reviewers always see it."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ReferenceStatus.choices, default=ReferenceStatus.DRAFT
    )
    link_nonce = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    # What the rater says of themselves (staff verify); staff may mark a non-endorsed rater vetted.
    rater_category = models.CharField(
        _("rater's Endorsement"), max_length=10, blank=True, validators=[validate_category]
    )
    rater_since = models.DateField(_("endorsed since"), null=True, blank=True)
    rater_vetted = models.BooleanField(_("vetted by staff"), default=False)
    rater_standing = models.CharField(
        _("rater's standing"), max_length=12, choices=RaterStanding.choices, default=RaterStanding.UNVERIFIED
    )
    answers = models.JSONField(_("ratings per competency domain"), default=dict, blank=True)
    insufficient_info_count = models.PositiveSmallIntegerField(default=0)
    narrative = models.TextField(_("comments"), blank=True, max_length=8000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("reference rating")
        verbose_name_plural = _("reference ratings")

    def __str__(self) -> str:
        return str(_("Rating by %(rater)s") % {"rater": self.rater_name})

    @property
    def rater_unverified(self) -> bool:
        return self.rater_standing in {RaterStanding.UNVERIFIED, RaterStanding.REJECTED}
