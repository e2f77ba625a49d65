"""What the mail app tells the others: a message bounced (or was reported as spam, or refused).

Receivers look at ``mail.about`` (e.g. ``portfolios.reference:<uuid>``) and mark their own
record: a reference request as bounced, a renewal reminder as bounced. They run in the
transaction that records the event."""

from __future__ import annotations

from django.dispatch import Signal

# sender: OutgoingMail; kwargs: mail (OutgoingMail), delivery (a Delivery value), recipient (str)
mail_undeliverable = Signal()
