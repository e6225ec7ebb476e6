"""Every outbox state change is a compare-and-set on the letter's claim (token and
generation): a run that lost its letter changes nothing — the interleavings the kill test
(`test_send_chaos.py`) produces at random, here one by one, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select, update

from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tests.smtp_server import RecordingHandler, running_server
from tui_mutabakat.config import Settings
from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.outbox_models import Letter, Recipient
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.states import LetterState, RecipientState
from tui_mutabakat.mail.transport import Delivery, RecipientResult
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending import outbox, recovery
from tui_mutabakat.services.sending.batch_status import cancel_letters
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.sending.outbox import (
    ClaimedLetter,
    LetterOutcome,
    RetryPolicy,
    SenderIdentity,
)
from tui_mutabakat.services.sending.outcomes import record_outcomes
from tui_mutabakat.services.sending.worker import send_batch

LEASE = dt.timedelta(seconds=60)


def one_letter(database: Database, actor: Actor, emails: tuple[str, ...]) -> int:
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, actor.login)
        account = add_account(session, "120.001", "Firma", emails=emails)
        add_movement(session, account, date(2026, 2, 1), debit="100")
    write_batch(database, actor, date(2026, 12, 31), [(account.id, "TRY")], SendOptions())
    with database.reader() as session:
        return session.scalars(select(Letter.id)).one()


def run(name: str) -> SenderIdentity:
    return SenderIdentity(name * 32, "elsewhere", 1, f"worker-{name}")


def claim(
    database: Database, sender: SenderIdentity, lease: dt.timedelta = LEASE
) -> list[ClaimedLetter]:
    with database.engine.begin() as conn:
        return recovery.claim_letters(conn, sender, limit=10, lease=lease)


def holder(database: Database, letter_id: int) -> tuple[str | None, int]:
    with database.reader() as session:
        letter = session.get(Letter, letter_id)
        assert letter is not None
        return letter.claim_token, letter.claim_gen


def test_a_late_recovery_leaves_a_claim_made_in_between(
    any_database: Database, any_actor: Actor
) -> None:
    database = any_database
    letter_id = one_letter(database, any_actor, ("a@firma.com.tr",))
    dead, b, c = run("a"), run("b"), run("c")
    (first,) = claim(database, dead, lease=dt.timedelta(seconds=-1))
    # B and C both read the stale claim; B takes the letter over, C... (the old code reset
    # the letter by its id here, wiping the claim B made in between).
    with database.engine.begin() as conn:
        assert recovery.recover_stale(conn, b, utcnow()) == 1
    (again,) = claim(database, b)
    assert again.generation == first.generation + 1
    with database.engine.begin() as conn:
        # C's take-over, with what it read before: nothing to take.
        assert recovery.recover_stale(conn, c, utcnow()) == 0
        assert recovery._take_over(conn, letter_id, dead.token, first.generation) is None
    assert holder(database, letter_id) == (b.token, again.generation)


def test_a_lost_claim_writes_no_handover_no_outcome_and_no_release(
    any_database: Database, any_actor: Actor
) -> None:
    database = any_database
    letter_id = one_letter(database, any_actor, ("a@firma.com.tr",))
    slow, other = run("s"), run("o")
    (letter,) = claim(database, slow, lease=dt.timedelta(seconds=-1))
    with database.engine.begin() as conn:
        assert recovery.recover_stale(conn, other, utcnow()) == 1
    (taken,) = claim(database, other)
    (rid,) = [r.id for r in letter.recipients]
    now = utcnow()
    with database.engine.begin() as conn:
        # The slow run's hand-over: refused, so its final "." is never written.
        assert outbox.record_handover(conn, slow, [(letter, [rid])], now) == set()
        outcome = LetterOutcome(
            letter, Delivery([RecipientResult(rid, RecipientState.ACCEPTED, 250, "ok")])
        )
        record_outcomes(conn, slow, [outcome], RetryPolicy(), now)
        assert outcome.lost
        outbox.release_letters(conn, slow, [letter], "stop", now)
    with database.reader() as session:
        person = session.get(Recipient, rid)
        assert person is not None
        assert (person.state, person.handover_at) == (RecipientState.QUEUED, None)
        stored = session.get(Letter, letter_id)
        assert stored is not None and stored.state is LetterState.SENDING
    assert holder(database, letter_id) == (other.token, taken.generation)
    # The holder's own changes go through.
    with database.engine.begin() as conn:
        assert outbox.record_handover(conn, other, [(taken, [rid])], now) == {letter_id}


def test_a_claim_never_resends_a_saved_handover(any_database: Database, any_actor: Actor) -> None:
    database = any_database
    letter_id = one_letter(database, any_actor, ("a@firma.com.tr", "b@firma.com.tr"))
    dead, later = run("d"), run("l")
    (letter,) = claim(database, dead)
    first, second = letter.recipients
    with database.engine.begin() as conn:
        assert outbox.record_handover(conn, dead, [(letter, [first.id])], utcnow()) == {letter_id}
        # The letter is let go without its hand-over being resolved (what a reset by id
        # did): a later claim must not send `first` again.
        conn.execute(
            update(Letter)
            .where(Letter.id == letter_id)
            .values(claim_token=None, claimed_by="", lease_until=None)
        )
    assert claim(database, later) == []
    with database.reader() as session:
        person = session.get(Recipient, first.id)
        assert person is not None
        assert person.state is RecipientState.ACCEPTED and person.in_doubt
    (again,) = claim(database, later)
    assert [r.id for r in again.recipients] == [second.id]


def test_cancelling_a_letter_is_a_compare_and_set_too(
    any_database: Database, any_actor: Actor
) -> None:
    database = any_database
    letter_id = one_letter(database, any_actor, ("a@firma.com.tr",))
    sender = run("h")
    (held,) = claim(database, sender)
    with database.unit_of_work() as session:
        # Held by a sender: left alone (the sender finishes it).
        assert cancel_letters(session, any_actor, [letter_id], "iptal") == 0
    with database.engine.begin() as conn:
        outbox.release_letters(conn, sender, [held], "stop", utcnow())
    with database.unit_of_work() as session:
        assert cancel_letters(session, any_actor, [letter_id], "iptal") == 1
    # Never due again: no sender claims it.
    assert claim(database, run("n")) == []
    with database.reader() as session:
        letter = session.get(Letter, letter_id)
        assert letter is not None and letter.state is LetterState.CANCELLED
        assert letter.next_attempt_at is None


@dataclass
class StealingHandler(RecordingHandler):
    """While the sender is between RCPT and the final ".", another run takes its letter
    over (what a recovery does to a run it judged dead)."""

    database: Database | None = None

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        assert self.database is not None
        with self.database.engine.begin() as conn:
            conn.execute(update(Letter).values(claim_token="t" * 32, claimed_by="thief"))
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)


async def test_a_sender_that_lost_its_claim_never_writes_the_final_dot(
    database: Database, actor: Actor, settings: Settings
) -> None:
    letter_id = one_letter(database, actor, ("a@firma.com.tr",))
    handler = StealingHandler(database=database)
    with running_server(handler) as (server, port):
        with database.unit_of_work() as session:
            configure_sender(session, actor.login, host="127.0.0.1", port=port)
        with database.reader() as session:
            batch_id = session.scalars(select(Letter.batch_id)).one()
        report = await send_batch(database, replace(settings, mail_backend="smtp"), batch_id)
    # The message was never completed: the server kept nothing.
    assert server.count() == 0
    assert report.lost_claims == 1 and report.progress.sent == 0
    with database.reader() as session:
        person = session.scalars(select(Recipient).where(Recipient.letter_id == letter_id)).one()
        assert person.handover_at is None and person.state is RecipientState.QUEUED
    assert holder(database, letter_id)[0] == "t" * 32
