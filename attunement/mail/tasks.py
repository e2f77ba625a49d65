"""The mail app's tasks (Django's task framework; the worker is ``attunement worker``)."""

from __future__ import annotations

from django.tasks import task

from attunement.mail import actions


@task(queue_name="mail")
def deliver_mail(mail_id: int) -> str:
    return actions.deliver(mail_id)
