"""The outbox without a mail server: the maildir backend, recovery of a dead sender's
letters, progress, stopping, and the append-only history."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import threading
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.send_data import (
    accounts_to_send,
    add_account,
    add_movement,
    write_batch,
)
from tests.smtp_server import running_server
from tui_mutabakat.config import Settings
from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.outbox_models import (
    HistoryIsAppendOnly,
    Letter,
    LetterEvent,
    Recipient,
    ReconciliationBatch,
)
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.states import BatchState, LetterState, RecipientState
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending import outbox
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.sending.sender import OutboxSender
from tui_mutabakat.services.sending.sender_types import DeliveryOptions, SendProgress
from tui_mutabakat.services.sending.worker import run_worker, send_batch

AS_OF = date(2026, 12, 31)


def _batch(database: Database, actor: Actor, keys: list) -> int:
    created = write_batch(database, actor, AS_OF, keys, SendOptions())
    assert created.batch_id is not None
    return created.batch_id


async def test_file_backend_writes_each_letter_once_into_the_maildir(
    database: Database, actor: Actor, settings: Settings
) -> None:
    keys = accounts_to_send(database, actor, 5)
    batch_id = _batch(database, actor, keys)
    seen: list[SendProgress] = []
    report = await send_batch(database, settings, batch_id, on_progress=seen.append)
    files = sorted((settings.mail_outbox / "new").glob("*.eml"))
    assert report.progress.sent == 5 and len(files) == 5
    assert seen[-1].sent == 5 and seen[-1].total == 5
    with database.reader() as session:
        tokens = set(session.scalars(select(Letter.token)))
        batch = session.get(ReconciliationBatch, batch_id)
        assert batch is not None and batch.state is BatchState.DONE
        assert batch.transport == f"file:{settings.mail_outbox}"
    assert {f.stem.rsplit("-", 1)[0] for f in files} == tokens
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert (
        message["X-Envelope-To"]
        and "TL borç bakiyesi" in message.get_body(("plain",)).get_content()
    )
    # The worker finds nothing more to do; the files stay as they are.
    await run_worker(database, settings, once=True)
    assert sorted((settings.mail_outbox / "new").glob("*.eml")) == files


async def test_a_dead_senders_letters_are_recovered_without_sending_twice(
    database: Database, actor: Actor, settings: Settings
) -> None:
    with running_server() as (server, port):
        keys = accounts_to_send(database, actor, 4, port)
        batch_id = _batch(database, actor, keys)
        dead = outbox.SenderIdentity("deadbeef" * 4, "elsewhere", 1, "worker@elsewhere:1")
        with database.engine.begin() as conn:
            claimed = outbox.claim_letters(
                conn, dead, limit=10, lease=dt.timedelta(seconds=-1), batch_id=batch_id
            )
            # The dead sender had made the first letter's hand-over durable.
            first = claimed[0]
            held = outbox.record_handover(
                conn, dead, [(first, [r.id for r in first.recipients])], utcnow()
            )
            assert held == {first.id}
        report = await send_batch(database, replace(settings, mail_backend="smtp"), batch_id)
    assert report.recovered == 4
    with database.reader() as session:
        first = session.get(Letter, claimed[0].id)
        assert first is not None and first.state is LetterState.SENT
        doubt = session.scalars(select(Recipient).where(Recipient.letter_id == first.id)).one()
        assert doubt.state is RecipientState.ACCEPTED and doubt.in_doubt
        assert set(session.scalars(select(Letter.state))) == {LetterState.SENT}
        first_message_id = first.message_id
    # Taken as delivered by the dead sender: not sent again. The other three go now.
    assert server.count() == 3 and first_message_id not in server.by_message_id()


async def test_stop_leaves_the_rest_queued_and_a_later_run_sends_it(
    database: Database, actor: Actor, settings: Settings
) -> None:
    with running_server() as (server, port):
        keys = accounts_to_send(database, actor, 30, port)
        batch_id = _batch(database, actor, keys)
        stop = threading.Event()

        def stop_after_some(progress: SendProgress) -> None:
            if progress.sent >= 3:
                stop.set()

        smtp = replace(settings, mail_backend="smtp")
        slow = DeliveryOptions(rate_per_minute=600)
        first = await send_batch(
            database, smtp, batch_id, options=slow, on_progress=stop_after_some, stop=stop
        )
        assert first.stopped and 3 <= first.progress.sent < 30
        with database.reader() as session:
            queued = session.scalars(select(Letter).where(Letter.state == LetterState.QUEUED))
            assert len(list(queued)) == 30 - first.progress.sent
        second = await send_batch(database, smtp, batch_id)
    assert first.progress.sent + second.progress.sent == 30
    assert server.count() == 30 and set(server.by_message_id().values()) == {1}


async def test_streaming_creation_commits_chunks_and_the_batch_ends_after_the_last(
    database: Database, actor: Actor, settings: Settings
) -> None:
    keys = accounts_to_send(database, actor, 3)
    created = write_batch(database, actor, AS_OF, keys, SendOptions())
    assert created.letters == 3 and created.batch_id is not None
    await send_batch(database, settings, created.batch_id)
    with database.reader() as session:
        batch = session.get(ReconciliationBatch, created.batch_id)
        assert batch is not None and batch.prepared_at is not None
        assert batch.state is BatchState.DONE and batch.title.startswith("Cari hesap mutabakatı")


def test_history_is_append_only(database: Database, actor: Actor) -> None:
    keys = accounts_to_send(database, actor, 1)
    _batch(database, actor, keys)
    with pytest.raises(HistoryIsAppendOnly), database.unit_of_work() as session:
        event = session.scalars(select(LetterEvent)).first()
        assert event is not None
        event.reason = "rewritten"
        session.flush()
    with pytest.raises(HistoryIsAppendOnly), database.unit_of_work() as session:
        event = session.scalars(select(LetterEvent)).first()
        session.delete(event)
        session.flush()


def test_no_sender_address_refuses_the_batch(database: Database, actor: Actor) -> None:
    from tui_mutabakat.domain.errors import InvalidInput

    with database.unit_of_work() as session:
        account = add_account(session, "120.001", "Alfa", emails=("a@alfa.com",))
        add_movement(session, account, date(2026, 1, 1), debit="5")
        key = (account.id, "TRY")
    with pytest.raises(InvalidInput, match="Gönderen"):
        write_batch(database, actor, AS_OF, [key], SendOptions())


def test_outbox_directory_default(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url="sqlite://")
    assert settings.mail_outbox == tmp_path / "outbox"


async def test_cancel_while_sending_stops_the_rest(
    database: Database, actor: Actor, settings: Settings
) -> None:
    from tui_mutabakat.services.sending.batch_status import cancel_batch, stored_summary

    with running_server() as (server, port):
        keys = accounts_to_send(database, actor, 20, port)
        batch_id = _batch(database, actor, keys)
        cancelled: list[int] = []

        def cancel_after_two(progress: SendProgress) -> None:
            if progress.sent >= 2 and not cancelled:
                with database.unit_of_work() as session:
                    cancelled.append(cancel_batch(session, actor, batch_id))

        report = await send_batch(
            database,
            replace(settings, mail_backend="smtp"),
            batch_id,
            options=DeliveryOptions(rate_per_minute=600, claim_size=4),
            on_progress=cancel_after_two,
        )
    sent = report.progress.sent
    assert cancelled and 2 <= sent < 20 and server.count() == sent
    with database.reader() as session:
        states = list(session.scalars(select(Letter.state)))
        summary = stored_summary(session, batch_id)
        batch = session.get(ReconciliationBatch, batch_id)
        assert batch is not None and batch.state is BatchState.CANCELLED
    assert states.count(LetterState.SENT) == sent
    assert states.count(LetterState.CANCELLED) == 20 - sent
    assert summary.counts == {"sent": sent, "cancelled": 20 - sent}


async def test_a_failing_progress_display_does_not_stop_the_sending(
    database: Database, actor: Actor, settings: Settings
) -> None:
    keys = accounts_to_send(database, actor, 5)
    batch_id = _batch(database, actor, keys)

    def broken(progress: SendProgress) -> None:
        raise BrokenPipeError("the terminal went away")

    report = await asyncio.wait_for(
        send_batch(database, settings, batch_id, on_progress=broken), 30
    )
    assert report.progress.sent == 5


async def test_an_unexpected_journal_failure_ends_the_run_instead_of_hanging(
    database: Database, actor: Actor, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = accounts_to_send(database, actor, 5)
    batch_id = _batch(database, actor, keys)

    def broken(self: OutboxSender, outcomes: list) -> None:
        raise RuntimeError("a bug in the journal")

    monkeypatch.setattr(OutboxSender, "_count", broken)
    with pytest.raises(RuntimeError, match="a bug in the journal"):
        await asyncio.wait_for(send_batch(database, settings, batch_id), 30)
    # What was delivered is recorded; nothing is left claimed for ever.
    with database.reader() as session:
        states = set(session.scalars(select(Letter.state)))
    assert states <= {LetterState.SENT, LetterState.QUEUED, LetterState.SENDING}
