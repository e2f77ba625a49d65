"""The competency framework: domains and their knowledge and skill areas, per category.

The public domain and area names ship with Attunement (data/public.json). The full
Competency Guidelines® booklet is licensed content: an association loads its own copy
through the same file format, and it is visible only to that association."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Framework(models.Model):
    key = models.SlugField(_("framework id"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    association = models.ForeignKey(
        "associations.Association", on_delete=models.PROTECT, null=True, blank=True, related_name="frameworks"
    )
    licensed = models.BooleanField(_("licensed content"), default=False)
    source = models.CharField(_("source"), max_length=300, blank=True)
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("competency framework")
        verbose_name_plural = _("competency frameworks")
        constraints = [models.UniqueConstraint(fields=["association", "key"], name="framework_key_per_association")]

    def __str__(self) -> str:
        return self.name


class Domain(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="domains")
    slug = models.SlugField(_("domain"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    categories = models.JSONField(_("categories that use it"), default=list)

    class Meta:
        ordering = ["framework", "position"]
        constraints = [models.UniqueConstraint(fields=["framework", "slug"], name="domain_slug_per_framework")]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="areas")
    slug = models.SlugField(_("area"), max_length=80)
    name = models.CharField(_("name"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    categories = models.JSONField(_("categories that use it"), default=list)

    class Meta:
        ordering = ["domain", "position"]
        constraints = [models.UniqueConstraint(fields=["domain", "slug"], name="area_slug_per_domain")]

    def __str__(self) -> str:
        return self.name
