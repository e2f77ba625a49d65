"""Credentials: what a person holds in an association, with its public code."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from attunement.endorsement.models.applications import Application
from attunement.lib.categories import validate_category


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
    category = models.CharField(_("category"), max_length=10, validators=[validate_category])
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
