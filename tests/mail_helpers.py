"""A real SMTP server for the mail tests (aiosmtpd on 127.0.0.1, a port the OS picks) and
helpers to read what it received."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

from aiosmtpd.controller import Controller
from flask import Flask


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        assert part is not None
        return str(part.get_content())

    def links(self) -> list[str]:
        """The site's paths the plain text links to (as the test client follows them)."""
        return [m.group(1) for m in re.finditer(r"https?://[^/\s]+(/\S*)", self.text)]


@dataclass
class Inbox:
    """What the server accepted; `refuse` makes it answer 451 (try later) to every RCPT."""

    received: list[Received] = field(default_factory=list)
    refuse: bool = False

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if self.refuse:
            return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        self.received.append(Received(list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        return [str(r.message["Message-ID"]).strip() for r in self.received]

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.recipients]


class _AnyPortController(Controller):
    """aiosmtpd's controller bound to port 0: it learns the port the OS chose before it
    makes its own first connection."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpServer:
    """Start, stop (the server is down) and start again on the same port."""

    def __init__(self, inbox: Inbox) -> None:
        self.inbox = inbox
        self.port = 0
        self.controller: Controller | None = None

    def start(self) -> None:
        controller = _AnyPortController(self.inbox, hostname="127.0.0.1", port=self.port)
        controller.start()
        self.port = controller.port
        self.controller = controller

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@contextmanager
def smtp_server(app: Flask) -> Iterator[SmtpServer]:
    """A running SMTP server, with the app's mail state pointed at it for the duration."""
    server = SmtpServer(Inbox())
    server.start()
    state = app.extensions["mailman"]
    saved = (state.backend, state.server, state.port, state.timeout, state.use_tls, state.use_ssl)
    state.backend, state.server, state.port, state.timeout = "smtp", "127.0.0.1", server.port, 5
    state.use_tls = state.use_ssl = False
    try:
        yield server
    finally:
        server.stop()
        (
            state.backend,
            state.server,
            state.port,
            state.timeout,
            state.use_tls,
            state.use_ssl,
        ) = saved
