"""A new batch written and delivered at once (`services/sending/send_now.py`): in a thread or in a
child process, on SQLite and PostgreSQL, against a real aiosmtpd server; and what happens
when writing the letters stops halfway or the batch is cancelled while being written."""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing
import os
import signal
import threading
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.send_data import accounts_to_send, batch_skipped
from tests.smtp_server import running_server
from tui_mutabakat.config import Settings
from tui_mutabakat.data.outbox_models import Letter, ReconciliationBatch
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.states import BatchState, LetterState
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending import batch_writer, batches, send_now
from tui_mutabakat.services.sending.batch_status import cancel_batch
from tui_mutabakat.services.sending.batches import start_batch
from tui_mutabakat.services.sending.compose import BatchCreated, SendOptions
from tui_mutabakat.services.sending.send_now import create_and_send
from tui_mutabakat.services.sending.sender_types import SendProgress
from tui_mutabakat.services.sending.worker import run_worker

AS_OF = date(2026, 12, 31)


def _small_chunks(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    """Chunks of `size` letters, so a few dozen accounts make several (a child process
    imports the module afresh and composes whatever chunks it is given)."""
    monkeypatch.setattr(batch_writer, "CHUNK", size)
    monkeypatch.setattr(batch_writer, "FIRST_CHUNK", size)


@pytest.mark.parametrize("process_from", [None, 1], ids=["thread", "child-process"])
async def test_letters_written_while_sending_arrive_exactly_once(
    any_database: Database,
    any_actor: Actor,
    settings: Settings,
    process_from: int | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _small_chunks(monkeypatch, 7)
    smtp = replace(settings, mail_backend="smtp")
    created: list[BatchCreated] = []
    with running_server() as (server, port):
        keys = accounts_to_send(any_database, any_actor, 40, port)
        result = await create_and_send(
            any_database,
            smtp,
            any_actor,
            AS_OF,
            keys,
            SendOptions(),
            on_created=created.append,
            process_from=process_from,
        )
    assert result.fill_error is None and result.created is not None
    assert result.created.letters == 40 and [c.letters for c in created] == [40]
    assert result.report.progress.sent == 40
    assert server.count() == 40 and set(server.by_message_id().values()) == {1}
    with any_database.reader() as session:
        batch = session.get(ReconciliationBatch, result.batch_id)
        assert batch is not None and batch.state is BatchState.DONE
        assert batch.letter_count == 40 and batch.title.startswith("Cari hesap mutabakatı")


async def test_bad_options_are_refused_before_anything_is_written(
    database: Database, actor: Actor, settings: Settings
) -> None:
    keys = accounts_to_send(database, actor, 2)
    with pytest.raises(batches.InvalidInput, match="mutabakat tarihinden önce"):
        await create_and_send(
            database, settings, actor, AS_OF, keys, SendOptions(answer_by=date(2026, 1, 1))
        )
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(ReconciliationBatch)) == 0


async def test_writing_that_stops_halfway_still_sends_what_was_written_and_lists_the_rest(
    database: Database, actor: Actor, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_chunks(monkeypatch, 5)
    real_insert = batch_writer.insert_letters
    calls: list[int] = []

    def insert_then_fail(*args: Any) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk I/O error")
        real_insert(*args)

    monkeypatch.setattr(batch_writer, "insert_letters", insert_then_fail)
    smtp = replace(settings, mail_backend="smtp")
    with running_server() as (server, port):
        keys = accounts_to_send(database, actor, 12, port)
        result = await create_and_send(
            database, smtp, actor, AS_OF, keys, SendOptions(), process_from=None
        )
    assert result.fill_error == "disk I/O error" and result.created is None
    assert server.count() == 5 and result.report.progress.sent == 5
    with database.reader() as session:
        batch = session.get(ReconciliationBatch, result.batch_id)
        assert batch is not None and batch.state is BatchState.DONE
        left = batch_skipped(session, result.batch_id)
    assert [s.code for s in left] == [f"120.{n:03d}" for n in range(5, 12)]
    assert all(s.reason.startswith("Hazırlık yarıda kesildi") for s in left)


def test_a_batch_cancelled_while_being_written_stops_and_cancels_late_letters(
    database: Database, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_chunks(monkeypatch, 4)
    keys = accounts_to_send(database, actor, 12)
    writer = start_batch(database, actor, AS_OF, keys, SendOptions())
    batch_id = writer.batch_id
    real_check = batch_writer.cancel_requested
    checks: list[int] = []

    def cancel_during_the_second_chunk(session: Any, batch: int) -> bool:
        checks.append(1)
        if len(checks) == 2:
            with database.unit_of_work() as other:
                cancel_batch(other, actor, batch)
            # The cancel commits just after this chunk looked: its letters are written.
            return False
        return real_check(session, batch)

    monkeypatch.setattr(batch_writer, "cancel_requested", cancel_during_the_second_chunk)
    created = batch_writer.write_chunks(database, writer)
    assert created.letters == 8 and len(checks) == 3
    with database.reader() as session:
        states = list(session.scalars(select(Letter.state)))
        batch = session.get(ReconciliationBatch, batch_id)
        assert batch is not None and batch.state is BatchState.CANCELLED
        left = batch_skipped(session, batch_id)
    assert states == [LetterState.CANCELLED] * 8
    assert [s.code for s in left] == [f"120.{n:03d}" for n in range(8, 12)]
    assert all("iptal" in s.reason for s in left)


async def test_stop_ends_the_sender_and_the_letters_written_stay_queued(
    database: Database, actor: Actor, settings: Settings, tmp_path: Path
) -> None:
    stop = threading.Event()
    stop.set()
    smtp = replace(settings, mail_backend="smtp")
    with running_server() as (server, port):
        keys = accounts_to_send(database, actor, 6, port)
        result = await create_and_send(
            database, smtp, actor, AS_OF, keys, SendOptions(), stop=stop, process_from=None
        )
    assert server.count() == 0 and result.created is not None and result.created.letters == 6
    with database.reader() as session:
        assert set(session.scalars(select(Letter.state))) == {LetterState.QUEUED}


async def test_a_compose_process_that_dies_is_replaced_by_the_thread(
    database: Database, actor: Actor, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_chunks(monkeypatch, 7)
    killed: list[int] = []

    def kill_the_child(progress: SendProgress) -> None:
        for child in multiprocessing.active_children():
            if not killed and child.pid is not None:
                killed.append(child.pid)
                os.kill(child.pid, signal.SIGKILL)

    smtp = replace(settings, mail_backend="smtp")
    with running_server() as (server, port):
        keys = accounts_to_send(database, actor, 60, port)
        result = await create_and_send(
            database,
            smtp,
            actor,
            AS_OF,
            keys,
            SendOptions(),
            on_progress=kill_the_child,
            process_from=1,
        )
    assert killed, "the compose process was running"
    assert result.fill_error is None and result.created is not None
    assert result.created.letters == 60 and not result.created.skipped
    assert server.count() == 60 and set(server.by_message_id().values()) == {1}


async def test_without_a_compose_process_the_thread_composes_everything(
    database: Database, actor: Actor, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def cannot_start(*args: Any, **kwargs: Any) -> None:
        raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr(send_now, "ProcessPoolExecutor", cannot_start)
    keys = accounts_to_send(database, actor, 12)
    result = await create_and_send(
        database, settings, actor, AS_OF, keys, SendOptions(), process_from=1
    )
    assert result.created is not None and result.created.letters == 12
    assert result.report.progress.sent == 12


async def test_a_send_cancelled_halfway_leaves_a_closed_batch_listing_what_was_not_written(
    database: Database, actor: Actor, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_chunks(monkeypatch, 5)
    keys = accounts_to_send(database, actor, 40)
    _slow_compose(monkeypatch)
    task: asyncio.Task[Any] | None = None

    def cancel(progress: SendProgress) -> None:
        assert task is not None
        task.cancel()

    task = asyncio.create_task(
        create_and_send(
            database,
            settings,
            actor,
            AS_OF,
            keys,
            SendOptions(),
            on_progress=cancel,
            process_from=None,
        )
    )
    with pytest.raises(asyncio.CancelledError):
        await task
    with database.reader() as session:
        batch = session.scalars(select(ReconciliationBatch)).one()
        written = session.scalar(select(func.count()).select_from(Letter))
        left = batch_skipped(session, batch.id)
    assert batch.prepared_at is not None and 0 < batch.letter_count == written < 40
    assert len(left) == 40 - written
    assert all(s.reason == "Gönderim durduruldu; mektup yazılmadı." for s in left)


def _slow_compose(monkeypatch: pytest.MonkeyPatch, seconds: float = 0.05) -> None:
    """Each chunk takes a while to compose: the first letters go before the last are
    written (a timing injected so the overlap is certain, not likely)."""
    compose_here = send_now._compose_here

    def slow(*args: Any) -> Any:
        time.sleep(seconds)
        return compose_here(*args)

    monkeypatch.setattr(send_now, "_compose_here", slow)


async def test_sending_starts_before_the_last_letter_is_written(
    database: Database, actor: Actor, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_chunks(monkeypatch, 5)
    _slow_compose(monkeypatch, 0.3)  # 1.8 s of writing: room for a loaded machine
    keys = accounts_to_send(database, actor, 30)
    sent_before_written: list[int] = []
    created: list[BatchCreated] = []

    def progress(now: SendProgress) -> None:
        if not created:
            sent_before_written.append(now.sent)

    result = await create_and_send(
        database,
        settings,
        actor,
        AS_OF,
        keys,
        SendOptions(),
        on_created=created.append,
        on_progress=progress,
        process_from=None,
    )
    assert result.report.progress.sent == 30 and max(sent_before_written) >= 5


async def test_a_cancel_after_the_sender_stopped_still_closes_the_batch(
    database: Database, actor: Actor, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _small_chunks(monkeypatch, 5)
    _slow_compose(monkeypatch, 0.1)
    keys = accounts_to_send(database, actor, 40)
    stop = threading.Event()
    stop.set()  # the sender returns at once; the writing goes on
    task = asyncio.create_task(
        create_and_send(database, settings, actor, AS_OF, keys, SendOptions(), stop=stop)
    )
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    with database.reader() as session:
        batch = session.scalars(select(ReconciliationBatch)).one()
        written = session.scalar(select(func.count()).select_from(Letter))
        left = batch_skipped(session, batch.id)
    assert batch.prepared_at is not None and batch.letter_count == written < 40
    assert len(left) == 40 - written


async def test_a_failure_before_the_writing_starts_closes_the_batch(
    database: Database, actor: Actor, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk I/O error")

    monkeypatch.setattr(send_now, "ThreadPoolExecutor", broken)
    keys = accounts_to_send(database, actor, 3)
    with pytest.raises(OSError, match="disk I/O error"):
        await create_and_send(database, settings, actor, AS_OF, keys, SendOptions())
    with database.reader() as session:
        batch = session.scalars(select(ReconciliationBatch)).one()
        left = batch_skipped(session, batch.id)
    assert batch.prepared_at is not None and batch.state is BatchState.DONE
    assert [s.code for s in left] == ["120.000", "120.001", "120.002"]


async def test_closing_that_fails_once_is_tried_again(
    database: Database, actor: Actor, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_finish = batch_writer.finish_batches
    failures: list[int] = []

    def locked_once(*args: Any) -> Any:
        if not failures:
            failures.append(1)
            raise OSError("database is locked")
        return real_finish(*args)

    monkeypatch.setattr(batch_writer, "finish_batches", locked_once)
    keys = accounts_to_send(database, actor, 3)
    result = await create_and_send(
        database, settings, actor, AS_OF, keys, SendOptions(), process_from=None
    )
    assert failures and result.fill_error == "database is locked"
    assert result.report.progress.sent == 3
    with database.reader() as session:
        batch = session.get(ReconciliationBatch, result.batch_id)
        assert batch is not None and batch.prepared_at is not None


async def test_a_batch_left_half_written_by_a_killed_program_is_closed_later(
    database: Database, actor: Actor, settings: Settings
) -> None:
    keys = accounts_to_send(database, actor, 4)
    writer = start_batch(database, actor, AS_OF, keys, SendOptions())
    batch_id = writer.batch_id
    with database.unit_of_work() as session:
        chunk = writer.compose(session, keys[:2])
        writer.write(session, chunk)  # then the program was killed: no close
    with database.unit_of_work() as session:
        batch = session.get(ReconciliationBatch, batch_id)
        assert batch is not None
        batch.created_at = batch.created_at - dt.timedelta(hours=2)
    await run_worker(database, settings, once=True)
    with database.reader() as session:
        batch = session.get(ReconciliationBatch, batch_id)
        assert batch is not None and batch.state is BatchState.DONE
        assert batch.letter_count == 2 and batch.prepared_at is not None
        sent = session.scalars(select(Letter.state).where(Letter.batch_id == batch_id))
        assert list(sent) == [LetterState.SENT, LetterState.SENT]
