"""Where a batch stands, its summary when it ends (SPEC D7), and cancelling it (D6)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from sqlalchemy import Connection, and_, exists, func, or_, select, update
from sqlalchemy.orm import Session

from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.outbox_models import Letter, Recipient, ReconciliationBatch
from tui_mutabakat.domain.errors import NotFound
from tui_mutabakat.domain.history import HistoryReason, reason_columns
from tui_mutabakat.domain.history import reason as history_reason
from tui_mutabakat.domain.states import (
    LETTER_TRANSITIONS,
    BatchState,
    LetterState,
    RecipientState,
)
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.context import Actor, record
from tui_mutabakat.services.sending.outbox import letter_event, lock_for_write, write_letter_events

_STILL_SENDING = (LetterState.QUEUED, LetterState.SENDING)


@dataclass(frozen=True, slots=True)
class FailedLetter:
    letter_id: int
    account_code: str
    account_title: str
    currency: str
    reason: str


@dataclass(frozen=True, slots=True)
class RefusedRecipient:
    letter_id: int
    account_code: str
    address: str
    answer: str


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """Counts per letter state, and the failures with their reasons (SPEC D7)."""

    batch_id: int
    counts: dict[str, int]
    skipped: int
    failed: list[FailedLetter] = field(default_factory=list)
    refused: list[RefusedRecipient] = field(default_factory=list)
    finished: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def sent(self) -> int:
        return self.total - sum(
            self.counts.get(s.value, 0)
            for s in (
                LetterState.QUEUED,
                LetterState.SENDING,
                LetterState.FAILED,
                LetterState.CANCELLED,
            )
        )

    @property
    def waiting(self) -> int:
        return self.counts.get(LetterState.QUEUED.value, 0) + self.counts.get(
            LetterState.SENDING.value, 0
        )

    def to_json(self) -> str:
        data = asdict(self)
        data["sent"] = self.sent
        return json.dumps(data, ensure_ascii=False)


def summarize(conn: Connection, batch_id: int) -> BatchSummary:
    """The batch as it stands now, computed from its letters."""
    batch = conn.execute(
        select(ReconciliationBatch.skipped, ReconciliationBatch.state).where(
            ReconciliationBatch.id == batch_id
        )
    ).one_or_none()
    if batch is None:
        raise NotFound(_("Gönderim bulunamadı."))
    counts = {
        str(state): int(n)
        for state, n in conn.execute(
            select(Letter.state, func.count())
            .where(Letter.batch_id == batch_id)
            .group_by(Letter.state)
        )
    }
    failed = [
        FailedLetter(i, code, title, currency, error)
        for i, code, title, currency, error in conn.execute(
            select(
                Letter.id,
                Letter.account_code,
                Letter.account_title,
                Letter.currency,
                Letter.last_error,
            )
            .where(Letter.batch_id == batch_id, Letter.state == LetterState.FAILED)
            .order_by(Letter.account_code)
        )
    ]
    refused = [
        RefusedRecipient(i, code, address, answer)
        for i, code, address, answer in conn.execute(
            select(Letter.id, Letter.account_code, Recipient.address, Recipient.smtp_answer)
            .join(Recipient, Recipient.letter_id == Letter.id)
            .where(Letter.batch_id == batch_id, Recipient.state == RecipientState.REFUSED)
            .order_by(Letter.account_code, Recipient.id)
        )
    ]
    # Listed there too: addresses left out of letters that went (not skipped accounts).
    skipped = sum(1 for s in json.loads(batch.skipped or "[]") if s.get("kind") != "address")
    finished = BatchState(batch.state) is not BatchState.OPEN
    return BatchSummary(batch_id, counts, skipped, failed, refused, finished)


def stored_summary(session: Session, batch_id: int) -> BatchSummary:
    """The summary kept on the batch when it ended, or the live one while it runs."""
    return summarize(session.connection(), batch_id)


def finish_batches(conn: Connection, batch_ids: set[int], now: dt.datetime) -> list[int]:
    """Close the batches that have nothing left to deliver; store their summary."""
    finished = []
    for batch_id in sorted(batch_ids):
        busy = conn.scalar(
            select(
                exists().where(
                    Letter.batch_id == batch_id,
                    or_(Letter.state.in_(_STILL_SENDING), Letter.next_attempt_at.is_not(None)),
                )
            )
        )
        if busy:
            continue
        state, cancelled, prepared = conn.execute(
            select(
                ReconciliationBatch.state,
                ReconciliationBatch.cancel_requested,
                ReconciliationBatch.prepared_at,
            ).where(ReconciliationBatch.id == batch_id)
        ).one()
        if BatchState(state) is not BatchState.OPEN or prepared is None:
            continue
        summary = summarize(conn, batch_id)
        conn.execute(
            update(ReconciliationBatch)
            .where(ReconciliationBatch.id == batch_id)
            .values(
                state=BatchState.CANCELLED if cancelled else BatchState.DONE,
                finished_at=now,
                summary=summary.to_json(),
            )
        )
        finished.append(batch_id)
    return finished


#: A batch still being written after this long was left by a program that stopped while
#: writing it (writing 100 000 letters takes under a minute).
ABANDONED_AFTER = dt.timedelta(hours=1)


def close_abandoned_batches(conn: Connection, now: dt.datetime) -> list[int]:
    """Close the batches whose writing never finished — the program was killed while it
    wrote the letters — with the letters that were written, so they can end like any
    other. Returns their ids."""
    ids = list(
        conn.scalars(
            select(ReconciliationBatch.id).where(
                ReconciliationBatch.state == BatchState.OPEN,
                ReconciliationBatch.prepared_at.is_(None),
                ReconciliationBatch.created_at < now - ABANDONED_AFTER,
            )
        )
    )
    for batch_id in ids:
        written = select(func.count()).where(Letter.batch_id == batch_id).scalar_subquery()
        conn.execute(
            update(ReconciliationBatch)
            .where(ReconciliationBatch.id == batch_id)
            .values(prepared_at=now, letter_count=written)
        )
    finish_batches(conn, set(ids), now)
    return ids


def cancel_batch(session: Session, actor: Actor, batch_id: int, reason: str = "") -> int:
    """Stop a batch: letters not yet handed to a sender are cancelled at once; letters a
    sender holds finish their current transaction and are not retried. Returns how many
    letters were cancelled now."""
    batch = session.get(ReconciliationBatch, batch_id)
    if batch is None:
        raise NotFound(_("Gönderim bulunamadı."))
    now = utcnow()
    conn = session.connection()
    batch.cancel_requested = True
    session.flush()
    waiting = list(
        conn.scalars(
            select(Letter.id).where(
                Letter.batch_id == batch_id,
                Letter.state == LetterState.QUEUED,
                Letter.claim_token.is_(None),
            )
        )
    )
    if waiting:
        conn.execute(
            update(Letter)
            .where(Letter.id.in_(waiting), Letter.claim_token.is_(None))
            .values(state=LetterState.CANCELLED, state_at=now, next_attempt_at=None)
        )
    conn.execute(
        update(Letter)
        .where(
            and_(
                Letter.batch_id == batch_id,
                Letter.state == LetterState.SENT,
                Letter.claim_token.is_(None),
            )
        )
        .values(next_attempt_at=None)
    )
    why: str | HistoryReason = reason or history_reason("user_cancelled")
    write_letter_events(
        conn,
        [
            letter_event(
                i, actor.login, LetterState.QUEUED.value, LetterState.CANCELLED.value, why, now
            )
            for i in waiting
        ],
    )
    record(session, actor, "cancel", "batch", batch_id, reason_columns(why)["reason"])
    finish_batches(conn, {batch_id}, now)
    return len(waiting)


def cancel_letters(session: Session, actor: Actor, letter_ids: Sequence[int], why: str) -> int:
    """Cancel these letters, each with a compare-and-set: only while no sender holds it and
    its state is still the one read (a letter a sender is delivering right now, or one
    that cannot be cancelled, is left alone). A cancelled letter is never due again.
    Returns how many were cancelled."""
    now = utcnow()
    conn = session.connection()
    lock_for_write(conn)
    cancellable = [s for s, after in LETTER_TRANSITIONS.items() if LetterState.CANCELLED in after]
    found = conn.execute(
        select(Letter.id, Letter.state, Letter.batch_id).where(
            Letter.id.in_(list(letter_ids)),
            Letter.claim_token.is_(None),
            Letter.state.in_(cancellable),
        )
    ).all()
    events = []
    batches = set()
    for letter_id, state, batch_id in found:
        changed = conn.execute(
            update(Letter)
            .where(Letter.id == letter_id, Letter.claim_token.is_(None), Letter.state == state)
            .values(state=LetterState.CANCELLED, state_at=now, next_attempt_at=None)
        ).rowcount
        if changed:
            old = LetterState(state).value
            events.append(letter_event(letter_id, actor.login, old, "cancelled", why, now))
            batches.add(batch_id)
            record(session, actor, "cancel", "letter", letter_id, why[:500])
    write_letter_events(conn, events)
    finish_batches(conn, batches, now)
    return len(events)
