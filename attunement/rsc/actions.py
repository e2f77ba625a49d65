"""Writes of the RS/C app. Each is atomic and leaves exactly one audit event."""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from attunement.associations.models import Association
from attunement.audit.actions import record
from attunement.endorsement.eligibility import registry_credentials
from attunement.lib.errors import ActionRefused
from attunement.people.models import User
from attunement.portfolios.actions import (
    credit_entries,
    refuse_own_address,
    save_entry,
    update_credited_entries,
    withdraw_credited_entries,
)
from attunement.portfolios.models import RSC, Portfolio, Provenance, RSCFormat
from attunement.portfolios.selectors import fold_email, own_addresses
from attunement.rsc.models import (
    Attendance,
    Group,
    IndividualRequest,
    IndividualSession,
    Meeting,
    Membership,
    MembershipStatus,
    Programme,
    ProviderProfile,
    RequestStatus,
    RSCPolicy,
    SessionStatus,
)
from attunement.rsc.selectors.qualify import Held, best_credential, held_credentials, rsc_rule

PROFILE_FIELDS = ("accepting_new", "offers_individual", "offers_group", "languages", "virtual", "regions",
                  "fee_range", "focus")  # fmt: skip
GROUP_FIELDS = ("name", "schedule", "starts", "ends", "meeting_hours", "capacity", "language", "virtual", "region")
SESSION_LINK_SALT = "attunement.rsc.session"
SESSION_LINK_MAX_AGE = 60 * 60 * 24 * 30  # 30 days


