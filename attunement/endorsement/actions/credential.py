"""A credential's life after it is granted: issued, reinstated, inactive and reactivated,
archived or emeritus, suspended, restored, revoked."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from attunement.audit.actions import record
from attunement.endorsement.models import Application, Credential, CredentialStatus
from attunement.endorsement.renewal_dates import first_due
from attunement.endorsement.signals import send_credentials_changed
from attunement.lib.errors import ActionRefused
from attunement.people.models import User


@transaction.atomic
def issue_credential(*, actor: User | None, application: Application, emerging: bool = False) -> Credential:
    credential = Credential.objects.create(
        valid_through=first_due(application.association, timezone.localdate()),
        person=application.portfolio.person,
        association=application.association,
        category=application.category,
        emerging=emerging,
        since=timezone.localdate(),
        application=application,
    )
    record(
        actor=actor,
        verb="endorsement.credential.issued",
        association=application.association,
        target=credential,
        data={"category": credential.category, "emerging": emerging},
    )
    send_credentials_changed(application.association, "issued", [credential.pk])
    return credential


@transaction.atomic
def reinstate_credential(*, actor: User | None, application: Application) -> Credential:
    """A lapsed credential comes back with its code: active, first due next year."""
    credential = application.reinstates
    assert credential is not None
    if Credential.objects.filter(pk=credential.pk, status=CredentialStatus.LAPSED).update(
        status=CredentialStatus.ACTIVE, valid_through=first_due(application.association, timezone.localdate())
    ):
        send_credentials_changed(application.association, "reinstated", [credential.pk])
    record(
        actor=actor, verb="endorsement.credential.reinstated", association=application.association, target=credential
    )
    credential.refresh_from_db()
    return credential


@transaction.atomic
def set_inactive(*, actor: User, credential: Credential, until: date) -> None:
    """Inactive for illness, a move, leave: up to two years, membership kept."""
    today = timezone.localdate()
    if not today < until <= today + timedelta(days=731):
        raise ValidationError({"until": _("Inactive status lasts up to two years.")})
    if not Credential.objects.filter(pk=credential.pk, status=CredentialStatus.ACTIVE).update(
        status=CredentialStatus.INACTIVE, inactive_until=until
    ):
        raise ActionRefused(_("Only an active credential can become inactive."))
    send_credentials_changed(credential.association, "inactive", [credential.pk])
    record(actor=actor, verb="endorsement.credential.inactive", association=credential.association, target=credential,
           data={"until": until.isoformat()})  # fmt: skip


@transaction.atomic
def reactivate(*, actor: User, credential: Credential) -> None:
    today = timezone.localdate()
    if not Credential.objects.filter(pk=credential.pk, status=CredentialStatus.INACTIVE).update(
        status=CredentialStatus.ACTIVE, inactive_until=None, valid_through=first_due(credential.association, today)
    ):
        raise ActionRefused(_("Only an inactive credential can be reactivated."))
    send_credentials_changed(credential.association, "reactivated", [credential.pk])
    record(
        actor=actor, verb="endorsement.credential.reactivated", association=credential.association, target=credential
    )


@transaction.atomic
def change_status(*, actor: User, credential: Credential, status: str) -> None:
    """Archive a category (off the registry, on request) or grant emeritus status."""
    allowed = {CredentialStatus.ARCHIVED: [CredentialStatus.ACTIVE, CredentialStatus.INACTIVE],
               CredentialStatus.EMERITUS: [CredentialStatus.ACTIVE]}  # fmt: skip
    status = CredentialStatus(status)
    if status not in allowed or not Credential.objects.filter(pk=credential.pk, status__in=allowed[status]).update(
        status=status
    ):
        raise ActionRefused(_("That change is not possible from the credential's current status."))
    send_credentials_changed(credential.association, status.value, [credential.pk])
    record(
        actor=actor,
        verb=f"endorsement.credential.{status.value}",
        association=credential.association,
        target=credential,
    )


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason: it is kept in the audit log.")})
    return reason[:1000]


@transaction.atomic
def suspend_credential(*, actor: User, credential: Credential, reason: str) -> None:
    """Suspend an active credential (an investigation, an unpaid debt): off the directory,
    "not current" on verification, the suspension bit set in the status list."""
    reason = _reason(reason)
    if not Credential.objects.filter(pk=credential.pk, status=CredentialStatus.ACTIVE).update(
        status=CredentialStatus.SUSPENDED
    ):
        raise ActionRefused(_("Only an active credential can be suspended."))
    send_credentials_changed(credential.association, "suspended", [credential.pk])
    record(actor=actor, verb="endorsement.credential.suspended", association=credential.association,
           target=credential, data={"reason": reason})  # fmt: skip


@transaction.atomic
def restore_credential(*, actor: User, credential: Credential, reason: str) -> None:
    """Lift a suspension: the credential is active again with its dates unchanged."""
    reason = _reason(reason)
    if not Credential.objects.filter(pk=credential.pk, status=CredentialStatus.SUSPENDED).update(
        status=CredentialStatus.ACTIVE
    ):
        raise ActionRefused(_("Only a suspended credential can be restored."))
    send_credentials_changed(credential.association, "restored", [credential.pk])
    record(actor=actor, verb="endorsement.credential.restored", association=credential.association,
           target=credential, data={"reason": reason})  # fmt: skip


@transaction.atomic
def revoke_credential(*, actor: User, credential: Credential, reason: str) -> None:
    """Revoke a credential for good (an ethics finding, fraud): it cannot be restored."""
    reason = _reason(reason)
    if not (
        Credential.objects.filter(pk=credential.pk)
        .exclude(status=CredentialStatus.REVOKED)
        .update(status=CredentialStatus.REVOKED, inactive_until=None)
    ):
        raise ActionRefused(_("This credential is already revoked."))
    send_credentials_changed(credential.association, "revoked", [credential.pk])
    record(actor=actor, verb="endorsement.credential.revoked", association=credential.association,
           target=credential, data={"reason": reason})  # fmt: skip
