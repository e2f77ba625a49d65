"""What every stage of the application path shares: moving an application from one state to
another (one conditional UPDATE, audited), mailing the applicant in their language, and the
decision letter."""

from __future__ import annotations

from typing import Any

from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from attunement.audit.actions import record
from attunement.endorsement.letters import render as render_letter
from attunement.endorsement.models import Application, Credential, LetterTemplate, Outcome
from attunement.lib.categories import category_name
from attunement.lib.errors import ActionRefused
from attunement.mail.messages import tags
from attunement.payments.actions import Line, fee_for, issue_invoice
from attunement.people.models import User

APPLICATION_TARGET = "endorsement.application"


def notify(application: Application, subject: str, body: str) -> None:
    person = application.portfolio.person

    def send() -> None:
        with translation.override(person.preferred_language):
            headers = tags(
                "application_notice", f"{APPLICATION_TARGET}:{application.public_id}", application.association
            )
            EmailMessage(str(subject), str(body), None, [person.email], headers=headers).send()

    transaction.on_commit(send)


def move(
    application: Application,
    *,
    actor: User | None,
    from_states: list[str],
    to: str,
    verb: str,
    data: dict[str, Any] | None = None,
    **fields: Any,
) -> Application:
    """A conditional UPDATE decides: of two people moving an application at once, exactly one
    changes it; the other is told what happened."""
    now = timezone.now()
    updated = Application.objects.filter(pk=application.pk, state__in=from_states).update(
        state=to, state_changed_at=now, **fields
    )
    if updated != 1:
        current = Application.objects.get(pk=application.pk)
        raise ActionRefused(
            _("This application is now “%(state)s”; nothing was changed.") % {"state": current.get_state_display()}
        )
    application.refresh_from_db()
    record(
        actor=actor,
        verb=f"endorsement.application.{verb}",
        association=application.association,
        target=application,
        data={"from": from_states, "to": to, **(data or {})},
    )
    return application


def decision_letter(
    application: Application, outcome: str, feedback: str, credential: Credential | None
) -> tuple[str, str]:
    person = application.portfolio.person
    templates = LetterTemplate.objects.filter(outcome=outcome, language__in=[person.preferred_language, "en"]).filter(
        Q(association=application.association) | Q(association__isnull=True)
    )
    chosen = sorted(templates, key=lambda t: (t.association_id is None, t.language != person.preferred_language))
    values = {
        "name": person.display_name,
        "category": category_name(application.category),
        "association": application.association.name,
        "date": timezone.localdate().isoformat(),
        "feedback": feedback,
        "code": credential.public_code if credential else "",
    }
    if chosen:
        # Only the named placeholders are filled, in the subject as in the body: a stored
        # template cannot reach into a value, format it, or fail the letter.
        return render_letter(chosen[0].subject, values), render_letter(chosen[0].body, values)
    with translation.override(person.preferred_language):
        subject = _("Decision on your Endorsement application")
        body = _(
            "Dear %(name)s,\n\nThe decision on your application for %(category)s: %(outcome)s.\n\n%(feedback)s"
        ) % {
            "name": person.display_name,
            "category": values["category"],
            "outcome": Outcome(outcome).label,
            "feedback": feedback,
        }
    return str(subject), str(body)


def bill(*, actor: User | None, application: Application, kind: str, label: str) -> None:
    """Invoice the applicant the association's fee ``kind`` for the application's category;
    the line's purpose (``application:<id>:<kind>``) is what settles it when paid."""
    association, person = application.association, application.portfolio.person
    line = Line(kind, label, fee_for(association, kind, application.category),
                f"{APPLICATION_TARGET}:{application.public_id}:{kind}", person)  # fmt: skip
    issue_invoice(actor=actor, association=association, billed_to=person, lines=[line])
