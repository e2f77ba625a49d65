"""A real SMTP server for tests (aiosmtpd in a thread) on a free local port."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    """What the server accepted: one entry per message, with its envelope."""

    messages: list[tuple[list[str], Message]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


class SMTPServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.received = Received()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.received, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def mailers_for(port: int) -> dict[str, Any]:
    """MAILERS as in production: the default queues, the transport is SMTP on ``port``."""
    return {
        "default": {"BACKEND": "attunement.mail.backend.QueuedEmailBackend"},
        "transport": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        },
    }


def part(message: Message, content_type: str = "text/plain") -> str:
    """The decoded text of the message's first part of ``content_type``."""
    for piece in message.walk():
        if piece.get_content_type() == content_type:
            payload = piece.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(piece.get_content_charset() or "utf-8")
    raise AssertionError(f"no {content_type} part")
