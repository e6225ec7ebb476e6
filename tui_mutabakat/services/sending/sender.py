"""The sender: takes queued letters from the outbox and delivers each exactly once (SPEC D6).

How "never twice" holds, step by step for one letter:

1. The letter and its recipients were committed `queued` when the batch was created.
2. A run claims it: `sending`, the run's claim token, the next claim generation
   (`claim_gen + 1`) and a lease the run renews while alive. Only an unclaimed letter can
   be claimed (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer).
3. MAIL, RCPT and the message body go to the server; nothing is delivered yet, because an
   SMTP server keeps a message only once it has read the final "." of DATA.
4. The run commits `handover_at` on the recipients the server accepted at RCPT, and only
   then writes the final ".".
5. It records the server's answer (accepted / refused / deferred) and the letter's state.

Every change a run makes after its claim (4, 5, or giving the letter back) is a
compare-and-set: in the same transaction it first locks the letter with
`UPDATE letter … WHERE id = ? AND claim_token = <its token>` and goes on only where
`claim_gen` is still the one its claim wrote (`outbox.held_letters`). A run that lost the
letter changes nothing: its hand-over is not written and its "." never sent (`ClaimLost`),
its outcome is dropped.

A run that died is found by its lease (expired) or its process (gone, same host). Another
run takes its letters over with one compare-and-set, `UPDATE letter SET claim_token = NULL
… WHERE id = ? AND claim_token = <the dead run's> AND claim_gen = <as read> [AND
lease_until < now]` (`recovery.py`), then reads the recipients. The row lock orders the
two: a hand-over committed before the take-over is seen (those recipients are taken as
delivered, flagged `in_doubt`, never sent again); a hand-over that comes after finds the
claim gone and its "." is never written. A letter claimed by a live run in between is
left alone, and a claim that finds a pending recipient with a saved hand-over resolves it
the same way instead of sending it again (`recovery.claim_letters`).

A crash before 4 loses nothing: the message is incomplete on the server, and the letter
is sent again. A crash after 4 finds `handover_at` set: those recipients are taken as
delivered (flagged `in_doubt`) and never sent again. The only way to lose a letter is a
crash in the microseconds between the commit of 4 and the write of the final "." (or a
server that dies after reading the "." without keeping the message) — such recipients show
`in_doubt`, and a person decides: resend them or mark them delivered (`services/sending/doubt.py`).
Duplicates are impossible by construction; we chose that over "at least once", because a
reconciliation letter received twice confuses the counterparty and its answers, while an
`in_doubt` letter is visible and can be resent. The test that holds us to it:
`tests/test_send_chaos.py` (four workers killed at random, PostgreSQL and SQLite).

Database writes are grouped: hand-overs and results of all connections go to the database
in one transaction at a time, from one thread, so the event loop never waits on SQL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import Connection

from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.session import (
    SQLITE_WAL_AUTOCHECKPOINT,
    Database,
    checkpointing,
    is_sqlite,
)
from tui_mutabakat.domain.history import HistoryReason
from tui_mutabakat.domain.history import reason as history_reason
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.mail.transport import Envelope, Transport, TransportUnavailable
from tui_mutabakat.services.sending import outbox, recovery
from tui_mutabakat.services.sending.batch_status import finish_batches
from tui_mutabakat.services.sending.outbox import (
    ClaimedLetter,
    ClaimLost,
    LetterOutcome,
    SenderIdentity,
    held_letters,
)
from tui_mutabakat.services.sending.outcomes import record_outcomes
from tui_mutabakat.services.sending.sender_types import (
    DeliveryOptions,
    LetterResult,
    ProgressCallback,
    RateLimiter,
    RunReport,
    SendProgress,
)

T = TypeVar("T")

log = logging.getLogger("mutabakat.sending")

#: A connection waiting on a hand-over: the letter, the recipients the server accepted at
#: RCPT, the function that writes the final ".", and what the connection awaits.
_Handover = tuple[ClaimedLetter, list[int], Callable[[], None], asyncio.Future[None]]


class OutboxSender:
    """One run of the sender over the outbox, for one transport.

    `batch_id` limits the run to one batch (the interface's "send now"); `sender_login`
    to the batches of one sender (the worker, one transport per sender).
    """

    def __init__(
        self,
        database: Database,
        transport: Transport,
        *,
        options: DeliveryOptions | None = None,
        identity: SenderIdentity | None = None,
        batch_id: int | None = None,
        sender_login: str | None = None,
        on_progress: ProgressCallback | None = None,
        stop: threading.Event | None = None,
        filling: asyncio.Future[Any] | None = None,
    ) -> None:
        self.database = database
        self.transport = transport
        self.options = options or DeliveryOptions()
        self.identity = identity or SenderIdentity.new()
        self.batch_id = batch_id
        self.sender_login = sender_login
        self.on_progress = on_progress
        self._stop_signal = stop
        #: The batch is still being written (`send_now`): a run with `once` keeps
        #: claiming until this is done and nothing is left.
        self._filling = filling
        self._stopping = False
        self._transport_down: str | None = None
        self._cancelled: set[int] = set()
        self._touched: set[int] = set()
        #: Letters this run has claimed and not yet given back or finished.
        self._held: set[int] = set()
        self._unsent: list[ClaimedLetter] = []
        self._handovers: list[_Handover] = []
        self._outcomes: list[LetterOutcome] = []
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._journal_error: BaseException | None = None
        self._journal_task: asyncio.Task[None] | None = None
        self._limiter = RateLimiter(self.options.rate_per_minute)
        self.report = RunReport(SendProgress(), transport=transport.description)
        self._last_progress = 0.0

    def request_stop(self) -> None:
        """Stop claiming; letters in flight finish, the others stay queued."""
        self._stopping = True

    async def _db(self, function: Callable[..., T], *args: Any) -> T:
        """Run `function(conn, *args)` in one transaction, on the loop's own thread.

        Every statement here is short; running them in place (not in a thread) is what
        lets the journal write the final "." within microseconds of its commit.
        """
        with self.database.engine.begin() as conn:
            return function(conn, *args)

    async def run(self, *, once: bool = True) -> RunReport:
        with checkpointing(self.database.engine):
            return await self._run(once)

    async def _run(self, once: bool) -> RunReport:
        journal = asyncio.create_task(self._journal_guarded())
        self._journal_task = journal
        watcher = asyncio.create_task(self._watch())
        try:
            self.report.recovered = await self._db(
                partial(recovery.recover_stale, sender=self.identity, now=utcnow())
            )
            if self.batch_id is not None:
                self.report.progress.total = await self._db(outbox.due_in_batch, self.batch_id)
            await self._run_until_done(once)
        finally:
            self._stopping = True
            await self._release_unsent()
            self._wake.set()
            await self._drain_journal()
            journal.cancel()
            watcher.cancel()
            await asyncio.gather(journal, watcher, return_exceptions=True)
            await self.transport.close()
            if self._journal_error is None:
                await self._finish_batches()
            self._emit(force=True)
        if self._journal_error is not None:
            raise self._journal_error
        self.report.stopped = self._stop_signal is not None and self._stop_signal.is_set()
        return self.report

    async def _run_until_done(self, once: bool) -> None:
        while not self._stopping:
            try:
                await self.transport.open()
            except TransportUnavailable as exc:
                self.report.transport_error = str(exc)
                if once:
                    return
                await self._pause(self.options.reconnect_seconds)
                continue
            self.report.transport_error = None
            await self._pump(once)
            if self._transport_down is None or once:
                if self._transport_down is not None:
                    self.report.transport_error = self._transport_down
                return
            self.report.transport_error = self._transport_down
            self._transport_down = None
            await self._pause(self.options.reconnect_seconds)

    async def _pause(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self._stopping and time.monotonic() < deadline:
            await asyncio.sleep(min(0.2, seconds))

    async def _pump(self, once: bool) -> None:
        queue: asyncio.Queue[ClaimedLetter | None] = asyncio.Queue(
            maxsize=self.options.claim_size * 2
        )
        workers = [
            asyncio.create_task(self._deliver_loop(queue))
            for _ in range(self.transport.concurrency)
        ]
        lease = dt.timedelta(seconds=self.options.lease_seconds)
        try:
            while not self._stopping and self._transport_down is None:
                # Read before the claim: letters committed by the last chunk are seen by
                # the claim that follows the end of filling, never lost between the two.
                filling = self._filling is not None and not self._filling.done()
                claimed = await self._db(
                    partial(
                        recovery.claim_letters,
                        sender=self.identity,
                        limit=self.options.claim_size,
                        lease=lease,
                        batch_id=self.batch_id,
                        sender_login=self.sender_login,
                    )
                )
                if claimed:
                    new_batches = {x.batch_id for x in claimed} - self._touched
                    if new_batches:
                        await self._db(
                            outbox.note_transport, new_batches, self.transport.description
                        )
                    for letter in claimed:
                        self._touched.add(letter.batch_id)
                        self._held.add(letter.id)
                        await queue.put(letter)
                    continue
                if filling and self._filling is not None:
                    await asyncio.wait({self._filling}, timeout=self.options.follow_seconds)
                    continue
                if once:
                    break
                await self._finish_batches()
                await self._pause(self.options.poll_seconds)
        finally:
            for _ in workers:
                await queue.put(None)
            await asyncio.gather(*workers)

    async def _deliver_loop(self, queue: asyncio.Queue[ClaimedLetter | None]) -> None:
        while (letter := await queue.get()) is not None:
            if self._stop_signal is not None and self._stop_signal.is_set():
                self._stopping = True
            if self._stopping or self._transport_down or letter.batch_id in self._cancelled:
                self._unsent.append(letter)
                continue
            await self._limiter.wait()
            envelope = Envelope(
                token=letter.token,
                sender=letter.sender,
                recipients=tuple((r.id, r.address) for r in letter.recipients),
                message=letter.message,
            )
            try:
                delivery = await self.transport.deliver(envelope, partial(self._handover, letter))
            except ClaimLost:
                # Another run took the letter over: no "." was written, nothing recorded.
                self._held.discard(letter.id)
                self.report.lost_claims += 1
                continue
            except Exception as exc:
                # The hand-over could not be made durable (the database failed): the final
                # "." was not sent, so the letter is safe to send again later.
                self._journal_error = self._journal_error or exc
                self._stopping = True
                self._unsent.append(letter)
                continue
            if delivery.connection_error and not delivery.results:
                self._transport_down = delivery.connection_error
                self._unsent.append(letter)
                continue
            self._outcomes.append(LetterOutcome(letter, delivery))
            if len(self._outcomes) >= self.options.claim_size:
                self._wake.set()

    async def _handover(
        self, letter: ClaimedLetter, recipient_ids: Sequence[int], complete: Callable[[], None]
    ) -> None:
        """Make the hand-over durable, then write the "." (`complete`) — or raise
        `ClaimLost` without writing it when the run no longer holds the letter."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._handovers.append((letter, list(recipient_ids), complete, future))
        self._wake.set()
        await future

    async def _journal_guarded(self) -> None:
        """The journal; should it fail in a way it does not handle itself, the run stops
        with that error and every connection waiting on a hand-over is released (its
        final "." is never written: the letter stays to be sent again)."""
        try:
            await self._journal()
        except Exception as exc:
            self._journal_error = self._journal_error or exc
            self._stopping = True
            for _letter, _ids, _complete, future in self._handovers:
                if not future.done():
                    future.set_exception(exc)
            self._handovers = []
            raise

    async def _journal(self) -> None:
        """Write hand-overs and results in groups, and finish the handed-over messages.

        Results wait for the next hand-over (or the watcher's tick) to share its commit;
        a hand-over is written at once, and right after its commit — before anything else
        runs on the loop — the final "." of each of those messages is written.
        """
        conn: Connection | None = None
        try:
            while True:
                await self._wake.wait()
                await self._gather_handovers()
                self._wake.clear()
                handovers, self._handovers = self._handovers, []
                outcomes, self._outcomes = self._outcomes, []
                if not handovers and not outcomes:
                    self._idle.set()
                    continue
                self._idle.clear()
                try:
                    conn = conn or self._journal_connection()
                    held = _write_journal(conn, self.identity, handovers, outcomes, self.options)
                    conn.commit()
                    for letter, _ids, complete, future in handovers:
                        if letter.id in held:
                            complete()
                        elif not future.done():
                            future.set_exception(ClaimLost(letter.id))
                except Exception as exc:
                    if conn is not None:
                        # Dropped, not pooled: it may still be in the failed transaction.
                        conn.invalidate()
                        conn.close()
                        conn = None
                    self._journal_error = self._journal_error or exc
                    self._stopping = True
                    for _letter, _ids, _complete, future in handovers:
                        if not future.done():
                            future.set_exception(exc)
                    continue
                self._settle(handovers, outcomes)
        finally:
            if conn is not None:
                _close_journal_connection(conn)

    def _journal_connection(self) -> Connection:
        """The journal's own connection, kept for the run. On SQLite it never checkpoints
        the WAL: SQLite checkpoints inside COMMIT, after the commit is durable, which would
        put milliseconds between a hand-over and its "."; claims and other writes, on
        other connections, checkpoint instead."""
        conn = self.database.engine.connect()
        if is_sqlite(conn.engine):
            conn.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
            conn.commit()
        return conn

    def _settle(self, handovers: list[_Handover], outcomes: list[LetterOutcome]) -> None:
        for _letter, _ids, _complete, future in handovers:
            if not future.done():
                future.set_result(None)
        self._held.difference_update(o.letter.id for o in outcomes)
        self.report.lost_claims += sum(o.lost for o in outcomes)
        self._count([o for o in outcomes if not o.lost])
        self._wake.set()

    async def _gather_handovers(self) -> None:
        """Wait a moment for more hand-overs, so one commit serves several connections.

        A commit costs far more than the wait: up to `group_wait` seconds, or until every
        connection is waiting on a hand-over (measured: fewer, larger commits send more
        letters a second than committing as soon as half of them wait).
        """
        enough = self.transport.concurrency
        deadline = time.monotonic() + self.options.group_wait
        await asyncio.sleep(0)
        while (
            self._handovers
            and len(self._handovers) < enough
            and not self._stopping
            and time.monotonic() < deadline
        ):
            await asyncio.sleep(0.0002)

    async def _drain_journal(self) -> None:
        while self._handovers or self._outcomes or not self._idle.is_set():
            if self._journal_error is not None or (
                self._journal_task is not None and self._journal_task.done()
            ):
                return
            self._wake.set()
            await asyncio.sleep(0.01)

    def _count(self, outcomes: list[LetterOutcome]) -> None:
        progress = self.report.progress
        for outcome in outcomes:
            state = outcome.state or LetterState.QUEUED
            if state is LetterState.SENT:
                progress.sent += 1
            elif state is LetterState.FAILED:
                progress.failed += 1
            else:
                progress.retrying += 1
            if self.on_progress is None:
                continue
            progress.latest.append(
                LetterResult(
                    outcome.letter.id, outcome.letter.batch_id, state, tuple(outcome.reasons)
                )
            )
        self._emit()

    def _emit(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if self.on_progress is None or (not force and now - self._last_progress < 0.1):
            return
        self._last_progress = now
        progress = self.report.progress
        snapshot = SendProgress(
            progress.total,
            progress.sent,
            progress.failed,
            progress.retrying,
            progress.released,
            list(progress.latest),
        )
        progress.latest.clear()
        try:
            self.on_progress(snapshot)
        except Exception:
            # Showing progress must never stop the sending.
            log.exception("the progress callback failed")

    async def _watch(self) -> None:
        """Renew the lease, notice cancelled batches and the stop signal."""
        lease = dt.timedelta(seconds=self.options.lease_seconds)
        last_renew = time.monotonic()
        while True:
            await asyncio.sleep(0.05)
            if self._stop_signal is not None and self._stop_signal.is_set():
                self._stopping = True
            if self._outcomes:
                self._wake.set()
            if time.monotonic() - last_renew >= min(self.options.lease_seconds / 3, 1.0):
                last_renew = time.monotonic()
                try:
                    await self._db(
                        partial(
                            outbox.renew_lease,
                            sender=self.identity,
                            letter_ids=set(self._held),
                            lease=lease,
                            now=utcnow(),
                        )
                    )
                    self._cancelled = await self._db(outbox.cancelled_batches)
                except Exception as exc:
                    self._journal_error = self._journal_error or exc
                    self._stopping = True

    async def _finish_batches(self) -> None:
        """Close the batches of this run that have nothing left to deliver."""
        if self._touched:
            finished = await self._db(finish_batches, set(self._touched), utcnow())
            self.report.finished_batches += finished
            self._touched.difference_update(finished)

    async def _release_unsent(self) -> None:
        if not self._unsent:
            return
        letters, self._unsent = self._unsent, []
        cancelled = [x for x in letters if x.batch_id in self._cancelled]
        kept = [x for x in letters if x.batch_id not in self._cancelled]
        reason = self._transport_down or history_reason("stopped_waiting")
        try:
            await self._db(_release, self.identity, kept, cancelled, reason)
        except Exception as exc:
            self._journal_error = self._journal_error or exc
            return
        self.report.progress.released += len(kept)
        self._held.difference_update(x.id for x in letters)


def _close_journal_connection(conn: Connection) -> None:
    """Give the connection back to the pool as the pool lends it: checkpointing again."""
    try:
        if is_sqlite(conn.engine):
            conn.rollback()
            conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT}")
            conn.commit()
    finally:
        conn.close()


def _write_journal(
    conn: Connection,
    identity: SenderIdentity,
    handovers: list[_Handover],
    results: list[LetterOutcome],
    options: DeliveryOptions,
) -> set[int]:
    """Hand-overs and outcomes of the letters the run still holds (locked first, all in
    one statement); returns the held letters, whose "." may now be written."""
    now = utcnow()
    held = held_letters(conn, identity, [h[0] for h in handovers] + [o.letter for o in results])
    handed = outbox.record_handover(
        conn, identity, [(letter, ids) for letter, ids, _c, _f in handovers], now, held
    )
    if results:
        record_outcomes(conn, identity, results, options.retry, now, held)
    return handed


def _release(
    conn: Connection,
    identity: SenderIdentity,
    kept: list[ClaimedLetter],
    cancelled: list[ClaimedLetter],
    reason: str | HistoryReason,
) -> None:
    now = utcnow()
    outbox.release_letters(conn, identity, kept, reason, now)
    cancelled_why = history_reason("send_cancelled")
    outbox.release_letters(conn, identity, cancelled, cancelled_why, now, cancel=True)
    finish_batches(conn, {x.batch_id for x in cancelled}, now)
