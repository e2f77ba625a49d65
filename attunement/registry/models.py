"""What an endorsed person chose to show in the directory, beyond name, category, status and dates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Accepting(models.TextChoices):
    UNSAID = "", _("Not shown")
    YES = "yes", _("Accepting new clients")
    NO = "no", _("Not accepting new clients")


class Listing(models.Model):
    """One per person, for every association's directory. Nothing here is shown or searched
    unless the person filled it in; ``listed`` off takes them out of the directories (their
    credentials still verify by code)."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listing")
    listed = models.BooleanField(_("show me in the directory"), default=True)
    region = models.CharField(
        _("region"), max_length=120, blank=True, help_text=_("The county, city or area you serve.")
    )
    # Language codes wrapped in spaces (" en es "), so a search for one code is one LIKE on
    # every database (SQLite has no JSON containment).
    languages = models.CharField(_("languages"), max_length=200, blank=True)
    accepting = models.CharField(
        _("new clients"), max_length=3, choices=Accepting.choices, blank=True, default=Accepting.UNSAID
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_url = models.URLField(_("web page"), blank=True, max_length=300)
    focus = models.TextField(_("focus of my work"), blank=True, max_length=500)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("directory listing")
        verbose_name_plural = _("directory listings")

    def __str__(self) -> str:
        return str(self.person_id)

    @property
    def language_codes(self) -> list[str]:
        return self.languages.split()
