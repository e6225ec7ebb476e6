"""The outbox's bookkeeping in the database: claim, hand over, release, renew.

(What the server answered is written by `outcomes.py`; a dead run's letters are resolved
by `recovery.py`.)

Plain functions over one `Connection` in the caller's transaction, so the sender can group
many letters into one commit. Every state change writes its history event in the same
transaction (SPEC E7).

Claiming: `UPDATE letter … WHERE id IN (SELECT … LIMIT n [FOR UPDATE SKIP LOCKED])` with
the run's claim token and the next claim generation. On PostgreSQL, `SKIP LOCKED` lets
several workers take disjoint letters; on SQLite the single writer makes the same
statement atomic.

Every later change a run makes to a letter it claimed (hand-over, outcome, release) is a
compare-and-set: it first locks the letters whose `claim_token` and `claim_gen` are still
its own (`held_letters`) and changes only those, so a run that lost its claim changes
nothing (see `services/sending/sender.py`).
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import socket
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    Update,
    bindparam,
    case,
    exists,
    func,
    insert,
    select,
    update,
)

from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.driver_sql import DriverStatement
from tui_mutabakat.data.outbox_models import (
    Letter,
    LetterEvent,
    LetterMessage,
    Recipient,
    RecipientEvent,
    ReconciliationBatch,
)
from tui_mutabakat.data.session import is_sqlite
from tui_mutabakat.domain.history import HistoryReason, reason_columns
from tui_mutabakat.domain.states import (
    PENDING_RECIPIENT_STATES,
    LetterState,
    RecipientState,
)
from tui_mutabakat.mail.transport import Delivery


class ClaimLost(Exception):
    """The run no longer holds the letter (another run recovered it): the hand-over was
    not written and the final "." must not be sent."""


@dataclass(frozen=True, slots=True)
class SenderIdentity:
    """One sender run: its claim token and the name its history events carry."""

    token: str
    host: str
    pid: int
    actor: str

    @classmethod
    def new(cls, actor: str | None = None) -> SenderIdentity:
        host = socket.gethostname()
        pid = os.getpid()
        return cls(uuid.uuid4().hex, host, pid, actor or f"worker@{host}:{pid}")

    @property
    def claimed_by(self) -> str:
        return f"{self.host}:{self.pid}:{self.token[:8]}"


def lock_for_write(conn: Connection) -> None:
    """Start the transaction as a writer. SQLite: a transaction that read first and
    writes later fails when another connection wrote in between; one that starts with a
    write waits for its turn instead. (PostgreSQL locks rows as it changes them.)"""
    if is_sqlite(conn.engine):
        conn.execute(update(Letter).where(Letter.id == -1).values(claim_gen=Letter.claim_gen))


def held_letters(
    conn: Connection, sender: SenderIdentity, letters: Iterable[ClaimedLetter]
) -> set[int]:
    """Lock the given letters this run still holds — same claim token, same claim
    generation — and return their ids. Once locked, no other run can take them over until
    the caller's transaction ends; a letter not returned must not be changed."""
    wanted = {x.id: x.generation for x in letters}
    ids = sorted(wanted)
    held: set[int] = set()
    for start in range(0, len(ids), 500):
        part = {"ids": ids[start : start + 500], "held_token": sender.token}
        rows = conn.execute(_HELD, part).all()
        held.update(i for i, gen in rows if wanted[i] == gen)
    return held


_HELD = (
    update(Letter)
    .where(
        Letter.id.in_(bindparam("ids", expanding=True)),
        Letter.claim_token == bindparam("held_token"),
    )
    .values(claim_gen=Letter.claim_gen)
    .returning(Letter.id, Letter.claim_gen)
)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base_seconds: float = 60.0
    max_seconds: float = 3600.0
    #: After this many 4xx answers a recipient is given up (refused).
    max_attempts: int = 6

    def delay(self, attempt: int) -> dt.timedelta:
        seconds = min(self.max_seconds, self.base_seconds * 2 ** max(0, attempt - 1))
        return dt.timedelta(seconds=seconds)


