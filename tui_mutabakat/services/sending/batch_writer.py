"""Writing a batch's letters into the outbox, chunk by chunk (SPEC D4–D6).

A send is planned once (`SendPlan`: who, as of when, which rows, with which options and
the composer built for them) and the plan goes down the whole path. A chunk is composed
(balances read, every letter checked, rendered and its MIME message built: `compose_chunk`,
reads only) and then written (`BatchWriter.write`, one transaction); the two halves can run
in different threads or processes. `write_chunks` does both in turn; `send_now` overlaps
them with the sender.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date

from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm import Session

from tui_mutabakat.data.balance_queries import BalanceKey
from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.driver_sql import DriverStatement
from tui_mutabakat.data.models import Account
from tui_mutabakat.data.outbox_models import (
    Letter,
    LetterBalance,
    LetterMessage,
    Recipient,
    ReconciliationBatch,
)
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.history import reason as history_reason
from tui_mutabakat.domain.states import BatchState, LetterState, RecipientState
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.services.context import Actor, record
from tui_mutabakat.services.sending.batch_status import cancel_batch, finish_batches
from tui_mutabakat.services.sending.compose import (
    BatchCreated,
    Composer,
    Prepared,
    SendOptions,
    SkippedAccount,
    letter_data,
    letter_keys,
    prepare,
)
from tui_mutabakat.services.sending.outbox import (
    letter_event,
    recipient_event,
    write_letter_events,
    write_recipient_events,
)

#: Letters per chunk: one transaction, and what a sender may start on while the rest
#: is being written.
CHUNK = 500
FIRST_CHUNK = 100


@dataclass(frozen=True, slots=True)
class SendPlan:
    """What one send writes, checked once: the same for opening the batch, composing its
    chunks (here or in a child process) and writing them."""

    actor: Actor
    as_of: date
    #: The selected (account, currency) rows, after the duplicate guard.
    keys: tuple[BalanceKey, ...]
    options: SendOptions
    #: Built for `actor`, `as_of` and `options` (loads the template, the sender and the
    #: company; refuses bad options with `InvalidInput`).
    composer: Composer

    @classmethod
    def build(
        cls,
        session: Session,
        actor: Actor,
        as_of: date,
        keys: Sequence[BalanceKey],
        options: SendOptions,
    ) -> SendPlan:
        return cls(actor, as_of, tuple(keys), options, Composer(session, actor, as_of, options))


def write_chunks(database: Database, writer: BatchWriter) -> BatchCreated:
    """Compose and commit `writer`'s letters chunk by chunk, then close the batch; a chunk
    that fails abandons the batch (the committed letters stay queued) and is raised."""
    try:
        for part in writer.parts():
            with database.reader() as session:
                chunk = writer.compose(session, part)
            if not writer.commit(database, chunk):
                break
    except BaseException as exc:
        writer.abandon(database, exc)
        raise
    return writer.finish(database)


@dataclass(frozen=True, slots=True)
class ComposedChunk:
    """The letters of one chunk, rendered and built, ready to insert (picklable: a child
    process composes, the sender's process writes)."""

    prepared: list[Prepared]
    skipped: list[SkippedAccount]
    warnings: list[SkippedAccount]

    @property
    def first_subject(self) -> str:
        return str(self.prepared[0][0]["subject"]) if self.prepared else ""


class BatchWriter:
    """Fills one opened batch, chunk by chunk, and closes it."""

    def __init__(self, plan: SendPlan, batch_id: int) -> None:
        self.plan = plan
        self.batch_id = batch_id
        #: The letters to write: one per account, or per (account, currency).
        self.keys = letter_keys(plan.keys, plan.options)
        self.skipped: list[SkippedAccount] = []
        self.warnings: list[SkippedAccount] = []
        self.letters = 0
        self.first_subject = ""
        first, rest = self.keys[:FIRST_CHUNK], self.keys[FIRST_CHUNK:]
        chunks = [first] + [rest[i : i + CHUNK] for i in range(0, len(rest), CHUNK)]
        #: The chunks not written yet, in order; `take` removes the first.
        self.pending: list[list[BalanceKey]] = [part for part in chunks if part]
        #: The batch's closing transaction has committed (`finish`).
        self.closed = False

    def parts(self) -> list[list[BalanceKey]]:
        """The chunks to write, in order; the first is small, so the first letters leave
        soon."""
        return list(self.pending)

    def compose(self, session: Session, part: list[BalanceKey]) -> ComposedChunk:
        return compose_chunk(session, self.plan.composer, part)

    def commit(self, database: Database, chunk: ComposedChunk) -> bool:
        """Write the chunk in a transaction of its own and count it. If the batch was
        cancelled meanwhile, write nothing, list the rest among the skipped and return
        `False`."""
        with database.unit_of_work() as session:
            if cancel_requested(session, self.batch_id):
                self.leave_out_rest(cancelled_while_writing())
                return False
            self.write(session, chunk)
        self.take(chunk)
        return True

    def write(self, session: Session, chunk: ComposedChunk) -> None:
        """Insert the chunk's letters, all `queued`; `take` counts them after the commit."""
        insert_letters(session, self.plan.actor, self.batch_id, chunk.prepared)

    def finish(self, database: Database) -> BatchCreated:
        """Close the batch in a transaction of its own (`close`)."""
        with database.unit_of_work() as session:
            created = self.close(session)
        self.closed = True
        return created

    def abandon(self, database: Database, why: BaseException) -> None:
        """Writing stopped (an error, or the send was stopped): close the batch, with the
        accounts not written yet listed among the skipped with the reason; the letters
        already written stay queued and go out. Safe to call again if closing failed."""
        if self.closed:
            return
        if isinstance(why, asyncio.CancelledError):
            reason = _("Gönderim durduruldu; mektup yazılmadı.")
        else:
            reason = _("Hazırlık yarıda kesildi, mektup yazılmadı: {error}").format(
                error=str(why) or type(why).__name__
            )
        self.leave_out_rest(reason)
        self.finish(database)

    def leave_out_rest(self, reason: str) -> None:
        """List the accounts not written yet among the skipped: they get no letter."""
        left = [key for part in self.pending for key in part]
        self.skipped += [SkippedAccount(a, "", "", c, reason) for a, c in left]
        self.pending = []

    def take(self, chunk: ComposedChunk) -> None:
        """Count the first pending chunk once its transaction has committed."""
        self.pending.pop(0)
        self.letters += len(chunk.prepared)
        self.skipped += chunk.skipped
        self.warnings += chunk.warnings
        self.first_subject = self.first_subject or chunk.first_subject

    def close(self, session: Session) -> BatchCreated:
        """Mark the batch written (`prepared_at`) in `session`: from now on it can end."""
        batch = session.get(ReconciliationBatch, self.batch_id)
        assert batch is not None
        now = utcnow()
        if not self.plan.options.title.strip() and self.first_subject:
            batch.title = self.first_subject.rsplit(" [", 1)[0][:400]
        batch.letter_count = self.letters
        skipped = _with_names(session, self.skipped)
        # The error list keeps the invalid addresses left out beside valid ones too.
        listed = [asdict(s) for s in skipped + self.warnings]
        batch.skipped = json.dumps(listed, ensure_ascii=False)
        batch.prepared_at = now
        if not self.letters:
            batch.state = BatchState.CANCELLED if batch.cancel_requested else BatchState.DONE
            batch.finished_at = now
        session.flush()
        record(
            session,
            self.plan.actor,
            "create",
            "batch",
            self.batch_id,
            _("{letters} kuyrukta, {skipped} atlandı").format(
                letters=ngettext("{count} mektup", "{count} mektup", self.letters).format(
                    count=self.letters
                ),
                skipped=ngettext("{count} hesap", "{count} hesap", len(self.skipped)).format(
                    count=len(self.skipped)
                ),
            ),
        )
        if batch.cancel_requested:
            # Cancelled while being written: a chunk that committed after the cancel
            # queued letters the cancel did not see.
            cancel_batch(session, self.plan.actor, self.batch_id)  # which also finishes it
        else:
            finish_batches(session.connection(), {self.batch_id}, now)
        return BatchCreated(self.batch_id, self.letters, skipped, self.warnings)


def compose_chunk(session: Session, composer: Composer, part: list[BalanceKey]) -> ComposedChunk:
    """Check and render the letters of `part` (letter keys, reads only)."""
    data = letter_data(session, composer, part)
    chunk = ComposedChunk([], [], [])
    for key in part:
        letter, why, warning = prepare(composer, key, data)
        if letter is None:
            if why is not None:
                chunk.skipped.append(why)
            continue
        if warning is not None:
            chunk.warnings.append(warning)
        chunk.prepared.append(letter)
    return chunk


def _insert_of(model: type[LetterBalance | LetterMessage], *names: str) -> DriverStatement:
    return DriverStatement(insert(model).values({name: bindparam(name) for name in names}))


#: The rows written with each letter that nothing reads back: through the driver.
_BALANCES = _insert_of(
    LetterBalance,
    "letter_id",
    "currency",
    "position",
    "debit_total",
    "credit_total",
    "balance",
    "side",
)
_MESSAGES = _insert_of(LetterMessage, "letter_id", "message")


def insert_letters(
    session: Session,
    actor: Actor,
    batch_id: int,
    prepared: list[Prepared],
) -> None:
    now = utcnow()
    conn = session.connection()
    reason = history_reason("queued")
    for start in range(0, len(prepared), CHUNK):
        part = prepared[start : start + CHUNK]
        letter_rows = [
            {
                **{k: v for k, v in letter.items() if k not in ("message", "balances")},
                "batch_id": batch_id,
                "state": LetterState.QUEUED,
                "state_at": now,
                "next_attempt_at": now,
                "created_at": now,
                "attempts": 0,
                "claimed_by": "",
                "last_error": "",
            }
            for letter, _r in part
        ]
        # RETURNING in parameter order makes SQLite insert one row per statement; the
        # token is unique, so the ids are matched by it instead (one statement a chunk).
        inserted = conn.execute(insert(Letter).returning(Letter.token, Letter.id), letter_rows)
        by_token = {token: letter_id for token, letter_id in inserted}
        ids = [by_token[letter["token"]] for letter, _r in part]
        _BALANCES.executemany(
            conn,
            [
                {**balance, "letter_id": letter_id}
                for letter_id, (letter, _r) in zip(ids, part, strict=True)
                for balance in letter["balances"]
            ],
        )
        _MESSAGES.executemany(
            conn,
            [
                {"letter_id": letter_id, "message": letter["message"]}
                for letter_id, (letter, _r) in zip(ids, part, strict=True)
            ],
        )
        recipient_rows = [
            {
                **recipient,
                "letter_id": letter_id,
                "state": RecipientState.QUEUED,
                "smtp_answer": "",
                "attempts": 0,
                "in_doubt": False,
            }
            for letter_id, (_l, recipients) in zip(ids, part, strict=True)
            for recipient in recipients
        ]
        # Every recipient gets the same first event: their ids are needed, not their order.
        recipient_ids = conn.execute(insert(Recipient).returning(Recipient.id), recipient_rows)
        write_letter_events(
            conn,
            [
                letter_event(i, actor.login, None, LetterState.QUEUED.value, reason, now)
                for i in ids
            ],
        )
        write_recipient_events(
            conn,
            [
                recipient_event(
                    i, actor.login, None, RecipientState.QUEUED.value, None, reason, now
                )
                for i in recipient_ids.scalars()
            ],
        )


def _with_names(session: Session, skipped: list[SkippedAccount]) -> list[SkippedAccount]:
    """Fill in the code and title of accounts left out before their chunk was read."""
    unnamed = {s.account_id for s in skipped if not s.code}
    if not unnamed:
        return skipped
    statement = select(Account.id, Account.code, Account.title).where(Account.id.in_(unnamed))
    names = {row.id: (row.code, row.title) for row in session.execute(statement)}
    return [
        replace(s, code=names[s.account_id][0], title=names[s.account_id][1])
        if not s.code and s.account_id in names
        else s
        for s in skipped
    ]


def cancel_requested(session: Session, batch_id: int) -> bool:
    statement = select(ReconciliationBatch.cancel_requested).where(
        ReconciliationBatch.id == batch_id
    )
    return bool(session.scalar(statement))


def cancelled_while_writing() -> str:
    """The reason for accounts left out because the batch was cancelled while written."""
    return _("Gönderim iptal edildi; mektup yazılmadı.")
