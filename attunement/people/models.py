from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attunement.people.languages import WORK_LANGUAGE_CODES
from attunement.people.names import KEY_LENGTH, name_key


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create(email, password, **extra)


def validate_work_languages(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(_("Languages must be a list of language codes."))
    unknown = sorted(set(value) - WORK_LANGUAGE_CODES)
    if unknown:
        raise ValidationError(_("Unknown language code: %(codes)s."), params={"codes": ", ".join(unknown)})


class User(AbstractBaseUser, PermissionsMixin):
    """One login per person across every association on the deployment.

    The profile lives on the user: it is read on nearly every page and has no life of
    its own. ``is_staff`` means the deployment's operators (Django admin); association
    staff roles are :class:`attunement.associations.models.StaffRole` rows.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("email address"), unique=True)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    preferred_name = models.CharField(
        _("preferred name"), max_length=200, blank=True, help_text=_("The name we use when we write to you.")
    )
    # The names folded (case, accents, punctuation ignored: "José O'Neil" -> "jose o neil"),
    # kept by save() so the directory and the verification API find "Jose" for "José" on
    # both databases. Code that writes names without save() (bulk_create, update) sets them
    # with fill_name_keys().
    legal_name_key = models.CharField(max_length=KEY_LENGTH, blank=True, editable=False, db_index=True)
    preferred_name_key = models.CharField(max_length=KEY_LENGTH, blank=True, editable=False, db_index=True)
    pronouns = models.CharField(_("pronouns"), max_length=60, blank=True)
    languages = models.JSONField(
        _("languages you work in"), default=list, blank=True, validators=[validate_work_languages]
    )
    secondary_email = models.EmailField(
        _("second email address"),
        blank=True,
        help_text=_("Renewal reminders go here too, in case work mail blocks them."),
    )
    region = models.CharField(
        _("region"), max_length=120, blank=True, help_text=_("The county, city or area where you mostly work.")
    )
    preferred_language = models.CharField(
        _("language for messages"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("deployment operator"), default=False, help_text=_("May use the Django admin of the whole deployment.")
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.display_name

    def fill_name_keys(self) -> User:
        self.legal_name_key = name_key(self.legal_name)
        self.preferred_name_key = name_key(self.preferred_name)
        return self

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.fill_name_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"legal_name", "preferred_name"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "legal_name_key", "preferred_name_key"}
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.preferred_name or self.legal_name or self.email

    def get_full_name(self) -> str:
        return self.legal_name or self.display_name

    def get_short_name(self) -> str:
        return self.display_name