@dataclass(frozen=True, slots=True)
class PendingRecipient:
    id: int
    address: str
    state: RecipientState
    attempts: int


@dataclass(frozen=True, slots=True)
class ClaimedLetter:
    id: int
    batch_id: int
    token: str
    sender: str
    message: bytes
    #: The letter's state before the claim: QUEUED (now SENDING) or SENT (a retry).
    was: LetterState
    recipients: tuple[PendingRecipient, ...]
    #: The claim generation this run's claim wrote: with the run's token, the claim.
    generation: int = 0
    #: Pending recipients whose hand-over an earlier run saved: never sent again (the
    #: claimer resolves them as delivered, in doubt; see `recovery.claim_letters`).
    handed_over: tuple[int, ...] = ()


@dataclass(slots=True)
class LetterOutcome:
    letter: ClaimedLetter
    delivery: Delivery
    #: Set by `record_outcomes`: the letter's state after this attempt.
    state: LetterState | None = None
    reasons: list[str] = field(default_factory=list)
    #: Set by `record_outcomes`: the run no longer held the letter; nothing was written.
    lost: bool = False


def letter_event(
    letter_id: int,
    actor: str,
    old: str | None,
    new: str,
    reason: str | HistoryReason,
    at: dt.datetime,
) -> dict[str, Any]:
    return {
        "letter_id": letter_id,
        "actor": actor,
        "from_state": old,
        "to_state": new,
        **reason_columns(reason),
        "at": at,
    }


def recipient_event(
    recipient_id: int,
    actor: str,
    old: str | None,
    new: str,
    code: int | None,
    reason: str | HistoryReason,
    at: dt.datetime,
) -> dict[str, Any]:
    return {
        "recipient_id": recipient_id,
        "actor": actor,
        "from_state": old,
        "to_state": new,
        "smtp_code": code,
        **reason_columns(reason),
        "at": at,
    }


def _event_insert(model: type[LetterEvent | RecipientEvent], *names: str) -> DriverStatement:
    return DriverStatement(insert(model).values({name: bindparam(name) for name in names}))


_REASON = ("reason", "reason_code", "reason_args")
_LETTER_EVENTS = _event_insert(
    LetterEvent, "letter_id", "actor", "from_state", "to_state", *_REASON, "at"
)
_RECIPIENT_EVENTS = _event_insert(
    RecipientEvent, "recipient_id", "actor", "from_state", "to_state", "smtp_code", *_REASON, "at"
)


def write_letter_events(conn: Connection, events: Sequence[dict[str, Any]]) -> None:
    """Insert `letter_event` rows made by `letter_event`."""
    _LETTER_EVENTS.executemany(conn, events)


def write_recipient_events(conn: Connection, events: Sequence[dict[str, Any]]) -> None:
    """Insert `recipient_event` rows made by `recipient_event`."""
    _RECIPIENT_EVENTS.executemany(conn, events)


