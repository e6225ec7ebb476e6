"""Sending a new batch at once (SPEC D4–D7): its letters are written to the outbox chunk by
chunk while the sender already delivers the first ones.

Composing a letter (render the template, build the MIME message) is CPU work, and so is the
SMTP exchange; in one interpreter they take turns under one lock. So the chunks are composed
elsewhere — by a child process for a large batch on a machine with more than one core
(spawned: nothing of this process, its threads or its terminal, is inherited), by a thread
otherwise, since starting a process (~0.3 s) costs more than a small batch saves — and
written here, on the sender's own event loop. One writer means that on SQLite the sender's
hand-over commits never wait for another connection's lock, and a chunk is one short
transaction, like a claim.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import sys
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from tui_mutabakat.config import Settings
from tui_mutabakat.data.balance_queries import BalanceKey
from tui_mutabakat.data.session import Database
from tui_mutabakat.i18n import current_language
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.batch_writer import (
    BatchWriter,
    ComposedChunk,
    compose_chunk,
)
from tui_mutabakat.services.sending.batches import start_batch
from tui_mutabakat.services.sending.compose import BatchCreated, Composer, SendOptions
from tui_mutabakat.services.sending.compose_child import ChildJob, compose_in_child, warm_up
from tui_mutabakat.services.sending.sender_types import DeliveryOptions, ProgressCallback, RunReport
from tui_mutabakat.services.sending.worker import send_batch

log = logging.getLogger("mutabakat.send")

#: From this many selected rows on, letters are composed by a child process.
PROCESS_FROM = 2000


@dataclass(frozen=True, slots=True)
class SendNowResult:
    batch_id: int
    #: What was written; `None` when writing stopped with `fill_error`.
    created: BatchCreated | None
    report: RunReport
    #: Why writing the letters stopped halfway (the letters written before still went).
    fill_error: str | None = None


async def create_and_send(
    database: Database,
    settings: Settings,
    actor: Actor,
    as_of: date,
    keys: Sequence[BalanceKey],
    options: SendOptions,
    *,
    criteria: dict[str, Any] | None = None,
    delivery: DeliveryOptions | None = None,
    on_opened: Callable[[int], None] | None = None,
    on_created: Callable[[BatchCreated], None] | None = None,
    on_progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
    connections: int | None = None,
    process_from: int | None = PROCESS_FROM,
    again: bool = False,
) -> SendNowResult:
    """Open the batch (refusing bad options before anything is written, `ServiceError`),
    write its letters and deliver them, both at once. `on_created` is called, on this
    loop, when the last letter is written; the sender goes on until every letter written
    has had its turn. `process_from=None` always composes in a thread. Accounts that
    already have a live letter for the date are left out (and listed on the batch's
    error list) unless `again`: `send_guard`."""
    writer = start_batch(database, actor, as_of, keys, options, criteria=criteria, again=again)
    batch_id = writer.batch_id
    # From here on the batch exists: whatever happens, it is closed before this returns.
    try:
        if on_opened is not None:
            on_opened(batch_id)
        with _composer(database, writer, process_from) as compose:
            filling = asyncio.ensure_future(_fill(database, writer, compose))
            if on_created is not None:
                filling.add_done_callback(lambda done: _announce(done, on_created))
            try:
                report = await send_batch(
                    database,
                    settings,
                    batch_id,
                    options=delivery,
                    on_progress=on_progress,
                    stop=stop,
                    actor=actor.login,
                    connections=connections,
                    filling=filling,
                )
            except BaseException:
                # Once cancelled, `_fill` raises at its next await and never writes
                # again; it closes the batch on its way out.
                filling.cancel()
                await asyncio.gather(filling, return_exceptions=True)
                raise
            try:
                created = await filling
            except Exception as exc:  # noqa: BLE001 - the batch is closed; the caller shows why
                return SendNowResult(batch_id, None, report, str(exc) or type(exc).__name__)
        return SendNowResult(batch_id, created, report)
    finally:
        if not writer.closed:
            _close_anyway(database, writer, sys.exc_info()[1])


def _close_anyway(database: Database, writer: BatchWriter, why: BaseException | None) -> None:
    """The last try at closing a batch whose writing stopped before `_fill` could close it
    (the setup failed, or closing failed once). Should even this fail, the batch is left
    for `close_abandoned_batches`."""
    try:
        writer.abandon(database, why or RuntimeError(_("Hazırlık tamamlanmadı.")))
    except Exception:
        log.exception("batch %s could not be closed", writer.batch_id)


Compose = Callable[[int, list[BalanceKey]], Awaitable[ComposedChunk]]

#: Chunks being composed at once: enough to keep the writing busy, few enough that
#: composed letters do not pile up in memory when the writing is slower.
_IN_FLIGHT = 3


async def _fill(database: Database, writer: BatchWriter, compose: Compose) -> BatchCreated:
    """Compose the chunks elsewhere (a few ahead, so the next is being composed while this
    one is written) and write them here, each in its own transaction. However it ends —
    finished, cancelled, failed — the batch is closed before this returns."""
    parts = list(enumerate(writer.parts()))
    composing: deque[asyncio.Future[ComposedChunk]] = deque()
    try:
        while parts or composing:
            while parts and len(composing) < _IN_FLIGHT:
                index, part = parts.pop(0)
                composing.append(asyncio.ensure_future(compose(index, part)))
            if not writer.commit(database, await composing.popleft()):
                break
    except BaseException as exc:
        writer.abandon(database, exc)
        raise
    finally:
        for future in composing:
            future.cancel()
    return writer.finish(database)


@contextmanager
def _composer(
    database: Database, writer: BatchWriter, process_from: int | None
) -> Iterator[Compose]:
    """How chunks get composed: by a thread, and for a large batch by a child process from
    the third chunk on — the thread composes the first two while the child starts, so the
    first letters leave without waiting for it. Should the child not start, or die, its
    chunks are composed by the thread (see the module's doc)."""
    loop = asyncio.get_running_loop()
    plan = writer.plan
    with ExitStack() as stack:
        # Shut down without waiting: after a cancel or an error, a chunk still being
        # composed must not hold up the event loop; its result is dropped.
        threads = ThreadPoolExecutor(1, thread_name_prefix="mutabakat-compose")
        stack.callback(threads.shutdown, wait=False, cancel_futures=True)
        processes = None
        if _child_wanted(database, len(plan.keys), process_from):
            processes = _start_child()
        if processes is not None:
            stack.callback(processes.shutdown, wait=False, cancel_futures=True)
        url = database.engine.url.render_as_string(hide_password=False)
        job = ChildJob.of(plan, url, current_language(), writer.batch_id, dict(database.info))

        child = [processes]  # emptied once the child is found broken: said once, not per chunk

        async def compose(index: int, part: list[BalanceKey]) -> ComposedChunk:
            pool = child[0]
            if pool is not None and index >= _THREAD_PARTS:
                try:
                    return await loop.run_in_executor(pool, compose_in_child, job, part)
                except BrokenProcessPool:
                    if child[0] is not None:
                        child[0] = None
                        log.warning(_CHILD_BROKEN)
            return await loop.run_in_executor(threads, _compose_here, database, plan.composer, part)

        yield compose


_CHILD_BROKEN = (
    "THE COMPOSE PROCESS DIED: every further chunk of this batch is composed in this process, "
    "in a thread, sharing the sender's core (slower). A spawned child re-imports the main "
    'module; a script without an `if __name__ == "__main__":` guard breaks it.'
)

#: Chunks the thread composes before the child process takes over.
_THREAD_PARTS = 2


def _child_wanted(database: Database, rows: int, process_from: int | None) -> bool:
    url = database.engine.url
    in_memory = url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:")
    cores = os.cpu_count() or 1
    return process_from is not None and rows >= process_from and cores > 1 and not in_memory


def _start_child() -> ProcessPoolExecutor | None:
    """The compose process, started now (so it is up by the time the thread's chunks are
    written), or `None` when it cannot be started — the thread composes everything then."""
    try:
        executor = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
    except (OSError, ValueError) as exc:
        log.warning("no compose process (%s); composing in this process", exc)
        return None
    try:
        executor.submit(warm_up)
    except (OSError, ValueError) as exc:
        executor.shutdown(wait=False, cancel_futures=True)
        log.warning("no compose process (%s); composing in this process", exc)
        return None
    return executor


def _compose_here(database: Database, composer: Composer, part: list[BalanceKey]) -> ComposedChunk:
    with database.reader() as session:
        return compose_chunk(session, composer, part)


def _announce(
    done: asyncio.Future[BatchCreated], on_created: Callable[[BatchCreated], None]
) -> None:
    if not done.cancelled() and done.exception() is None:
        try:
            on_created(done.result())
        except Exception:
            log.exception("on_created failed")
