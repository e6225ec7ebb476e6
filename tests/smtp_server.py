"""A real SMTP server for the tests: aiosmtpd on the loopback interface.

`RecordingHandler` keeps every message the server accepted, as the server received it
(envelope and raw bytes). It can refuse chosen addresses at RCPT (5xx) and defer others a
number of times (4xx), like a real server would. Run it in the test process
(`running_server`) or in its own process (`python -m tests.smtp_server PORT`), where it
prints the count of messages per Message-ID to a file on SIGTERM.
"""

from __future__ import annotations

import email
import email.policy
import socket
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes
    #: The MAIL FROM parameters, e.g. ("SMTPUTF8",).
    mail_options: tuple[str, ...] = ()

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class RecordingHandler:
    #: address → the answer to give at RCPT, e.g. "550 5.1.1 <x>: user unknown".
    refuse: dict[str, str] = field(default_factory=dict)
    #: address → how many times to answer 451 before accepting.
    defer: dict[str, int] = field(default_factory=dict)
    #: The answer to give at MAIL FROM to every sender, e.g. "553 5.7.1 Sender rejected".
    refuse_sender: str = ""
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: Any
    ) -> str:
        if self.refuse_sender:
            return self.refuse_sender
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        with self.lock:
            left = self.defer.get(address, 0)
            if left > 0:
                self.defer[address] = left - 1
                return "451 4.7.1 Greylisted, try again later"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(  # noqa: N802
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        with self.lock:
            self.received.append(
                Received(
                    envelope.mail_from,
                    tuple(envelope.rcpt_tos),
                    bytes(envelope.content),
                    tuple(envelope.mail_options),
                )
            )
            number = len(self.received)
        return f"250 2.0.0 Ok: queued as T{number}"

    def count(self) -> int:
        with self.lock:
            return len(self.received)

    def by_message_id(self) -> Counter[str]:
        with self.lock:
            received = list(self.received)
        return Counter(r.message_id for r in received)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(
    handler: RecordingHandler | None = None, port: int | None = None, *, smtputf8: bool = False
) -> Iterator[tuple[RecordingHandler, int]]:
    """An SMTP server on 127.0.0.1 for the duration of the block; with `smtputf8` it offers
    the SMTPUTF8 extension (RFC 6531)."""
    handler = handler or RecordingHandler()
    port = port or free_port()
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        decode_data=False,
        enable_SMTPUTF8=smtputf8,
    )
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def _serve_forever(port: int, report: str) -> None:
    import signal

    handler = RecordingHandler()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    with running_server(handler, port):
        print("ready", flush=True)
        done.wait()
    counts = Counter(r.message_id for r in handler.received)
    with open(report, "w", encoding="utf-8") as out:
        out.write(f"{len(handler.received)} {len(counts)} {max(counts.values(), default=0)}\n")


if __name__ == "__main__":
    _serve_forever(int(sys.argv[1]), sys.argv[2])