@functools.cache
def _claim_statement(of_batch: bool, of_sender: bool) -> Update:
    """The claim (one statement: built once for each kind of run, cached by Core)."""
    batch_ok = [
        ReconciliationBatch.id == Letter.batch_id,
        ReconciliationBatch.cancel_requested.is_(False),
    ]
    if of_sender:
        batch_ok.append(ReconciliationBatch.sender_login == bindparam("c_login"))
    now = bindparam("c_now", type_=Letter.next_attempt_at.type)
    # `next_attempt_at` set and no claim: queued, or sent with a deferred recipient.
    conditions = [
        Letter.next_attempt_at <= now,
        Letter.claim_token.is_(None),
        exists().where(*batch_ok),
    ]
    if of_batch:
        conditions.append(Letter.batch_id == bindparam("c_batch"))
    due = (
        select(Letter.id)
        .where(*conditions)
        .order_by(Letter.next_attempt_at, Letter.id)
        .limit(bindparam("c_limit", type_=Integer))
        .with_for_update(skip_locked=True)
    )
    return (
        update(Letter)
        .where(Letter.id.in_(due.scalar_subquery()), Letter.claim_token.is_(None))
        .values(
            state=case(
                (Letter.state == LetterState.QUEUED, LetterState.SENDING.value),
                else_=Letter.state,
            ),
            state_at=case((Letter.state == LetterState.QUEUED, now), else_=Letter.state_at),
            claim_token=bindparam("c_token"),
            claimed_by=bindparam("c_by"),
            lease_until=bindparam("c_lease"),
            attempts=Letter.attempts + 1,
            claim_gen=Letter.claim_gen + 1,
        )
        .returning(Letter.id, Letter.state, Letter.claim_gen)
    )


def claim_letters(
    conn: Connection,
    sender: SenderIdentity,
    *,
    limit: int,
    lease: dt.timedelta,
    batch_id: int | None = None,
    sender_login: str | None = None,
    now: dt.datetime | None = None,
) -> list[ClaimedLetter]:
    """Take up to `limit` letters that are due, oldest first, for this run."""
    now = now or utcnow()
    parameters: dict[str, Any] = {
        "c_now": now,
        "c_limit": limit,
        "c_token": sender.token,
        "c_by": sender.claimed_by,
        "c_lease": now + lease,
    }
    if batch_id is not None:
        parameters["c_batch"] = batch_id
    if sender_login is not None:
        parameters["c_login"] = sender_login
    statement = _claim_statement(batch_id is not None, sender_login is not None)
    claimed = conn.execute(statement, parameters).all()
    if not claimed:
        return []
    generations = {i: gen for i, _state, gen in claimed}
    started = [i for i, state, _gen in claimed if LetterState(state) is LetterState.SENDING]
    if started:
        write_letter_events(
            conn,
            [letter_event(i, sender.actor, "queued", "sending", "", now) for i in started],
        )
    return _load_claimed(conn, generations, set(started))


_PENDING_RECIPIENTS = (
    select(
        Recipient.letter_id,
        Recipient.id,
        Recipient.address,
        Recipient.state,
        Recipient.attempts,
        Recipient.handover_at,
    )
    .where(
        Recipient.letter_id.in_(bindparam("ids", expanding=True)),
        Recipient.state.in_(PENDING_RECIPIENT_STATES),
    )
    .order_by(Recipient.id)
)

_CLAIMED_LETTERS = (
    select(
        Letter.id,
        Letter.batch_id,
        Letter.token,
        LetterMessage.message,
        ReconciliationBatch.from_address,
    )
    .join(ReconciliationBatch, ReconciliationBatch.id == Letter.batch_id)
    .join(LetterMessage, LetterMessage.letter_id == Letter.id)
    .where(Letter.id.in_(bindparam("ids", expanding=True)))
    .order_by(Letter.id)
)


def _load_claimed(
    conn: Connection, generations: dict[int, int], started: set[int]
) -> list[ClaimedLetter]:
    ids = sorted(generations)
    pending: dict[int, list[PendingRecipient]] = {i: [] for i in ids}
    handed_over: dict[int, list[int]] = {i: [] for i in ids}
    rows = conn.execute(_PENDING_RECIPIENTS, {"ids": ids})
    for letter_id, rid, address, state, attempts, handover in rows:
        if handover is not None:
            handed_over[letter_id].append(rid)
            continue
        pending[letter_id].append(PendingRecipient(rid, address, RecipientState(state), attempts))
    letters = conn.execute(_CLAIMED_LETTERS, {"ids": ids})
    return [
        ClaimedLetter(
            id=i,
            batch_id=batch,
            token=token,
            sender=sender,
            message=bytes(message),
            was=LetterState.QUEUED if i in started else LetterState.SENT,
            recipients=tuple(pending[i]),
            generation=generations[i],
            handed_over=tuple(handed_over[i]),
        )
        for i, batch, token, message, sender in letters
    ]


