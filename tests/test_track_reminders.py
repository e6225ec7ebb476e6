"""Reminders go through the outbox (aiosmtpd receives them), never twice a day, never to an
answered letter, and carry the original's token; letters past the date become no_answer,
and a late answer still counts. Plus manual answers and decisions refused when they must be."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.mail_samples import Original, plain_reply, postfix_dsn
from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tests.smtp_server import running_server
from tui_mutabakat.cli_worker import worker_main
from tui_mutabakat.config import Settings
from tui_mutabakat.data.models import Contact
from tui_mutabakat.data.outbox_models import (
    Letter,
    LetterEvent,
    Recipient,
    ReconciliationBatch,
)
from tui_mutabakat.data.session import Database
from tui_mutabakat.data.tracking_models import LetterReminder
from tui_mutabakat.domain.errors import InvalidInput, Refused
from tui_mutabakat.domain.states import LetterState, RecipientState
from tui_mutabakat.mail.answers import read_message
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.sending.worker import send_batch
from tui_mutabakat.services.settings.working_settings import get_working_settings
from tui_mutabakat.services.tracking.intake import process_message
from tui_mutabakat.services.tracking.mailbox import read_maildir
from tui_mutabakat.services.tracking.reminders import (
    due_reminders,
    expire_overdue,
    run_daily,
    send_reminders,
)
from tui_mutabakat.services.tracking.resend import resend_letters
from tui_mutabakat.services.tracking.tracking import (
    batch_counts,
    decide_unclear,
    latest_answer,
    record_manual_answer,
    tracking_batches,
)
from tui_mutabakat.services.tracking.tracking_worker import track_once

ANSWER_BY = date(2027, 1, 31)


async def _sent(database: Database, actor: Actor, settings: Settings) -> tuple[int, list[int]]:
    with running_server() as (_server, port):
        with database.unit_of_work() as session:
            add_company(session)
            configure_sender(session, actor.login, host="127.0.0.1", port=port)
            keys = []
            for index in range(3):
                account = add_account(
                    session, f"120.{index}", f"Firma {index}", emails=(f"f{index}@x.com",)
                )
                add_movement(session, account, date(2026, 3, 1), debit=f"{100 * (index + 1)}")
                keys.append((account.id, "TRY"))
        created = write_batch(
            database, actor, date(2026, 12, 31), keys, SendOptions(answer_by=ANSWER_BY)
        )
        assert created.batch_id is not None
        await send_batch(database, replace(settings, mail_backend="smtp"), created.batch_id)
    with database.reader() as session:
        ids = list(session.scalars(select(Letter.id).order_by(Letter.id)))
    return created.batch_id, ids


async def test_reminders_are_sent_once_a_day_to_unanswered_letters(
    any_database: Database, any_actor: Actor, settings: Settings
) -> None:
    database, actor = any_database, any_actor
    batch_id, (first, second, third) = await _sent(database, actor, settings)
    with database.unit_of_work() as session:
        letter = session.get(Letter, first)
        assert letter is not None
        raw = plain_reply(
            Original(letter.subject, letter.message_id, letter.token, "a@b.c", "f0@x.com"),
            "Mutabıkız",
        )
        process_message(session, raw)
    too_early = ANSWER_BY - timedelta(days=8)
    today = ANSWER_BY - timedelta(days=3)
    with database.unit_of_work() as session:
        assert due_reminders(session, too_early) == []
        assert due_reminders(session, today) == [second, third]
        assert send_reminders(session, actor, [first, second, third], today) == [second, third]
    with database.unit_of_work() as session:
        # The same day again: nothing; the automatic run finds none due either.
        assert send_reminders(session, actor, [second, third], today) == []
        assert due_reminders(session, today + timedelta(days=1)) == []
        assert session.scalar(select(func.count()).select_from(LetterReminder)) == 2
        reminder_batch = session.scalars(
            select(ReconciliationBatch).where(ReconciliationBatch.id != batch_id)
        ).one()
        assert [b.id for b in tracking_batches(session)] == [batch_id]
    with running_server() as (server, port):
        with database.unit_of_work() as session:
            configure_sender(session, actor.login, host="127.0.0.1", port=port)
        await send_batch(database, replace(settings, mail_backend="smtp"), reminder_batch.id)
        assert sorted(r.rcpt_tos[0] for r in server.received) == ["f1@x.com", "f2@x.com"]
        received = server.received[0].message
    with database.reader() as session:
        original = session.get(Letter, second if "f1" in str(received["To"]) else third)
        assert original is not None
        assert original.token in str(received["Subject"])
        assert str(received["Subject"]).startswith("Hatırlatma")
        # An answer to the reminder is the answer to the original letter.
        read = read_message(
            plain_reply(
                Original(
                    str(received["Subject"]),
                    str(received["Message-ID"]),
                    original.token,
                    "a@b.c",
                    str(received["To"]),
                ),
                "Mutabık değiliz, 1.000,00 TL",
            )
        )
        assert read.tokens[0] == original.token
    with database.unit_of_work() as session:
        result = process_message(
            session,
            plain_reply(
                Original(str(received["Subject"]), str(received["Message-ID"]), "", "a@b.c", "x"),
                "Mutabık değiliz, 1.000,00 TL",
            ),
        )
        assert result.letter_id == original.id
        assert result.state is LetterState.DISAGREED
        counts = batch_counts(session, [batch_id])[batch_id]
        assert counts["agreed"] == 1 and counts["disagreed"] == 1 and counts["sent"] == 1


async def test_past_the_date_no_answer_and_a_late_answer_still_counts(
    any_database: Database, any_actor: Actor, settings: Settings
) -> None:
    database, actor = any_database, any_actor
    _batch, (first, second, _third) = await _sent(database, actor, settings)
    with database.unit_of_work() as session:
        assert expire_overdue(session, ANSWER_BY) == []
        expired, reminded = run_daily(session, ANSWER_BY + timedelta(days=1))
        assert len(expired) == 3 and reminded == []
    with database.unit_of_work() as session:
        assert expire_overdue(session, ANSWER_BY + timedelta(days=2)) == []
        letter = session.get(Letter, first)
        assert letter is not None and letter.state is LetterState.NO_ANSWER
        raw = plain_reply(
            Original(letter.subject, letter.message_id, letter.token, "a@b.c", "f0@x.com"),
            "Geç oldu ama mutabıkız.",
        )
        assert process_message(session, raw).state is LetterState.AGREED
        record_manual_answer(session, actor, second, "disagreed", Decimal("12.5"), "", "paper")
        events = session.scalars(
            select(LetterEvent).where(LetterEvent.letter_id == first).order_by(LetterEvent.id)
        ).all()
        assert [(e.from_state, e.to_state, e.actor) for e in events[-2:]] == [
            ("sent", "no_answer", "worker"),
            ("no_answer", "agreed", "mailbox"),
        ]


async def test_decisions_and_manual_answers_are_checked(
    database: Database, actor: Actor, settings: Settings
) -> None:
    _batch, (first, _second, _third) = await _sent(database, actor, settings)
    with database.unit_of_work() as session:
        with pytest.raises(Refused):
            decide_unclear(session, actor, first, "agreed")
        with pytest.raises(InvalidInput):
            record_manual_answer(session, actor, first, "unclear")
        with pytest.raises(InvalidInput):
            record_manual_answer(session, actor, first, "agreed", channel="fax")
        with pytest.raises(InvalidInput):
            record_manual_answer(session, actor, first, "disagreed", Decimal("-5"))
        letter = session.get(Letter, first)
        assert letter is not None
        ours = abs(letter.balance)
        with pytest.raises(InvalidInput, match="Mutabık değiliz"):
            record_manual_answer(session, actor, first, "agreed", ours + Decimal("0.01"))
        record_manual_answer(session, actor, first, "agreed", ours)


async def test_the_demo_maildir_stands_in_for_the_mailbox(
    database: Database, actor: Actor, settings: Settings, tmp_path: Path
) -> None:
    _batch, (first, second, _third) = await _sent(database, actor, settings)
    inbox = tmp_path / "inbox"
    (inbox / "new").mkdir(parents=True)
    (inbox / "cur").mkdir()
    with database.reader() as session:
        one, two = session.get(Letter, first), session.get(Letter, second)
        assert one is not None and two is not None
        answer = plain_reply(
            Original(one.subject, one.message_id, one.token, "a@b.c", "f0@x.com"),
            "Mutabık değiliz, kayıtlarımızda 12.345,67 TL",
        )
        bounce = postfix_dsn(Original(two.subject, two.message_id, two.token, "a@b.c", "f1@x.com"))
    (inbox / "new" / "1.eml").write_bytes(answer)
    (inbox / "cur" / "2.eml").write_bytes(bounce)
    run = read_maildir(database, inbox)
    assert run.outcomes == {"answer": 1, "bounce": 1} and run.news == 2
    assert read_maildir(database, inbox).outcomes == {"duplicate": 2}
    assert sorted(p.name for p in inbox.rglob("*.eml")) == ["1.eml", "2.eml"]
    with database.reader() as session:
        assert session.get(Letter, first).state is LetterState.DISAGREED  # type: ignore[union-attr]
        assert session.get(Letter, second).state is LetterState.BOUNCED  # type: ignore[union-attr]
        assert latest_answer(session, first).their_balance == Decimal("12345.67")  # type: ignore[union-attr]


async def test_a_bounced_letter_is_resent_to_the_corrected_address(
    any_database: Database, any_actor: Actor, settings: Settings
) -> None:
    database, actor = any_database, any_actor
    _batch, (first, second, _third) = await _sent(database, actor, settings)
    with database.unit_of_work() as session:
        one = session.get(Letter, first)
        assert one is not None
        bounce = postfix_dsn(Original(one.subject, one.message_id, one.token, "a@b.c", "f0@x.com"))
        assert process_message(session, bounce).state is LetterState.BOUNCED
        contact = session.scalars(select(Contact).where(Contact.email == "f0@x.com")).one()
        contact.email = "dogru@x.com"
        refused = resend_letters(session, actor, [second])
        assert refused.queued == [] and refused.skipped[0][0] == second
        assert resend_letters(session, actor, [first]).queued == [first]
        assert session.get(Letter, first).state is LetterState.QUEUED  # type: ignore[union-attr]
    with running_server() as (server, port):
        with database.unit_of_work() as session:
            configure_sender(session, actor.login, host="127.0.0.1", port=port)
            batch_id = session.get(Letter, first).batch_id  # type: ignore[union-attr]
        await send_batch(database, replace(settings, mail_backend="smtp"), batch_id)
        assert [r.rcpt_tos for r in server.received] == [("dogru@x.com",)]
        message = server.received[0].message
        assert "dogru@x.com" in str(message["To"]) and "f0@x.com" not in str(message["To"])
        # A new message: its own Message-ID, naming the first one, the same reply token.
        assert str(message["Message-ID"]) != one.message_id
        assert str(message["In-Reply-To"]) == one.message_id
        assert str(message["X-Mutabakat-Token"]) == one.token
    with database.reader() as session:
        letter = session.get(Letter, first)
        assert letter is not None and letter.state is LetterState.SENT
        states = {
            r.address: r.state
            for r in session.scalars(select(Recipient).where(Recipient.letter_id == first))
        }
        assert states == {
            "f0@x.com": RecipientState.BOUNCED,
            "dogru@x.com": RecipientState.ACCEPTED,
        }


def test_the_worker_reads_the_demo_inbox_once(
    database: Database, actor: Actor, settings: Settings
) -> None:
    # Not async: the worker installs signal handlers, which only the main thread may.
    _batch, (first, _second, _third) = asyncio.run(_sent(database, actor, settings))
    with database.reader() as session:
        one = session.get(Letter, first)
        assert one is not None
        answer = plain_reply(
            Original(one.subject, one.message_id, one.token, "a@b.c", "f0@x.com"), "Mutabıkız"
        )
    (settings.data_dir / "inbox" / "new").mkdir(parents=True)
    (settings.data_dir / "inbox" / "new" / "a.eml").write_bytes(answer)
    file_settings = replace(settings, mail_backend="file")
    assert worker_main(["--once", "--no-migrate"], file_settings) == 0
    with database.reader() as session:
        assert session.get(Letter, first).state is LetterState.AGREED  # type: ignore[union-attr]
    report = track_once(database, file_settings, today=ANSWER_BY + timedelta(days=1))
    assert report.runs[f"file:{settings.data_dir / 'inbox'}"].outcomes == {"duplicate": 1}
    assert len(report.expired) == 2 and report.errors == []


async def test_no_reminder_on_the_day_the_letter_went_out(
    database: Database, actor: Actor, settings: Settings
) -> None:
    _batch_id, (first, _second, _third) = await _sent(database, actor, settings)
    with database.unit_of_work() as session:
        get_working_settings(session).reminder_days_before = 10_000
    with database.reader() as session:
        letter = session.get(Letter, first)
        assert letter is not None and letter.sent_at is not None
        sent_day = letter.sent_at.date()
        assert due_reminders(session, sent_day) == []
        assert first in due_reminders(session, sent_day + timedelta(days=1))
