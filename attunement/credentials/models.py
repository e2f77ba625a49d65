"""Signing keys of the associations and the status-list positions of their credentials.

A credential becomes a verifiable credential (Open Badges 3.0) the first time someone asks
for it: it then gets a fixed position in its association's Bitstring Status Lists, and is
signed with the association's current key. Retired keys stay published in the issuer's DID
document so what they signed still verifies."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attunement.credentials import crypto


class Issuer(models.Model):
    """One row per association that issues verifiable credentials: the lock under which its
    keys are made and its status-list positions handed out (``next_status_index``)."""

    association = models.OneToOneField("associations.Association", on_delete=models.PROTECT, related_name="+")
    next_status_index = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("credential issuer")
        verbose_name_plural = _("credential issuers")

    def __str__(self) -> str:
        return str(self.association_id)


class SigningKey(models.Model):
    """An Ed25519 key of an association. The private half is stored encrypted (AES-GCM, with
    a key derived from the deployment's CREDENTIAL_KEY_SECRET); one key is current
    (``retired_at`` empty), the others are kept for verification only."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    association = models.ForeignKey("associations.Association", on_delete=models.PROTECT, related_name="+")
    kid = models.CharField(_("key id"), max_length=40)
    public_jwk = models.JSONField(_("public key (JWK)"))
    private_key_encrypted = models.BinaryField(editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        ordering = ["association_id", "created_at", "id"]
        verbose_name = _("signing key")
        verbose_name_plural = _("signing keys")
        constraints = [
            models.UniqueConstraint(fields=["association", "kid"], name="signing_key_kid_unique"),
            models.UniqueConstraint(
                fields=["association"], condition=Q(retired_at__isnull=True), name="one_current_signing_key"
            ),
        ]

    def __str__(self) -> str:
        return self.kid

    def signing_jwk(self) -> dict[str, str]:
        """The private JWK, unsealed for one signature (never stored unsealed)."""
        seed = crypto.unseal(self.private_key_encrypted, f"{self.association_id}:{self.kid}")
        return crypto.private_jwk(seed, self.public_jwk)


class StatusEntry(models.Model):
    """The fixed position of a credential in its association's status lists (revocation and
    suspension share the index)."""

    credential = models.OneToOneField("endorsement.Credential", on_delete=models.PROTECT, related_name="status_entry")
    association = models.ForeignKey("associations.Association", on_delete=models.PROTECT, related_name="+")
    index = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("status list entry")
        verbose_name_plural = _("status list entries")
        constraints = [models.UniqueConstraint(fields=["association", "index"], name="status_index_unique")]

    def __str__(self) -> str:
        return f"{self.association_id}#{self.index}"