_HANDOVER = DriverStatement(
    update(Recipient)
    .where(Recipient.id == bindparam("h_id"), Recipient.handover_at.is_(None))
    .values(handover_at=bindparam("h_at"))
)


def record_handover(
    conn: Connection,
    sender: SenderIdentity,
    handovers: Sequence[tuple[ClaimedLetter, Sequence[int]]],
    now: dt.datetime,
    held: set[int] | None = None,
) -> set[int]:
    """Mark recipients as handed over (their message is about to be completed), for the
    letters this run still holds; returns the ids of those letters. The others' final "."
    must not be sent. `held`: the letters already locked by the caller."""
    if held is None:
        held = held_letters(conn, sender, [letter for letter, _ids in handovers])
    rows = [{"h_id": i, "h_at": now} for letter, ids in handovers if letter.id in held for i in ids]
    _HANDOVER.executemany(conn, rows)
    return {letter.id for letter, _ids in handovers if letter.id in held}


def release_letters(
    conn: Connection,
    sender: SenderIdentity,
    letters: Sequence[ClaimedLetter],
    reason: str | HistoryReason,
    now: dt.datetime,
    *,
    cancel: bool = False,
) -> None:
    """Give claimed letters back untouched (or cancel them when their batch was cancelled),
    those this run still holds."""
    if not letters:
        return
    events = []
    for letter in letters:
        mine = (
            Letter.id == letter.id,
            Letter.claim_token == sender.token,
            Letter.claim_gen == letter.generation,
        )
        if letter.was is LetterState.QUEUED:
            new = LetterState.CANCELLED if cancel else LetterState.QUEUED
            changed = conn.execute(
                update(Letter)
                .where(*mine)
                .values(
                    state=new,
                    state_at=now,
                    claim_token=None,
                    claimed_by="",
                    lease_until=None,
                    next_attempt_at=None if cancel else Letter.next_attempt_at,
                )
            ).rowcount
            if changed:
                events.append(
                    letter_event(letter.id, sender.actor, "sending", new.value, reason, now)
                )
        else:
            conn.execute(
                update(Letter)
                .where(*mine)
                .values(
                    claim_token=None,
                    claimed_by="",
                    lease_until=None,
                    next_attempt_at=None if cancel else Letter.next_attempt_at,
                )
            )
    write_letter_events(conn, events)


def renew_lease(
    conn: Connection,
    sender: SenderIdentity,
    letter_ids: Iterable[int],
    lease: dt.timedelta,
    now: dt.datetime,
) -> None:
    """Extend this run's claim on the letters it still holds."""
    ids = sorted(letter_ids)
    for start in range(0, len(ids), 500):
        conn.execute(
            update(Letter)
            .where(Letter.id.in_(ids[start : start + 500]), Letter.claim_token == sender.token)
            .values(lease_until=now + lease)
        )


def note_transport(conn: Connection, batch_ids: set[int], description: str) -> None:
    conn.execute(
        update(ReconciliationBatch)
        .where(ReconciliationBatch.id.in_(batch_ids), ReconciliationBatch.transport == "")
        .values(transport=description)
    )


def cancelled_batches(conn: Connection) -> set[int]:
    return set(
        conn.scalars(
            select(ReconciliationBatch.id).where(
                ReconciliationBatch.cancel_requested.is_(True),
                ReconciliationBatch.finished_at.is_(None),
            )
        )
    )


def due_in_batch(conn: Connection, batch_id: int) -> int:
    return int(
        conn.scalar(
            select(func.count()).where(
                Letter.batch_id == batch_id, Letter.next_attempt_at.is_not(None)
            )
        )
        or 0
    )
