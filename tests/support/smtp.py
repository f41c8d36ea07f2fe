"""A real SMTP server (aiosmtpd) for the tests: it keeps what it receives in memory.

    with smtp_server() as server:
        app.config.update(server.settings)  # SMTP_HOST / SMTP_PORT
        ...
        (mail,) = server.messages            # email.message.EmailMessage objects

`stop()` takes it down (connections are refused) and `start()` brings it back on the same
port: the tests of the retries.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from tests.support.apps import free_port


class _Keep:
    def __init__(self, store: list[EmailMessage], lock: threading.Lock, refused: set) -> None:
        self.store, self.lock, self.refused = store, lock, refused

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: ANN001
        if address in self.refused:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: ANN001 - aiosmtpd's
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        with self.lock:
            self.store.append(message)
        return "250 OK"


class SmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.host, self.port = "127.0.0.1", port or free_port()
        self._messages: list[EmailMessage] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None
        self.refused: set[str] = set()  # addresses answered 550 (no such mailbox)

    @property
    def settings(self) -> dict:
        return {"SMTP_HOST": self.host, "SMTP_PORT": self.port, "SMTP_TIMEOUT": 5}

    @property
    def messages(self) -> list[EmailMessage]:
        with self._lock:
            return list(self._messages)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def start(self) -> None:
        self._controller = Controller(
            _Keep(self._messages, self._lock, self.refused), self.host, self.port
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@contextmanager
def smtp_server(*, running: bool = True) -> Iterator[SmtpServer]:
    server = SmtpServer()
    if running:
        server.start()
    try:
        yield server
    finally:
        server.stop()


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()
