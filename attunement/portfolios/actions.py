"""Every change to a portfolio goes through here: entries, verification, comments,
signatures, reference ratings, import."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from attunement.associations.models import Association
from attunement.audit.actions import record, record_each
from attunement.endorsement.rules import PortfolioError, parse_portfolio
from attunement.lib.errors import ActionRefused
from attunement.mail.actions import lift_suppression, suppressed
from attunement.mail.messages import tags
from attunement.mail.selectors import about as mail_about
from attunement.people.models import User
from attunement.portfolios.hooks import held_by_address
from attunement.portfolios.models import (
    RSC,
    AgreementText,
    Comment,
    Education,
    Entry,
    License,
    Portfolio,
    Provenance,
    RaterStanding,
    Reference,
    ReferenceStatus,
    Section,
    Signature,
    Training,
    Verification,
    Work,
)
from attunement.portfolios.selectors import fold_email, own_addresses

REFERENCE_LINK_SALT = "attunement.portfolios.reference"
REFERENCE_LINK_MAX_AGE = 60 * 60 * 24 * 60  # a rater has 60 days to answer


@transaction.atomic
def start_portfolio(*, actor: User, person: User, association: Association, aim: str = "") -> Portfolio:
    portfolio, created = Portfolio.objects.get_or_create(
        person=person, defaults={"association": association, "aim": aim}
    )
    if created:
        record(
            actor=actor,
            verb="portfolios.portfolio.started",
            association=association,
            target=portfolio,
            data={"aim": aim},
        )
    return portfolio


@transaction.atomic
def set_aim(*, actor: User, portfolio: Portfolio, aim: str) -> None:
    if portfolio.aim == aim:
        return
    before = portfolio.aim
    Portfolio.objects.filter(pk=portfolio.pk).update(aim=aim, updated_at=timezone.now())
    portfolio.aim = aim
    record(
        actor=actor,
        verb="portfolios.aim.changed",
        association=portfolio.association,
        target=portfolio,
        data={"before": before, "after": aim},
    )


def _entry_label(entry: Entry) -> str:
    return f"{entry.SECTION.value}:{entry.public_id}"


@transaction.atomic
def save_entry(*, actor: User, portfolio: Portfolio, entry: Entry, changed: list[str]) -> Entry:
    """Save a new or changed entry the owner filled in (from a validated form)."""
    creating = entry.pk is None
    if not creating:
        current = type(entry)._default_manager.select_for_update().get(pk=entry.pk)
        if not current.editable_by_owner:
            raise ActionRefused(_("This entry was verified or posted by a trusted source; ask staff to change it."))
        if current.verification != Verification.UNVERIFIED and changed:
            # A changed entry goes back to staff.
            entry.verification, entry.verification_reason = Verification.UNVERIFIED, ""
    entry.portfolio = portfolio
    entry.full_clean()
    entry.save()
    record(
        actor=actor,
        verb=f"portfolios.{entry.SECTION.value}.{'added' if creating else 'changed'}",
        association=portfolio.association,
        target=portfolio,
        data={"entry": str(entry.public_id), "fields": sorted(changed)},
    )
    return entry


# --- Hours a trusted source posts (training sessions, RS/C groups) ---------------------------


def _credit_events(actor: User | None, verb: str, entries: Sequence[Entry], source: str) -> None:
    by_portfolio: dict[int, tuple[Portfolio, list[str]]] = {}
    for entry in entries:
        by_portfolio.setdefault(entry.portfolio_id, (entry.portfolio, []))[1].append(str(entry.public_id))
    record_each(
        actor=actor,
        verb=verb,
        events=[(p.association_id, p, {"entries": ids, "source": source}) for p, ids in by_portfolio.values()],
    )


@transaction.atomic
def credit_entries[E: Entry](*, actor: User | None, entries: Sequence[E], source: str) -> list[E]:
    """Post entries a trusted source made (``source``: e.g. ``training.session:<id>``) to
    their portfolios, with each portfolio's audit event ``portfolios.<section>.credited``.
    One insert for the entries and one for the events, however many portfolios. Each entry's
    portfolio must come with its person (its name is the event's label)."""
    if not entries:
        return []
    model = type(entries[0])
    created = model._default_manager.bulk_create(entries)
    _credit_events(actor, f"portfolios.{model.SECTION.value}.credited", created, source)
    return created


@transaction.atomic
def update_credited_entries(
    *, actor: User | None, entries: Sequence[Entry], fields: Sequence[str], source: str
) -> None:
    """The trusted source changed what it posted (``portfolios.<section>.credit_changed``)."""
    if not entries:
        return
    model = type(entries[0])
    now = timezone.now()
    for entry in entries:
        entry.updated_at = now
    model._default_manager.bulk_update(entries, [*fields, "updated_at"])
    _credit_events(actor, f"portfolios.{model.SECTION.value}.credit_changed", entries, source)


@transaction.atomic
def withdraw_credited_entries(*, actor: User | None, entries: Sequence[Entry], source: str) -> None:
    """The trusted source takes back what it posted (``portfolios.<section>.credit_withdrawn``)."""
    if not entries:
        return
    model = type(entries[0])
    _credit_events(actor, f"portfolios.{model.SECTION.value}.credit_withdrawn", entries, source)
    model._default_manager.filter(pk__in=[e.pk for e in entries]).delete()


@transaction.atomic
def delete_entry(*, actor: User, entry: Entry) -> None:
    current = type(entry)._default_manager.select_for_update().get(pk=entry.pk)
    if not current.editable_by_owner:
        raise ActionRefused(_("This entry was verified or posted by a trusted source; ask staff to remove it."))
    portfolio = current.portfolio
    current.delete()
    record(
        actor=actor,
        verb=f"portfolios.{entry.SECTION.value}.deleted",
        association=portfolio.association,
        target=portfolio,
        data={"entry": str(entry.public_id)},
    )


@transaction.atomic
def verify_entry(*, actor: User, entry: Entry, verification: str, reason: str = "") -> Entry:
    """Staff mark an entry verified, or say what is wrong with it."""
    current = (
        type(entry)
        ._default_manager.select_for_update(of=("self",))
        .select_related("portfolio__association")
        .get(pk=entry.pk)
    )
    current.verification = Verification(verification)
    current.verification_reason = reason
    current.verified_by = actor
    current.verified_at = timezone.now()
    current.save(update_fields=["verification", "verification_reason", "verified_by", "verified_at", "updated_at"])
    record(
        actor=actor,
        verb=f"portfolios.{current.SECTION.value}.verification",
        association=current.portfolio.association,
        target=current.portfolio,
        data={"entry": str(current.public_id), "verification": verification, "reason": reason},
    )
    return current


@transaction.atomic
def add_comment(*, actor: User, portfolio: Portfolio, section: str, body: str) -> Comment:
    comment = Comment.objects.create(portfolio=portfolio, section=Section(section), author=actor, body=body.strip())
    record(
        actor=actor,
        verb="portfolios.comment.added",
        association=portfolio.association,
        target=portfolio,
        data={"section": section},
    )
    return comment


@transaction.atomic
def sign_agreement(*, actor: User, portfolio: Portfolio, text: AgreementText, typed_name: str) -> Signature:
    expected = (portfolio.person.legal_name or portfolio.person.display_name).strip().casefold()
    if typed_name.strip().casefold() != expected:
        raise ValidationError(
            {
                "typed_name": _("Type your name exactly as in your profile: %(name)s")
                % {"name": portfolio.person.legal_name or portfolio.person.display_name}
            }
        )
    signature = Signature.objects.create(
        portfolio=portfolio, text=text, typed_name=typed_name.strip(), signed_on=timezone.localdate()
    )
    record(
        actor=actor,
        verb="portfolios.agreement.signed",
        association=portfolio.association,
        target=portfolio,
        data={"kind": text.kind, "version": text.version},
    )
    return signature


def record_export(*, actor: User | None, portfolio: Portfolio) -> None:
    """A download of a portfolio is an export of personal data: it leaves an audit event."""
    record(actor=actor, verb="portfolios.portfolio.exported", association=portfolio.association, target=portfolio)


# --- Reference ratings -----------------------------------------------------------------


def reference_token(reference: Reference) -> str:
    return signing.dumps({"r": str(reference.public_id), "n": reference.link_nonce}, salt=REFERENCE_LINK_SALT)


def reference_from_token(token: str) -> Reference:
    """The reference a rater's link names; an expired, tampered or replaced link raises."""
    try:
        value = signing.loads(token, salt=REFERENCE_LINK_SALT, max_age=REFERENCE_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise ActionRefused(_("This link has expired. Ask the person who asked you to send it again.")) from None
    except signing.BadSignature:
        raise ActionRefused(_("This link is not valid.")) from None
    reference = (
        Reference.objects.select_related("portfolio__person", "portfolio__association")
        .filter(public_id=value.get("r"), link_nonce=value.get("n"))
        .first()
    )
    if reference is None or reference.status == ReferenceStatus.CANCELLED:
        raise ActionRefused(_("This link was replaced or withdrawn. Ask the person who asked you for the new one."))
    return reference


REFERENCE_MAIL = "portfolios.reference"  # the ``about`` of a reference request's mail


def _send_reference_mail(reference: Reference, site_url: str) -> None:
    person = reference.portfolio.person
    link = site_url + reverse("reference_form", kwargs={"token": reference_token(reference)})
    with translation.override(person.preferred_language):
        subject = _("%(person)s asks you for a reference rating") % {"person": person.display_name}
        body = render_to_string(
            "portfolios/email/reference_request.txt", {"reference": reference, "person": person, "link": link}
        )
    message = EmailMessage(
        subject,
        body,
        None,
        [reference.rater_email],
        headers=tags(
            "reference_request", mail_about(REFERENCE_MAIL, reference.public_id), reference.portfolio.association
        ),
    )
    message.send()


def refuse_own_address(person: User, address: str, field: str, message: str) -> None:
    """A person never vouches for themselves: ``address`` may not be one of theirs."""
    if address and fold_email(address) in own_addresses(person):
        raise ValidationError({field: message})


def _own_rater_message() -> str:
    return _("This is one of your own email addresses: ask someone who knows your work to rate you.")


@transaction.atomic
def request_reference(*, actor: User, portfolio: Portfolio, reference: Reference, site_url: str) -> Reference:
    refuse_own_address(portfolio.person, reference.rater_email, "rater_email", _own_rater_message())
    reference.portfolio = portfolio
    reference.full_clean()
    reference.save()
    record(
        actor=actor,
        verb="portfolios.reference.requested",
        association=portfolio.association,
        target=portfolio,
        data={"reference": str(reference.public_id), "relationship": reference.relationship},
    )
    return send_reference(actor=actor, reference=reference, site_url=site_url)


@transaction.atomic
def send_reference(*, actor: User, reference: Reference, site_url: str) -> Reference:
    """(Re)send the rater's link: a fresh link, so earlier ones stop working."""
    current = (
        Reference.objects.select_for_update(of=("self",))
        .select_related("portfolio__person", "portfolio__association")
        .get(pk=reference.pk)
    )
    if current.status in {ReferenceStatus.COMPLETED, ReferenceStatus.CANCELLED}:
        raise ActionRefused(_("This rating is already completed or withdrawn."))
    if current.status == ReferenceStatus.BOUNCED or suppressed([current.rater_email]):
        # Sent again to the same address after a bounce: the applicant says it is right. A
        # complaint (the rater reported the mail as spam) stays; staff can lift it.
        lift_suppression(actor=actor, address=current.rater_email, bounces_only=True)
    current.link_nonce = secrets.token_hex(16)
    current.status = ReferenceStatus.SENT
    current.sent_at = timezone.now()
    current.save(update_fields=["link_nonce", "status", "sent_at"])
    record(
        actor=actor,
        verb="portfolios.reference.sent",
        association=current.portfolio.association,
        target=current.portfolio,
        data={"reference": str(current.public_id)},
    )
    transaction.on_commit(lambda: _send_reference_mail(current, site_url))
    return current


@transaction.atomic
def change_rater(*, actor: User, reference: Reference, name: str, email: str, site_url: str) -> Reference:
    current = Reference.objects.select_for_update().select_related("portfolio__person").get(pk=reference.pk)
    if current.status == ReferenceStatus.COMPLETED:
        raise ActionRefused(_("This rating is completed; ask for a new one instead."))
    refuse_own_address(current.portfolio.person, email, "rater_email", _own_rater_message())
    current.rater_name, current.rater_email = name, email
    current.status = ReferenceStatus.DRAFT
    current.full_clean()
    current.save(update_fields=["rater_name", "rater_email", "status"])
    record(
        actor=actor,
        verb="portfolios.reference.rater_changed",
        association=reference.portfolio.association,
        target=reference.portfolio,
        data={"reference": str(current.public_id)},
    )
    return send_reference(actor=actor, reference=current, site_url=site_url)


@transaction.atomic
def cancel_reference(*, actor: User, reference: Reference) -> None:
    updated = (
        Reference.objects.filter(pk=reference.pk)
        .exclude(status=ReferenceStatus.COMPLETED)
        .update(status=ReferenceStatus.CANCELLED, link_nonce="")
    )
    if updated != 1:
        raise ActionRefused(_("A completed rating cannot be withdrawn."))
    record(
        actor=actor,
        verb="portfolios.reference.cancelled",
        association=reference.portfolio.association,
        target=reference.portfolio,
        data={"reference": str(reference.public_id)},
    )


@transaction.atomic
def mark_reference_opened(*, reference: Reference) -> None:
    if Reference.objects.filter(pk=reference.pk, status=ReferenceStatus.SENT).update(
        status=ReferenceStatus.OPENED, opened_at=timezone.now()
    ):
        record(
            actor=None,
            verb="portfolios.reference.opened",
            association=reference.portfolio.association,
            target=reference.portfolio,
            data={"reference": str(reference.public_id)},
        )


@transaction.atomic
def mark_reference_bounced(*, actor: User | None, reference: Reference) -> None:
    updated = Reference.objects.filter(
        pk=reference.pk, status__in=[ReferenceStatus.SENT, ReferenceStatus.OPENED]
    ).update(status=ReferenceStatus.BOUNCED, bounced_at=timezone.now())
    if not updated:
        raise ActionRefused(_("Only a rating that was sent and not answered can bounce."))
    record(
        actor=actor,
        verb="portfolios.reference.bounced",
        association=reference.portfolio.association,
        target=reference.portfolio,
        data={"reference": str(reference.public_id)},
    )


@transaction.atomic
def complete_reference(
    *, reference: Reference, answers: dict[str, str], narrative: str, rater_category: str, rater_since: date | None
) -> Reference:
    """The rater's answers. Exactly one submission stands: a second one (or a race) is refused.
    The rating counts only once the rater's standing is settled: at once when the rater's
    address belongs to someone holding an Endorsement here (the registry's credential is kept,
    not what the form said), otherwise when staff verify it."""
    insufficient = sum(1 for value in answers.values() if value == "insufficient")
    current = Reference.objects.select_related("portfolio__person").get(pk=reference.pk)
    if fold_email(current.rater_email) in own_addresses(current.portfolio.person):
        raise ActionRefused(_("A person cannot rate themselves."))
    standing = RaterStanding.UNVERIFIED
    held = held_by_address(current.rater_email, timezone.localdate())
    if held:
        standing = RaterStanding.REGISTRY
        rater_category, rater_since = held[0]
    updated = Reference.objects.filter(
        pk=reference.pk, status__in=[ReferenceStatus.SENT, ReferenceStatus.OPENED]
    ).update(
        status=ReferenceStatus.COMPLETED,
        completed_at=timezone.now(),
        answers=answers,
        narrative=narrative,
        insufficient_info_count=insufficient,
        rater_category=rater_category,
        rater_since=rater_since,
        rater_standing=standing,
        link_nonce="",
    )
    if updated != 1:
        raise ActionRefused(_("This rating was already submitted."))
    record(
        actor=None,
        verb="portfolios.reference.completed",
        association=reference.portfolio.association,
        target=reference.portfolio,
        data={"reference": str(reference.public_id), "insufficient": insufficient, "standing": standing},
    )
    reference.refresh_from_db()
    return reference


@transaction.atomic
def verify_rater_standing(
    *,
    actor: User,
    reference: Reference,
    verified: bool,
    category: str = "",
    since: date | None = None,
    reason: str = "",
) -> Reference:
    """Staff checked the rater against the registry (or know them): the rating counts, with the
    Endorsement staff confirm (none for a rater who holds none), or it does not. Only a
    completed rating's standing is settled, once per decision; a conditional update decides."""
    if category and since is None:
        raise ValidationError({"since": _("Give the date the rater was endorsed in that category.")})
    if not verified and not reason.strip():
        raise ValidationError({"reason": _("Say why, so the applicant knows what to do.")})
    standing = RaterStanding.VERIFIED if verified else RaterStanding.REJECTED
    fields: dict[str, Any] = {"rater_standing": standing}
    if verified:
        fields.update(rater_category=category, rater_since=since if category else None)
    updated = (
        Reference.objects.filter(pk=reference.pk, status=ReferenceStatus.COMPLETED)
        .exclude(rater_standing=standing)
        .update(**fields)
    )
    if updated != 1:
        raise ActionRefused(_("This rating is not completed, or its rater's standing is already recorded so."))
    current = Reference.objects.select_related("portfolio__association").get(pk=reference.pk)
    record(
        actor=actor,
        verb="portfolios.reference.standing_verified" if verified else "portfolios.reference.standing_rejected",
        association=current.portfolio.association,
        target=current.portfolio,
        data={"reference": str(current.public_id), "category": current.rater_category, "reason": reason.strip()},
    )
    return current


@transaction.atomic
def verify_provider_standing(
    *,
    actor: User,
    entry: RSC,
    verified: bool,
    category: str = "",
    since: date | None = None,
    reason: str = "",
) -> RSC:
    """Staff checked an RS/C provider who confirmed through the link against the registry: the
    entry becomes provider-confirmed with the Endorsement staff confirm, or is not accepted."""
    if category and since is None:
        raise ValidationError({"since": _("Give the date the provider was endorsed in that category.")})
    if not verified and not reason.strip():
        raise ValidationError({"reason": _("Say why, so the applicant knows what to do.")})
    current = RSC.objects.select_for_update(of=("self",)).select_related("portfolio__association").get(pk=entry.pk)
    if current.provenance != Provenance.RSC_LINK or current.verification == Verification.REJECTED:
        raise ActionRefused(_("This RS/C is not waiting for its provider's standing to be verified."))
    if verified:
        current.provenance = Provenance.RSC_PROVIDER
        current.provider_category, current.provider_since = category, since if category else None
    else:
        current.verification, current.verification_reason = Verification.REJECTED, reason.strip()
        current.verified_by, current.verified_at = actor, timezone.now()
    current.full_clean()
    current.save()
    record(
        actor=actor,
        verb="portfolios.rsc.standing_verified" if verified else "portfolios.rsc.standing_rejected",
        association=current.portfolio.association,
        target=current.portfolio,
        data={"entry": str(current.public_id), "category": current.provider_category, "reason": reason.strip()},
    )
    return current


# --- Import ------------------------------------------------------------------------------

IMPORTED: list[tuple[str, type[models.Model], list[str]]] = [
    ("education", Education, ["level", "field", "institution", "conferred"]),
    ("licenses", License, ["kind", "mental_health", "jurisdiction", "issued", "expires"]),
    (
        "work",
        Work,
        [
            "employer",
            "title",
            "start",
            "end",
            "paid",
            "fte",
            "service_level",
            "ages",
            "families_served",
            "social_emotional_focus",
            "relationship_focus",
            "dyadic_therapy",
            "supervised",
            "internship",
            "provides_rsc",
            "leadership",
        ],
    ),
    ("training", Training, ["title", "provider", "date", "hours", "domains", "dei", "about_rsc"]),
    ("rsc", RSC, ["format", "start", "end", "hours", "about_providing_rsc", "peer"]),
]


def _row(section: str, item: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for key, value in item.items():
        if key in {"verified", "confirmed", "supervisor", "provider"}:
            continue
        if key in {"conferred", "issued", "expires", "start", "end", "date"}:
            value = date.fromisoformat(value) if value else None
        elif key in {"hours", "fte"}:
            value = Decimal(str(value)).quantize(Decimal("0.01"))
        elif key == "leadership":
            value = value or ""
        row[key] = value
    if section == "rsc":
        provider = item["provider"]
        held = (provider.get("credentials") or [{}])[0]
        row.update(
            provider_name=provider["name"],
            provider_email=provider.get("email") or "",
            provider_category=held.get("category", ""),
            provider_since=date.fromisoformat(held["since"]) if held.get("since") else None,
            provider_vetted=bool(provider.get("vetted")),
        )
    if section == "work" and item.get("supervisor"):
        row.update(supervisor_name=item["supervisor"]["name"], supervisor_email=item["supervisor"].get("email") or "")
    return row


def _default(model: type[models.Model], name: str) -> Any:
    field = model._meta.get_field(name)
    return field.get_default() if isinstance(field, models.Field) else None


def _fingerprint(values: Any) -> tuple[Any, ...]:
    return tuple(tuple(v) if isinstance(v, list) else v for v in values)


@transaction.atomic
def import_portfolio(*, actor: User | None, portfolio: Portfolio, document: Any) -> dict[str, int]:
    """Add the entries of an ``attunement.portfolio/1`` document. All or nothing: an invalid
    document changes nothing and every error names its JSON path. Idempotent: entries already
    in the portfolio (same section and same values) are not added again. References,
    agreements, memberships, credentials and exams are not imported: raters answer again,
    people sign again, and the other records belong to their own parts of Attunement."""
    try:
        parse_portfolio(document, timezone.localdate())
    except PortfolioError as exc:
        raise ValidationError(exc.errors) from None
    added: dict[str, int] = {}
    for section, model, keys in IMPORTED:
        rows = model.objects.filter(portfolio=portfolio).values_list(*keys)  # type: ignore[attr-defined]
        existing = {_fingerprint(row) for row in rows}
        count = 0
        for item in document.get(section) or []:
            row = _row(section, item)
            fingerprint = _fingerprint(row.get(k, _default(model, k)) for k in keys)
            if fingerprint in existing:
                continue
            entry = model(portfolio=portfolio, provenance=Provenance.IMPORT, **row)
            entry.full_clean()
            entry.save()
            existing.add(fingerprint)
            count += 1
        added[section] = count
    record(
        actor=actor,
        verb="portfolios.portfolio.imported",
        association=portfolio.association,
        target=portfolio,
        data=added,
    )
    return added
