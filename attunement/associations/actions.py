"""Every change to associations, their policies and staff roles goes through here."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from attunement.associations.models import Association, AssociationPolicy, Role, StaffInvitation, StaffRole
from attunement.audit.actions import record
from attunement.lib.errors import ActionRefused
from attunement.mail.messages import tags

if TYPE_CHECKING:
    from attunement.people.models import User


def _changes(obj: Any, fields: list[str], values: dict[str, Any]) -> dict[str, Any]:
    return {f: values[f] for f in fields if f in values and getattr(obj, f) != values[f]}


@transaction.atomic
def create_association(*, actor: User | None, slug: str, name: str, contact_email: str, **fields: Any) -> Association:
    association = Association(slug=slug, name=name, contact_email=contact_email, **fields)
    association.full_clean()
    association.save()
    policy = AssociationPolicy(association=association, languages_offered=["en", "es"])
    policy.full_clean(exclude=["association"])
    policy.save()
    record(actor=actor, verb="association.created", association=association, target=association, data={"slug": slug})
    return association


ASSOCIATION_FIELDS = [
    "name", "short_name", "state", "country", "contact_email", "contact_phone", "website", "time_zone",
]  # fmt: skip


@transaction.atomic
def update_association(*, actor: User, association: Association, values: dict[str, Any]) -> list[str]:
    """Change an association's details; returns the names of the fields that changed."""
    association = Association.objects.select_for_update().get(pk=association.pk)
    changed = _changes(association, ASSOCIATION_FIELDS, values)
    if not changed:
        return []
    for field, value in changed.items():
        setattr(association, field, value)
    association.full_clean()
    association.save(update_fields=list(changed))
    record(
        actor=actor,
        verb="association.updated",
        association=association,
        target=association,
        data={"changed": sorted(changed)},
    )
    return sorted(changed)


@transaction.atomic
def set_association_logo(*, actor: User, association: Association, logo: Any) -> None:
    association = Association.objects.select_for_update().get(pk=association.pk)
    old = association.logo.name if association.logo else ""
    association.logo.save(logo.name, logo, save=False)
    association.save(update_fields=["logo"])
    record(actor=actor, verb="association.logo.changed", association=association, target=association)
    if old:
        storage = association.logo.storage
        transaction.on_commit(lambda: storage.delete(old))


POLICY_FIELDS = [
    "languages_offered", "residency_rule", "membership_cutoff_month", "membership_cutoff_day",
    "renewal_due_month", "renewal_due_day", "renewal_grace_days", "reviewers_per_application",
    "public_directory", "categories_offered", "review_schedule", "review_dates", "application_window_days",
    "exam_approval_days", "exam_retake_wait_days", "renewal_auto_approve", "renewal_audit_percent", "reminder_days",
]  # fmt: skip


@transaction.atomic
def update_policy(*, actor: User, association: Association, values: dict[str, Any]) -> list[str]:
    policy = AssociationPolicy.objects.select_for_update().get(association=association)
    changed = _changes(policy, POLICY_FIELDS, values)
    if not changed:
        return []
    before = {field: getattr(policy, field) for field in changed}
    for field, value in changed.items():
        setattr(policy, field, value)
    policy.full_clean(exclude=["association"])
    policy.save(update_fields=[*changed, "updated_at"])
    record(
        actor=actor,
        verb="association.policy.updated",
        association=association,
        target=association,
        data={"before": before, "after": changed},
    )
    return sorted(changed)


@transaction.atomic
def grant_staff_role(*, actor: User | None, association: Association, user: User, role: Role | str) -> StaffRole:
    role = Role(role)
    if not user.is_active:
        raise ActionRefused(_("%(person)s's account is deactivated.") % {"person": user.email})
    try:
        with transaction.atomic():
            staff_role = StaffRole.objects.create(association=association, user=user, role=role, granted_by=actor)
    except IntegrityError:
        # The partial unique index decides races: one grant stands, the other is told.
        raise ActionRefused(_("%(person)s is already %(role)s.") % {"person": user.email, "role": role.label}) from None
    record(
        actor=actor,
        verb="association.role.granted",
        association=association,
        target=staff_role,
        data={"role": role.value, "person": str(user.public_id)},
    )
    return staff_role


def _send_invitation_mail(invitation: StaffInvitation) -> None:
    link = settings.SITE_URL + reverse("associations_me:invitations")
    # Whether the address has an account (and so a language) is not looked up: the association's first language.
    policy = AssociationPolicy.objects.filter(association=invitation.association).first()
    with translation.override(((policy.languages_offered if policy else None) or [settings.LANGUAGE_CODE])[0]):
        subject = _("You are invited to a role at %(association)s") % {"association": invitation.association.name}
        body = render_to_string("associations/email/staff_invitation.txt", {"invitation": invitation, "link": link})
    headers = tags("staff_invitation", f"associations.staffinvitation:{invitation.public_id}", invitation.association)
    EmailMessage(subject, body, None, [invitation.email], headers=headers).send()


