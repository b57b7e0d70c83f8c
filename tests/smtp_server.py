"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, on a port bound first.

``Controller(port=0)`` fails (it cannot learn the port it got), so we ask the OS for a
free port and start the controller on it. Messages are parsed with
``email.policy.default`` so headers come back decoded. ``stop()`` and ``start()`` let a
test take the server away and bring it back on the same port.
"""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from qualdesk.db.engine import Database
from qualdesk.services import team_settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Handler:
    def __init__(self, sink: SmtpServer) -> None:
        self.sink = sink

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.sink.reject:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        msg = email.message_from_bytes(raw, policy=default_policy)
        assert isinstance(msg, EmailMessage)
        with self.sink.lock:
            self.sink.messages.append(msg)
            self.sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        if self.sink.on_data is not None:
            self.sink.on_data()
        return "250 OK"


class SmtpServer:
    def __init__(self) -> None:
        self.host = "127.0.0.1"
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.lock = threading.Lock()
        self.reject: set[str] = set()  # recipients refused with a permanent 550
        # Runs as a message is accepted, before the client hears 250: a test's way to
        # make something happen at that very moment (the database going away).
        self.on_data: Callable[[], None] | None = None
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(_Handler(self), hostname=self.host, port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def configure(self, db: Database) -> None:
        """Point the team's SMTP settings at this server (no TLS, no login)."""
        team_settings.set_value(db, "smtp.host", self.host)
        team_settings.set_value(db, "smtp.port", str(self.port))
        team_settings.set_value(db, "smtp.security", "none")
        team_settings.set_value(db, "smtp.user", "")
        team_settings.set_value(db, "smtp.timeout", "5")


@pytest.fixture(name="smtp_server")
def smtp_server_fixture() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
