"""Mail the provider reports as undeliverable, for this app: a reference request that bounced
is marked so on the applicant's references page (issue 17.3)."""

from __future__ import annotations

import logging
from typing import Any

from django.dispatch import receiver

from attunement.lib.errors import ActionRefused
from attunement.mail.models import OutgoingMail
from attunement.mail.signals import mail_undeliverable
from attunement.portfolios.actions import REFERENCE_MAIL, mark_reference_bounced
from attunement.portfolios.models import Reference

logger = logging.getLogger("attunement.mail")


@receiver(mail_undeliverable, dispatch_uid="portfolios-reference-bounced")
def reference_bounced(sender: Any, mail: OutgoingMail, delivery: str, recipient: str, **kwargs: Any) -> None:
    kind, _sep, public_id = mail.about.partition(":")
    if kind != REFERENCE_MAIL:
        return
    reference = Reference.objects.select_related("portfolio__association").filter(public_id=public_id).first()
    if reference is None or reference.rater_email.lower() != recipient:
        return  # withdrawn, or the rater was changed since: the bounce is about an old address
    try:
        mark_reference_bounced(actor=None, reference=reference)
    except ActionRefused:
        logger.info("reference %s: bounce reported after it was answered or withdrawn", reference.public_id)