@transaction.atomic
def save_provider_profile(*, actor: User, person: User, association: Association, **fields: Any) -> ProviderProfile:
    """Create or change a person's provider profile at an association."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"unknown profile fields: {sorted(unknown)}")
    # The person is locked first: two saves of a profile that does not exist yet (two tabs)
    # make one profile, the second changing it, instead of a unique-constraint error.
    User.objects.select_for_update().filter(pk=person.pk).first()
    profile = ProviderProfile.objects.select_for_update().filter(
        association=association, person=person
    ).first() or ProviderProfile(association=association, person=person)
    created = profile.pk is None
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    record(
        actor=actor,
        verb="rsc.provider.created" if created else "rsc.provider.changed",
        association=association,
        target=profile,
        data={name: fields[name] for name in ("accepting_new", "offers_individual", "offers_group") if name in fields},
    )
    return profile


@transaction.atomic
def vet_provider(*, actor: User, profile: ProviderProfile, vetted: bool) -> ProviderProfile:
    """Staff mark a provider vetted (or withdraw it); a conditional update decides."""
    changed = (
        ProviderProfile.objects.filter(pk=profile.pk)
        .exclude(vetted=vetted)
        .update(vetted=vetted, vetted_by=actor if vetted else None, vetted_at=timezone.now() if vetted else None)
    )
    if not changed:
        raise ActionRefused(_("This provider is already vetted.") if vetted else _("This provider is not vetted."))
    profile.refresh_from_db()
    record(actor=actor, verb="rsc.provider.vetted" if vetted else "rsc.provider.unvetted",
           association=profile.association, target=profile, data={"vetted": vetted})  # fmt: skip
    return profile


def _check_providers(providers: Sequence[ProviderProfile]) -> None:
    """Only endorsed (current credential today) or vetted providers run groups."""
    today = timezone.localdate()
    held = held_credentials([p.person_id for p in providers if not p.vetted])
    for p in providers:
        if not p.vetted and not any(h.on(today) for h in held.get(p.person_id, [])):
            raise ValidationError(
                {"provider": _("%(name)s holds no current Endorsement and is not vetted by the association.")
                 % {"name": p.person.display_name}}
            )  # fmt: skip


def _group(association: Association, provider: ProviderProfile, programme: Programme | None, **fields: Any) -> Group:
    if provider.association_id != association.pk:
        raise ValidationError({"provider": _("Choose a provider of this association.")})
    group = Group(association=association, provider=provider, programme=programme, **fields)
    group.full_clean()
    return group


@transaction.atomic
def create_group(*, actor: User, association: Association, provider: ProviderProfile, **fields: Any) -> Group:
    group = _group(association, provider, None, **fields)
    _check_providers([provider])
    group.save()
    record(actor=actor, verb="rsc.group.created", association=association, target=group,
           data={"provider": str(provider.public_id), "starts": group.starts.isoformat(), "ends": group.ends.isoformat()})  # fmt: skip
    return group


@transaction.atomic
def create_programme(
    *,
    actor: User,
    association: Association,
    name: str,
    sector: str,
    count: int,
    providers: Sequence[ProviderProfile],
    **group_fields: Any,
) -> Programme:
    """A sector programme and its ``count`` groups, the providers taken in turn."""
    if not 1 <= count <= 200:
        raise ValidationError({"count": _("Create between 1 and 200 groups at once.")})
    if not providers:
        raise ValidationError({"providers": _("Choose at least one provider.")})
    _check_providers(providers)
    programme = Programme(association=association, name=name, sector=sector)
    programme.full_clean()
    programme.save()
    groups = []
    for i in range(count):
        fields = {**group_fields, "name": _("%(programme)s — group %(number)s") % {"programme": name, "number": i + 1}}
        groups.append(_group(association, providers[i % len(providers)], programme, **fields))
    Group.objects.bulk_create(groups)
    record(actor=actor, verb="rsc.programme.created", association=association, target=programme,
           data={"groups": count, "providers": [str(p.public_id) for p in providers]})  # fmt: skip
    return programme


@transaction.atomic
def request_to_join(*, actor: User, group: Group) -> Membership:
    if group.ends < timezone.localdate():
        raise ActionRefused(_("This group has ended."))
    if group.provider.person_id == actor.pk:
        raise ActionRefused(_("You provide this group's RS/C."))
    membership = Membership.objects.select_for_update().filter(group=group, supervisee=actor).first()
    if membership is not None and membership.status in {MembershipStatus.REQUESTED, MembershipStatus.ACTIVE}:
        raise ActionRefused(_("You have already asked to join this group."))
    if membership is None:
        membership = Membership(group=group, supervisee=actor)
    membership.status = MembershipStatus.REQUESTED
    membership.requested_at = timezone.now()
    membership.joined_on = membership.left_on = None
    membership.save()
    record(actor=actor, verb="rsc.membership.requested", association=group.association, target=group,
           data={"membership": str(membership.public_id)})  # fmt: skip
    return membership


@transaction.atomic
def decide_membership(*, actor: User, membership: Membership, approve: bool) -> Membership:
    """The provider (or a coordinator) takes a request in, or declines it."""
    current = Membership.objects.select_for_update().select_related("group__association").get(pk=membership.pk)
    if current.status != MembershipStatus.REQUESTED:
        raise ActionRefused(_("This request was already answered or withdrawn."))
    group = Group.objects.select_for_update().get(pk=current.group_id)
    if approve and group.memberships.filter(status=MembershipStatus.ACTIVE).count() >= group.capacity:
        raise ActionRefused(_("The group is full."))
    current.status = MembershipStatus.ACTIVE if approve else MembershipStatus.DECLINED
    current.joined_on = timezone.localdate() if approve else None
    current.save(update_fields=["status", "joined_on"])
    record(actor=actor, verb="rsc.membership.approved" if approve else "rsc.membership.declined",
           association=current.group.association, target=current.group,
           data={"membership": str(current.public_id), "supervisee": str(current.supervisee.public_id)})  # fmt: skip
    return current


@transaction.atomic
def leave_group(*, actor: User, membership: Membership) -> Membership:
    """The member leaves (or withdraws a request); the provider may also end a membership."""
    current = Membership.objects.select_for_update().select_related("group__association").get(pk=membership.pk)
    if current.status not in {MembershipStatus.REQUESTED, MembershipStatus.ACTIVE}:
        raise ActionRefused(_("This membership has already ended."))
    current.status = MembershipStatus.LEFT
    current.left_on = timezone.localdate()
    current.save(update_fields=["status", "left_on"])
    record(actor=actor, verb="rsc.membership.left", association=current.group.association, target=current.group,
           data={"membership": str(current.public_id)})  # fmt: skip
    return current


@dataclass(frozen=True)
class Provider:
    """What an RS/C entry says of its provider on a given day."""

    category: str
    since: date | None
    vetted: bool


def provider_on(held: Sequence[Held], vetted: bool, day: date, accepted: Collection[str] = ()) -> Provider:
    best = best_credential(held, day, frozenset(accepted))
    return Provider(best.category, best.since, vetted) if best else Provider("", None, vetted)


# What a group meeting's attendance writes into each member's RS/C entry.
CREDITED_FIELDS = ("provider_name", "provider_email", "provider_category", "provider_since", "provider_vetted",
                   "format", "start", "end", "hours", "provenance")  # fmt: skip


# What a provider's confirmation of an individual session changes in the person's entry.
CONFIRMED_FIELDS = ("provider_category", "provider_since", "provider_vetted", "provenance")


@transaction.atomic
def record_attendance(*, actor: User, group: Group, day: date, hours: Decimal, present: Collection[Any]) -> Meeting:
    """Record who attended the meeting of ``day``; each member present gets one confirmed group
    RS/C entry in their portfolio. Recording the same meeting again updates those entries."""
    locked = Group.objects.select_for_update().select_related("association", "provider__person").get(pk=group.pk)
    provider = locked.provider
    if provider.person_id != actor.pk:
        raise ActionRefused(_("Only the group's provider records its attendance."))
    if not locked.starts <= day <= locked.ends:
        raise ValidationError({"date": _("The group meets from %(starts)s to %(ends)s.") % {
            "starts": locked.starts.isoformat(), "ends": locked.ends.isoformat()}})  # fmt: skip
    if day > timezone.localdate():
        raise ValidationError({"date": _("Record a meeting once it has been held.")})
    if hours <= 0 or hours > 12:
        raise ValidationError({"hours": _("Enter between 0.25 and 12 hours.")})
    members = list(
        locked.memberships.filter(status__in=[MembershipStatus.ACTIVE, MembershipStatus.LEFT], joined_on__lte=day)
        .exclude(left_on__lt=day)
        .select_related("supervisee")
    )
    present_ids = {str(p) for p in present}
    unknown = present_ids - {str(m.public_id) for m in members}
    if unknown:
        raise ValidationError({"present": _("Someone marked present is not a member of this group on that date.")})
    meeting, created = Meeting.objects.get_or_create(
        group=locked, date=day, defaults={"hours": hours, "recorded_by": actor}
    )
    if not created:
        meeting.hours, meeting.recorded_by, meeting.recorded_at = hours, actor, timezone.now()
        meeting.save(update_fields=["hours", "recorded_by", "recorded_at"])
    # select_related: each portfolio's audit event is labelled with its person's name.
    portfolios = {
        p.person_id: p
        for p in Portfolio.objects.filter(person__in=[m.supervisee_id for m in members]).select_related("person")
    }
    existing = {a.membership_id: a for a in Attendance.objects.filter(meeting=meeting).select_related("entry")}
    held = held_credentials([provider.person_id]).get(provider.person_id, [])
    rules: dict[tuple[int, str], Any] = {}
    counts = {"present": 0, "absent": 0, "created": 0, "updated": 0, "removed": 0, "no_portfolio": 0}
    new: list[tuple[Attendance, RSC]] = []
    changed: list[RSC] = []
    removed: list[RSC] = []
    attendances: list[Attendance] = []
    for member in members:
        is_present = str(member.public_id) in present_ids
        attendance = existing.get(member.pk) or Attendance(meeting=meeting, membership=member)
        attendance.present = is_present
        counts["present" if is_present else "absent"] += 1
        portfolio = portfolios.get(member.supervisee_id)
        entry = attendance.entry
        if is_present and portfolio is not None:
            key = (portfolio.association_id, portfolio.aim)
            if key not in rules:
                rules[key] = rsc_rule(portfolio.association, portfolio.aim, day) if portfolio.aim else None
            rule = rules[key]
            said = provider_on(held, provider.vetted, day, rule.accepted if rule else ())
            values = {
                "provider_name": provider.person.legal_name or provider.person.display_name,
                "provider_email": provider.person.email,
                "provider_category": said.category,
                "provider_since": said.since,
                "provider_vetted": said.vetted and not said.category,
                "format": RSCFormat.GROUP,
                "start": day,
                "end": day,
                "hours": hours,
                "provenance": Provenance.RSC_PROVIDER,
            }
            if entry is None:
                entry = RSC(portfolio=portfolio, **values)
                new.append((attendance, entry))
            else:
                for name, value in values.items():
                    setattr(entry, name, value)
                changed.append(entry)
                attendance.entry = entry
        elif is_present:
            counts["no_portfolio"] += 1
        elif entry is not None:
            attendance.entry = None
            removed.append(entry)
        attendances.append(attendance)
    # The hours go to the portfolios through the portfolio's actions (each leaves its event).
    source = f"rsc.meeting:{meeting.public_id}"
    credit_entries(actor=actor, entries=[entry for _attendance, entry in new], source=source)
    for attendance, entry in new:
        attendance.entry = entry
    update_credited_entries(actor=actor, entries=changed, fields=list(CREDITED_FIELDS), source=source)
    for attendance in attendances:
        attendance.save()
    withdraw_credited_entries(actor=actor, entries=removed, source=source)
    counts["created"], counts["updated"], counts["removed"] = len(new), len(changed), len(removed)
    record(actor=actor, verb="rsc.meeting.recorded", association=locked.association, target=meeting,
           data={"group": str(locked.public_id), "date": day.isoformat(), "hours": f"{hours:g}", **counts})  # fmt: skip
    return meeting


def session_token(session: IndividualSession) -> str:
    return signing.dumps({"s": str(session.public_id), "n": session.link_nonce}, salt=SESSION_LINK_SALT)


def session_from_token(token: str) -> IndividualSession:
    """The session a provider's link names; an expired, tampered or used link raises."""
    try:
        value = signing.loads(token, salt=SESSION_LINK_SALT, max_age=SESSION_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise ActionRefused(_("This link has expired. Ask the supervisee to send it again.")) from None
    except signing.BadSignature:
        raise ActionRefused(_("This link is not valid.")) from None
    session = (
        IndividualSession.objects.select_related("supervisee", "entry")
        .filter(public_id=value.get("s"), link_nonce=value.get("n"))
        .exclude(link_nonce="")
        .first()
    )
    if session is None or session.status != SessionStatus.LOGGED:
        raise ActionRefused(_("This link was already used or replaced."))
    return session


def _send_session_mail(session: IndividualSession, site_url: str) -> None:
    person = session.supervisee
    link = site_url + reverse("rsc_confirm", kwargs={"token": session_token(session)})
    with translation.override(person.preferred_language):
        subject = _("%(person)s asks you to confirm an RS/C session") % {"person": person.display_name}
        body = render_to_string("rsc/email/confirm_session.txt", {"session": session, "person": person, "link": link})
    send_mail(subject, body, None, [session.provider_email])


def _hours(value: Decimal | int) -> str:
    return f"{Decimal(value).normalize():f}"


def _check_plausible(portfolio: Portfolio, day: date, hours: Decimal, provider_email: str) -> None:
    """The association's plausibility limits (``RSCPolicy``): hours in one session, RS/C hours
    of the person on that date, individual hours of the provider on that date across all
    supervisees. The association's policy row is locked (made with the defaults the first
    time), so sessions logged at the same moment are counted one after the other."""
    policy, _created = RSCPolicy.objects.select_for_update().get_or_create(association=portfolio.association)
    if hours > policy.max_session_hours:
        raise ValidationError({"hours": _("One session lasts at most %(hours)s hours here.")
                               % {"hours": _hours(policy.max_session_hours)}})  # fmt: skip
    logged = RSC.objects.filter(portfolio=portfolio, start=day, end=day).aggregate(total=Sum("hours"))["total"]
    if (logged or 0) + hours > policy.max_hours_per_day:
        raise ValidationError({"hours": _(
            "You would have %(total)s hours of RS/C on %(date)s; at most %(limit)s hours a day are accepted."
        ) % {"total": _hours((logged or 0) + hours), "date": day.isoformat(), "limit": _hours(policy.max_hours_per_day)}})  # fmt: skip
    local, _at, domain = provider_email.strip().casefold().rpartition("@")
    base = local.split("+", 1)[0]
    given = (
        IndividualSession.objects.filter(date=day)
        .exclude(status=SessionStatus.DECLINED)
        .filter(Q(provider_email__iexact=f"{base}@{domain}") | Q(provider_email__istartswith=f"{base}+",
                                                                 provider_email__iendswith=f"@{domain}"))
        .aggregate(total=Sum("hours"))["total"]
    )  # fmt: skip
    if (given or 0) + hours > policy.max_provider_hours_per_day:
        raise ValidationError({"hours": _(
            "This provider would have given %(total)s hours of individual RS/C on %(date)s; at most %(limit)s are accepted."
        ) % {"total": _hours((given or 0) + hours), "date": day.isoformat(),
             "limit": _hours(policy.max_provider_hours_per_day)}})  # fmt: skip


@transaction.atomic
def log_session(
    *,
    actor: User,
    portfolio: Portfolio,
    day: date,
    hours: Decimal,
    provider: ProviderProfile | None = None,
    provider_name: str = "",
    provider_email: str = "",
    site_url: str = "",
) -> IndividualSession:
    """The supervisee logs an individual session: it counts at once, with a warning, until the
    provider confirms. A provider without an account gets a signed link by email."""
    if portfolio.person_id != actor.pk:
        raise ActionRefused(_("You log sessions in your own portfolio only."))
    if day > timezone.localdate():
        raise ValidationError({"date": _("Log a session once it has taken place.")})
    if provider is not None:
        if provider.person_id == actor.pk:
            raise ValidationError({"provider": _("You cannot confirm your own RS/C.")})
        provider_name = provider.person.legal_name or provider.person.display_name
        provider_email = provider.person.email
    elif not provider_name or not provider_email:
        raise ValidationError({"provider_name": _("Choose a provider, or give the provider's name and email.")})
    refuse_own_address(actor, provider_email, "provider" if provider is not None else "provider_email",
                       _("This is one of your own email addresses: your RS/C provider confirms your sessions."))  # fmt: skip
    _check_plausible(portfolio, day, hours, provider_email)
    entry = RSC(portfolio=portfolio, provider_name=provider_name, provider_email=provider_email,
                format=RSCFormat.INDIVIDUAL, start=day, end=day, hours=hours, provenance=Provenance.SELF)  # fmt: skip
    # The person's own entry, added as any other (with the portfolio's event).
    save_entry(actor=actor, portfolio=portfolio, entry=entry, changed=["provider_name", "start", "hours"])
    session = IndividualSession.objects.create(
        supervisee=actor, provider=provider, provider_name=provider_name, provider_email=provider_email, date=day,
        hours=hours, entry=entry, link_nonce="" if provider is not None else secrets.token_hex(16),
    )  # fmt: skip
    record(actor=actor, verb="rsc.session.logged", association=portfolio.association, target=session,
           data={"date": day.isoformat(), "hours": f"{hours:g}", "provider_has_account": provider is not None})  # fmt: skip
    if provider is None:
        transaction.on_commit(lambda: _send_session_mail(session, site_url))
    return session


@transaction.atomic
def confirm_session(
    *,
    actor: User | None,
    session: IndividualSession,
    confirm: bool = True,
    category: str = "",
    since: date | None = None,
) -> IndividualSession:
    """The provider confirms (or declines) a logged session, in Attunement or through the link.
    The link works once: confirming clears its nonce. A provider with a profile is described
    from their credentials; one answering through the link says what they hold."""
    current = (
        IndividualSession.objects.select_for_update(of=("self",))
        .select_related("provider__person", "entry__portfolio__association", "entry__portfolio__person", "supervisee")
        .get(pk=session.pk)
    )
    if current.status != SessionStatus.LOGGED:
        raise ActionRefused(_("This session was already answered."))
    if actor is not None and (current.provider is None or current.provider.person_id != actor.pk):
        raise ActionRefused(_("Only the session's provider confirms it."))
    entry = current.entry
    association = entry.portfolio.association if entry is not None else None
    if confirm and entry is not None:
        portfolio = entry.portfolio
        if current.provider is not None:
            profile = current.provider
            rule = rsc_rule(portfolio.association, portfolio.aim, current.date) if portfolio.aim else None
            held = held_credentials([profile.person_id]).get(profile.person_id, [])
            said = provider_on(held, profile.vetted, current.date, rule.accepted if rule else ())
            entry.provider_category, entry.provider_since = said.category, said.since
            entry.provider_vetted = said.vetted and not said.category
            entry.provenance = Provenance.RSC_PROVIDER
        else:
            if fold_email(current.provider_email) in own_addresses(current.supervisee):
                raise ActionRefused(_("A person cannot confirm their own RS/C."))
            if category and since is None:
                raise ValidationError({"since": _("Give the date you were endorsed in that category.")})
            registry = registry_credentials(current.provider_email, current.date)
            rule = rsc_rule(portfolio.association, portfolio.aim, current.date) if portfolio.aim else None
            accepted = set(rule.accepted) if rule else set()
            if registry:
                # The address belongs to someone endorsed here: the registry says what they hold.
                chosen = next((h for h in registry if h[0] in accepted), registry[0])
                entry.provider_category, entry.provider_since = chosen
                entry.provenance = Provenance.RSC_PROVIDER
            else:
                # Their own word until staff verify it against the registry.
                entry.provider_category, entry.provider_since = category, since if category else None
                entry.provenance = Provenance.RSC_LINK
        entry.full_clean()
        update_credited_entries(
            actor=actor, entries=[entry], fields=CONFIRMED_FIELDS, source=f"rsc.session:{current.public_id}"
        )
    elif entry is not None:
        # The provider says it did not happen: it leaves the portfolio (the session stays, declined).
        current.entry = None
        withdraw_credited_entries(actor=actor, entries=[entry], source=f"rsc.session:{current.public_id}")
        entry = None
    current.status = SessionStatus.CONFIRMED if confirm else SessionStatus.DECLINED
    current.confirmed_at = timezone.now()
    current.link_nonce = ""
    current.save(update_fields=["status", "confirmed_at", "link_nonce", "entry"])
    record(actor=actor, verb="rsc.session.confirmed" if confirm else "rsc.session.declined",
           association=association, target=current,
           data={"via_link": actor is None, "category": entry.provider_category if entry else "",
                 "provenance": entry.provenance if entry else ""})  # fmt: skip
    return current


@transaction.atomic
def record_report_export(*, actor: User, programme: Programme, rows: int) -> None:
    """The programme report left the system as CSV (it names providers)."""
    record(actor=actor, verb="rsc.programme.exported", association=programme.association, target=programme,
           data={"rows": rows})  # fmt: skip


@transaction.atomic
def request_individual(*, actor: User, provider: ProviderProfile, message: str = "") -> IndividualRequest:
    """Ask a provider to start individual RS/C; one open request per provider at a time."""
    locked = ProviderProfile.objects.select_for_update().select_related("association").get(pk=provider.pk)
    if locked.person_id == actor.pk:
        raise ActionRefused(_("You cannot ask yourself for RS/C."))
    if not (locked.accepting_new and locked.offers_individual):
        raise ActionRefused(_("This provider does not take new individual supervisees now."))
    if IndividualRequest.objects.filter(provider=locked, supervisee=actor, status=RequestStatus.OPEN).exists():
        raise ActionRefused(_("You have already asked this provider; wait for the answer."))
    request = IndividualRequest(provider=locked, supervisee=actor, message=message)
    request.full_clean()
    request.save()
    record(actor=actor, verb="rsc.request.sent", association=locked.association, target=locked,
           data={"request": str(request.public_id)})  # fmt: skip
    return request


@transaction.atomic
def answer_individual_request(*, actor: User, request: IndividualRequest, accept: bool) -> IndividualRequest:
    """The provider accepts or declines; a conditional update decides, so one answer stands."""
    changed = IndividualRequest.objects.filter(pk=request.pk, status=RequestStatus.OPEN, provider__person=actor).update(
        status=RequestStatus.ACCEPTED if accept else RequestStatus.DECLINED, answered_at=timezone.now()
    )
    if not changed:
        raise ActionRefused(_("This request was already answered."))
    current = IndividualRequest.objects.select_related("provider__association").get(pk=request.pk)
    record(actor=actor, verb="rsc.request.accepted" if accept else "rsc.request.declined",
           association=current.provider.association, target=current.provider,
           data={"request": str(current.public_id)})  # fmt: skip
    return current
