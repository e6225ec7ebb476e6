"""What every delivery backend takes and gives back, independent of SMTP or files."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from tui_mutabakat.domain.history import HistoryReason
from tui_mutabakat.domain.states import RecipientState


class TransportUnavailable(Exception):
    """The server cannot be reached or refuses us now; nothing was sent. Try later."""


@dataclass(frozen=True, slots=True)
class Envelope:
    """One SMTP transaction: a stored message to the still-pending recipients of a letter."""

    token: str
    sender: str
    #: (recipient row id, address)
    recipients: tuple[tuple[int, str], ...]
    message: bytes


@dataclass(frozen=True, slots=True)
class RecipientResult:
    recipient_id: int
    #: ACCEPTED, REFUSED (5xx), DEFERRED (4xx) — or QUEUED when it was never tried.
    state: RecipientState
    code: int | None
    answer: str
    #: Accepted although the server's answer to the final "." was never read.
    in_doubt: bool = False
    #: The history's reason, when it is ours rather than the server's words (the file
    #: backend's "written to this file").
    why: HistoryReason | None = None


@dataclass(slots=True)
class Delivery:
    """The outcome of one envelope.

    `results` holds an entry for every recipient the server answered about. When the
    connection failed before the message was handed over, `connection_error` says why;
    recipients without a result were not tried and nothing reached the server.
    """

    results: list[RecipientResult] = field(default_factory=list)
    connection_error: str | None = None


#: Called with the recipient ids the server has accepted at RCPT, after the message body is
#: written, and a function that writes the final "." (which must not raise). The caller
#: makes the hand-over durable, calls that function at once, then lets the call return.
HandOver = Callable[[Sequence[int], Callable[[], None]], Awaitable[None]]


class Transport(Protocol):
    @property
    def description(self) -> str:
        """Where letters go, e.g. `smtp://mail.firma.com:587` or `file:/…/outbox`."""
        ...

    @property
    def concurrency(self) -> int:
        """How many envelopes may be in flight at once."""
        ...

    async def open(self) -> None:
        """Check that the destination is reachable; raise `TransportUnavailable` if not."""
        ...

    async def deliver(self, envelope: Envelope, handover: HandOver) -> Delivery: ...

    async def close(self) -> None: ...
