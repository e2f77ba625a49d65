"""An EmailMessage as JSON and back: what the queue stores, so a worker in another process
(or after a restart) sends exactly the message that was asked for."""

from __future__ import annotations

import base64
from email.mime.base import MIMEBase
from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives

# Headers by which a caller tells the queue what a message is for; they are recorded and never sent.
PURPOSE_HEADER = "X-Attunement-Purpose"
ABOUT_HEADER = "X-Attunement-About"
# The slug of the association a message is from: its name is the sender's, its address the reply-to.
ASSOCIATION_HEADER = "X-Attunement-Association"
INTERNAL = (PURPOSE_HEADER.lower(), ABOUT_HEADER.lower(), ASSOCIATION_HEADER.lower())


def tags(purpose: str, about: str = "", association: object | None = None) -> dict[str, str]:
    """The internal headers a sender gives a message (recorded by the queue, never sent)."""
    found = {PURPOSE_HEADER: purpose, ABOUT_HEADER: about}
    slug = getattr(association, "slug", "")
    if slug:
        found[ASSOCIATION_HEADER] = str(slug)
    return found


def _content(value: str | bytes) -> dict[str, str]:
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode("ascii")}
    return {"text": value}


def _restore(value: dict[str, str]) -> str | bytes:
    return base64.b64decode(value["base64"]) if "base64" in value else value["text"]


def dump(message: EmailMessage) -> dict[str, Any]:
    """The message's fields as JSON (internal headers left out). A MIME part attached as an
    object is refused: nothing here attaches one, and it could not be stored faithfully."""
    attachments = []
    for attachment in message.attachments:
        if isinstance(attachment, MIMEBase):
            raise ValueError("A MIME object attachment cannot be queued; attach filename, content and type.")
        filename, content, mimetype = attachment
        attachments.append({"filename": filename, "content": _content(content), "mimetype": mimetype})
    alternatives = [
        {"content": _content(content), "mimetype": mimetype}
        for content, mimetype in getattr(message, "alternatives", []) or []
    ]
    return {
        "subject": str(message.subject),
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": {k: str(v) for k, v in message.extra_headers.items() if k.lower() not in INTERNAL},
        "content_subtype": message.content_subtype,
        "alternatives": alternatives,
        "attachments": attachments,
    }


def load(data: dict[str, Any]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    message.content_subtype = data.get("content_subtype", "plain")
    for alternative in data["alternatives"]:
        message.attach_alternative(_restore(alternative["content"]), alternative["mimetype"])
    for attachment in data["attachments"]:
        message.attach(attachment["filename"], _restore(attachment["content"]), attachment["mimetype"])
    return message


def header(message: EmailMessage, name: str) -> str:
    for key, value in message.extra_headers.items():
        if key.lower() == name.lower():
            return str(value)
    return ""