@transaction.atomic
def invite_staff(*, actor: User | None, association: Association, email: str, role: Role | str) -> StaffInvitation:
    """Offer ``role`` to ``email``. The answer, the record and the mail are the same whether the
    address has an account here, elsewhere on the deployment, or none: only accepting grants
    the role. Inviting the same address to the same role again renews the open invitation."""
    role = Role(role)
    email = email.strip().lower()
    # Someone already listed on the roles page with this role: saying so tells nothing new.
    if StaffRole.objects.current().filter(association=association, role=role, user__email__iexact=email).exists():
        raise ActionRefused(_("%(person)s is already %(role)s.") % {"person": email, "role": role.label})
    now = timezone.now()
    expires = now + timedelta(days=StaffInvitation.DAYS)
    renewed = False
    try:
        with transaction.atomic():
            invitation = StaffInvitation.objects.create(
                association=association, email=email, role=role, invited_by=actor, invited_at=now, expires_at=expires
            )
    except IntegrityError:
        # An open invitation exists (or was made this moment by another admin): renew it.
        invitation = StaffInvitation.objects.select_for_update().get(
            association=association, email=email, role=role, accepted_at__isnull=True
        )
        invitation.invited_by, invitation.invited_at, invitation.expires_at = actor, now, expires
        invitation.save(update_fields=["invited_by", "invited_at", "expires_at"])
        renewed = True
    record(
        actor=actor,
        verb="association.role.invited",
        association=association,
        target=invitation,
        data={"role": role.value, "email": email, "renewed": renewed},
    )
    transaction.on_commit(lambda: _send_invitation_mail(invitation))
    return invitation


def confirmed_addresses(user: User) -> set[str]:
    from allauth.account.models import EmailAddress

    listed = EmailAddress.objects.filter(user_id=user.pk, verified=True).values_list("email", flat=True)
    return {address.lower() for address in listed}


@transaction.atomic
def withdraw_staff_invitation(*, actor: User, invitation: StaffInvitation) -> StaffInvitation:
    """The admin takes an open invitation back before it is accepted: it can no longer be
    accepted (inviting the address again later opens it anew). Locked against an accept."""
    locked = StaffInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.accepted_at is not None:
        raise ActionRefused(_("This invitation was already accepted: revoke the role instead."))
    now = timezone.now()
    if locked.expires_at <= now:
        raise ActionRefused(_("This invitation is no longer open."))
    locked.expires_at = now
    locked.save(update_fields=["expires_at"])
    record(
        actor=actor,
        verb="association.role.invitation_withdrawn",
        association=locked.association,
        target=locked,
        data={"role": locked.role, "email": locked.email},
    )
    return locked


@transaction.atomic
def accept_staff_invitation(*, actor: User, invitation: StaffInvitation) -> StaffRole:
    """The invited person takes the role. Locked, so two accepts at once grant it once."""
    locked = StaffInvitation.objects.select_for_update().filter(pk=invitation.pk).first()
    if locked is None or locked.email not in confirmed_addresses(actor):
        raise ActionRefused(_("This invitation is not for one of your confirmed email addresses."))
    if locked.accepted_at is not None:
        raise ActionRefused(_("This invitation was already accepted."))
    if locked.expires_at <= timezone.now():
        raise ActionRefused(
            _("This invitation has expired or was withdrawn; ask the association's admin to invite you again.")
        )
    role = Role(locked.role)
    locked.accepted_at, locked.accepted_by = timezone.now(), actor
    locked.save(update_fields=["accepted_at", "accepted_by"])
    try:
        with transaction.atomic():
            staff_role = StaffRole.objects.create(
                association=locked.association, user=actor, role=role, granted_by=locked.invited_by
            )
    except IntegrityError:
        raise ActionRefused(_("You are already %(role)s.") % {"role": role.label}) from None
    record(
        actor=actor,
        verb="association.role.granted",
        association=locked.association,
        target=staff_role,
        data={"role": role.value, "person": str(actor.public_id), "invitation": str(locked.public_id)},
    )
    return staff_role


@transaction.atomic
def revoke_staff_role(*, actor: User, staff_role: StaffRole) -> StaffRole:
    association = staff_role.association
    if staff_role.role == Role.ADMIN:
        # Lock every current admin row in one order, so two admins removing each other at
        # once wait for each other instead of both succeeding (or deadlocking).
        admins = list(
            StaffRole.objects.current()
            .select_for_update()
            .filter(association=association, role=Role.ADMIN)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if admins == [staff_role.pk]:
            raise ActionRefused(_("An association keeps at least one admin; grant the role to someone else first."))
    now = timezone.now()
    # A conditional UPDATE decides: of two people revoking at once, exactly one changes
    # the row and writes the audit event; the other is told it was already revoked.
    updated = StaffRole.objects.filter(pk=staff_role.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor
    )
    if updated != 1:
        raise ActionRefused(_("This role was already revoked."))
    staff_role.revoked_at, staff_role.revoked_by = now, actor
    record(
        actor=actor,
        verb="association.role.revoked",
        association=association,
        target=staff_role,
        data={"role": staff_role.role, "person": str(staff_role.user.public_id)},
    )
    return staff_role
