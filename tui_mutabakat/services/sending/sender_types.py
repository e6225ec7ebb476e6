"""What the sender takes (options) and gives back (progress, report)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.services.sending.outbox import RetryPolicy


@dataclass(frozen=True, slots=True)
class DeliveryOptions:
    #: Letters per claim: a claim is one small transaction.
    claim_size: int = 64
    #: Letters per minute at most (real providers throttle); `None`: as fast as allowed.
    rate_per_minute: float | None = None
    lease_seconds: float = 120.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    #: How long to wait before trying an unreachable server again (continuous mode).
    reconnect_seconds: float = 30.0
    #: How often an idle continuous run looks for new letters.
    poll_seconds: float = 2.0
    #: How long a hand-over may wait for others to share its commit.
    group_wait: float = 0.002
    #: How often a run looks for the next chunk of a batch still being written.
    follow_seconds: float = 0.01


@dataclass(frozen=True, slots=True)
class LetterResult:
    letter_id: int
    batch_id: int
    state: LetterState
    reasons: tuple[str, ...]


@dataclass(slots=True)
class SendProgress:
    """What a progress bar shows; `total` is known when one batch is being sent."""

    total: int | None = None
    sent: int = 0
    failed: int = 0
    retrying: int = 0
    released: int = 0
    latest: list[LetterResult] = field(default_factory=list)

    @property
    def done(self) -> int:
        return self.sent + self.failed + self.retrying


@dataclass(slots=True)
class RunReport:
    progress: SendProgress
    recovered: int = 0
    #: Letters this run had claimed and then lost to another run's recovery (it was too
    #: slow to renew its lease): it sent and recorded nothing more for them.
    lost_claims: int = 0
    transport: str = ""
    transport_error: str | None = None
    finished_batches: list[int] = field(default_factory=list)
    stopped: bool = False


ProgressCallback = Callable[[SendProgress], None]


class RateLimiter:
    def __init__(self, per_minute: float | None) -> None:
        self._interval = 60.0 / per_minute if per_minute else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self._interval:
            return
        async with self._lock:
            now = time.monotonic()
            delay = self._next - now
            self._next = max(now, self._next) + self._interval
        if delay > 0:
            await asyncio.sleep(delay)
