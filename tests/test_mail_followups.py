"""A resend and a reminder are new messages (issue 9 point 5): each has its own Message-ID,
names the earlier ones in In-Reply-To/References and carries the same reply token; an
answer to any of them — even one that refers to it by Message-ID alone — finds the letter.
Delivered through a real aiosmtpd, read back by the intake."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import select

from tests.mail_samples import Original, plain_reply, postfix_dsn
from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tests.smtp_server import Received, running_server
from tui_mutabakat.config import Settings
from tui_mutabakat.data.outbox_models import Letter
from tui_mutabakat.data.session import Database
from tui_mutabakat.data.tracking_models import SentMessageId
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.mail.answers import read_message
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.sending.worker import send_batch
from tui_mutabakat.services.tracking.intake import process_message
from tui_mutabakat.services.tracking.letter_rows import LetterLookup
from tui_mutabakat.services.tracking.reminders import send_reminders
from tui_mutabakat.services.tracking.resend import resend_letters

ANSWER_BY = date(2027, 1, 31)


async def _deliver(database: Database, actor: Actor, settings: Settings, batch_id: int) -> Received:
    with running_server() as (server, port):
        with database.unit_of_work() as session:
            configure_sender(session, actor.login, host="127.0.0.1", port=port)
        await send_batch(database, replace(settings, mail_backend="smtp"), batch_id)
        assert len(server.received) == 1
        return server.received[0]


async def _one_letter(database: Database, actor: Actor, settings: Settings) -> Received:
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, actor.login)
        account = add_account(session, "120.1", "Firma", emails=("f@x.com",))
        add_movement(session, account, date(2026, 3, 1), debit="100")
    created = write_batch(
        database,
        actor,
        date(2026, 12, 31),
        [(account.id, "TRY")],
        SendOptions(answer_by=ANSWER_BY),
    )
    assert created.batch_id is not None
    return await _deliver(database, actor, settings, created.batch_id)


def _bounce(database: Database, received: Received) -> None:
    message = received.message
    with database.unit_of_work() as session:
        bounce = postfix_dsn(
            Original(
                str(message["Subject"]), received.message_id, "", "a@b.c", received.rcpt_tos[0]
            )
        )
        assert process_message(session, bounce).state is LetterState.BOUNCED


def _reply_by_id_only(message_id: str) -> bytes:
    """A reply that carries no token at all: a subject rewritten, and In-Reply-To only."""
    return plain_reply(Original("Bakiye", message_id, "", "a@b.c", "f@x.com"), "Mutabıkız")


async def test_every_resend_is_a_new_message_that_answers_find(
    any_database: Database, any_actor: Actor, settings: Settings
) -> None:
    database, actor = any_database, any_actor
    first = await _one_letter(database, actor, settings)
    with database.reader() as session:
        letter = session.scalars(select(Letter)).one()
        letter_id, token, batch_id = letter.id, letter.token, letter.batch_id
    assert first.message_id == letter.message_id and "In-Reply-To" not in first.message
    seen = [first.message_id]
    received = first
    for _round in range(2):
        _bounce(database, received)
        received = await _resend(database, actor, settings, letter_id, batch_id)
        message = received.message
        assert received.message_id not in seen
        assert str(message["In-Reply-To"]) == seen[0]
        assert str(message["References"]).split() == seen
        assert str(message["X-Mutabakat-Token"]) == token and token in str(message["Subject"])
        seen.append(received.message_id)
    with database.reader() as session:
        stored = list(session.scalars(select(SentMessageId.message_id).order_by(SentMessageId.id)))
        assert stored == seen[1:]
        # Found by Message-ID alone (the token stripped from what the reader saw).
        for message_id in seen:
            read = replace(read_message(_reply_by_id_only(message_id)), tokens=())
            found = LetterLookup(session, [read]).find(read)
            assert found is not None and found.id == letter_id
    with database.unit_of_work() as session:
        result = process_message(session, _reply_by_id_only(seen[-1]))
        assert result.letter_id == letter_id and result.state is LetterState.AGREED


async def _resend(
    database: Database, actor: Actor, settings: Settings, letter_id: int, batch_id: int
) -> Received:
    with database.unit_of_work() as session:
        assert resend_letters(session, actor, [letter_id], corrected=False).queued == [letter_id]
    return await _deliver(database, actor, settings, batch_id)


async def test_a_reminder_names_the_letter_and_its_answer_finds_it(
    any_database: Database, any_actor: Actor, settings: Settings
) -> None:
    database, actor = any_database, any_actor
    first = await _one_letter(database, actor, settings)
    today = ANSWER_BY - timedelta(days=3)
    with database.unit_of_work() as session:
        letter = session.scalars(select(Letter)).one()
        letter_id, token = letter.id, letter.token
        assert send_reminders(session, actor, [letter_id], today) == [letter_id]
        reminder = session.scalars(select(Letter).where(Letter.id != letter_id)).one()
        reminder_batch = reminder.batch_id
    received = await _deliver(database, actor, settings, reminder_batch)
    message = received.message
    assert received.message_id not in (first.message_id, "")
    assert str(message["In-Reply-To"]) == first.message_id
    assert str(message["References"]).split() == [first.message_id]
    assert str(message["X-Mutabakat-Token"]) == token
    with database.reader() as session:
        read = replace(read_message(_reply_by_id_only(received.message_id)), tokens=())
        found = LetterLookup(session, [read]).find(read)
        # The letter reminded of, not the reminder's own outbox row.
        assert found is not None and found.id == letter_id
    with database.unit_of_work() as session:
        result = process_message(session, _reply_by_id_only(received.message_id))
        assert result.letter_id == letter_id and result.state is LetterState.AGREED
