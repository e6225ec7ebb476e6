"""The outbox's bookkeeping in the database: claim, hand over, record, release, recover.

Plain functions over one `Connection` in the caller's transaction, so the sender can group
many letters into one commit. Every state change writes its history event in the same
transaction (SPEC E7).

Claiming: `UPDATE letter … WHERE id IN (SELECT … LIMIT n [FOR UPDATE SKIP LOCKED])` with
the run's claim token. On PostgreSQL, `SKIP LOCKED` lets several workers take disjoint
letters; on SQLite the single writer makes the same statement atomic.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, case, exists, func, insert, or_, select, update

from tui_mutabakat.data.outbox_models import (
    Letter,
    LetterEvent,
    LetterMessage,
    Recipient,
    RecipientEvent,
    ReconciliationBatch,
)
from tui_mutabakat.domain.states import (
    PENDING_RECIPIENT_STATES,
    LetterState,
    RecipientState,
)
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.mail.transport import Delivery, RecipientResult


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


@dataclass(slots=True)
class LetterOutcome:
    letter: ClaimedLetter
    delivery: Delivery
    #: Set by `record_outcomes`: the letter's state after this attempt.
    state: LetterState | None = None
    reasons: list[str] = field(default_factory=list)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _letter_event(
    letter_id: int, actor: str, old: str | None, new: str, reason: str, at: dt.datetime
) -> dict[str, Any]:
    return {
        "letter_id": letter_id,
        "actor": actor,
        "from_state": old,
        "to_state": new,
        "reason": reason,
        "at": at,
    }


def write_letter_events(conn: Connection, events: Sequence[dict[str, Any]]) -> None:
    if events:
        conn.execute(insert(LetterEvent), list(events))


def write_recipient_events(conn: Connection, events: Sequence[dict[str, Any]]) -> None:
    if events:
        conn.execute(insert(RecipientEvent), list(events))


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
    batch_ok = [
        ReconciliationBatch.id == Letter.batch_id,
        ReconciliationBatch.cancel_requested.is_(False),
    ]
    if sender_login is not None:
        batch_ok.append(ReconciliationBatch.sender_login == sender_login)
    # `next_attempt_at` set and no claim: queued, or sent with a deferred recipient.
    conditions = [
        Letter.next_attempt_at <= now,
        Letter.claim_token.is_(None),
        exists().where(*batch_ok),
    ]
    if batch_id is not None:
        conditions.append(Letter.batch_id == batch_id)
    due = (
        select(Letter.id)
        .where(*conditions)
        .order_by(Letter.next_attempt_at, Letter.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    claimed = conn.execute(
        update(Letter)
        .where(Letter.id.in_(due.scalar_subquery()), Letter.claim_token.is_(None))
        .values(
            state=case(
                (Letter.state == LetterState.QUEUED, LetterState.SENDING.value),
                else_=Letter.state,
            ),
            state_at=case((Letter.state == LetterState.QUEUED, now), else_=Letter.state_at),
            claim_token=sender.token,
            claimed_by=sender.claimed_by,
            lease_until=now + lease,
            attempts=Letter.attempts + 1,
        )
        .returning(Letter.id, Letter.state)
    ).all()
    if not claimed:
        return []
    ids = [row[0] for row in claimed]
    started = [i for i, state in claimed if LetterState(state) is LetterState.SENDING]
    if started:
        write_letter_events(
            conn,
            [
                _letter_event(i, sender.actor, "queued", "sending", sender.claimed_by, now)
                for i in started
            ],
        )
    return _load_claimed(conn, ids, set(started))


def _load_claimed(conn: Connection, ids: list[int], started: set[int]) -> list[ClaimedLetter]:
    pending: dict[int, list[PendingRecipient]] = {i: [] for i in ids}
    rows = conn.execute(
        select(
            Recipient.letter_id,
            Recipient.id,
            Recipient.address,
            Recipient.state,
            Recipient.attempts,
        )
        .where(Recipient.letter_id.in_(ids), Recipient.state.in_(PENDING_RECIPIENT_STATES))
        .order_by(Recipient.id)
    )
    for letter_id, rid, address, state, attempts in rows:
        pending[letter_id].append(PendingRecipient(rid, address, RecipientState(state), attempts))
    letters = conn.execute(
        select(
            Letter.id,
            Letter.batch_id,
            Letter.token,
            LetterMessage.message,
            ReconciliationBatch.from_address,
        )
        .join(ReconciliationBatch, ReconciliationBatch.id == Letter.batch_id)
        .join(LetterMessage, LetterMessage.letter_id == Letter.id)
        .where(Letter.id.in_(ids))
        .order_by(Letter.id)
    )
    return [
        ClaimedLetter(
            id=i,
            batch_id=batch,
            token=token,
            sender=sender,
            message=bytes(message),
            was=LetterState.QUEUED if i in started else LetterState.SENT,
            recipients=tuple(pending[i]),
        )
        for i, batch, token, message, sender in letters
    ]


_HANDOVER = (
    update(Recipient).where(Recipient.id == bindparam("h_id")).values(handover_at=bindparam("h_at"))
)


def record_handover(conn: Connection, recipient_ids: Iterable[int], now: dt.datetime) -> None:
    """Mark recipients as handed over: their message is about to be completed."""
    rows = [{"h_id": i, "h_at": now} for i in recipient_ids]
    if rows:
        conn.execute(_HANDOVER, rows)


_RECIPIENT_UPDATE = (
    update(Recipient)
    .where(Recipient.id == bindparam("r_id"))
    .values(
        state=bindparam("r_state"),
        smtp_code=bindparam("r_code"),
        smtp_answer=bindparam("r_answer"),
        attempts=Recipient.attempts + 1,
        last_attempt_at=bindparam("r_at"),
        accepted_at=bindparam("r_accepted_at"),
        handover_at=bindparam("r_handover_at"),
        in_doubt=bindparam("r_in_doubt"),
    )
)

_CLEAR_HANDOVER = (
    update(Recipient)
    .where(
        Recipient.letter_id == bindparam("c_letter"),
        or_(Recipient.state == RecipientState.QUEUED, Recipient.state == RecipientState.DEFERRED),
        Recipient.handover_at.is_not(None),
    )
    .values(handover_at=None)
)

_LETTER_UPDATE = (
    update(Letter)
    # Only while this run still holds the claim: a run whose lease ran out (and whose
    # letters another run recovered) must not overwrite the newer state.
    .where(Letter.id == bindparam("l_id"), Letter.claim_token == bindparam("l_token"))
    .values(
        state=bindparam("l_state"),
        state_at=bindparam("l_state_at"),
        next_attempt_at=bindparam("l_next"),
        sent_at=func.coalesce(Letter.sent_at, bindparam("l_sent_at")),
        last_error=bindparam("l_error"),
        claim_token=None,
        claimed_by="",
        lease_until=None,
    )
)


def record_outcomes(
    conn: Connection,
    sender: SenderIdentity,
    outcomes: Sequence[LetterOutcome],
    policy: RetryPolicy,
    now: dt.datetime,
) -> None:
    """Write what the server said for each letter, and the letter's new state."""
    recipient_rows: list[dict[str, Any]] = []
    recipient_events: list[dict[str, Any]] = []
    letter_rows: list[dict[str, Any]] = []
    letter_events: list[dict[str, Any]] = []
    for outcome in outcomes:
        letter = outcome.letter
        by_id = {r.id: r for r in letter.recipients}
        results = {r.recipient_id: r for r in outcome.delivery.results}
        pending_left = False
        accepted_now = False
        reasons: list[str] = []
        for recipient in letter.recipients:
            result = results.get(recipient.id)
            if result is None or result.state is RecipientState.QUEUED:
                pending_left = True
                continue
            state, answer = _final_state(result, by_id[recipient.id], policy)
            accepted = state is RecipientState.ACCEPTED
            accepted_now = accepted_now or accepted
            pending_left = pending_left or state is RecipientState.DEFERRED
            if state is RecipientState.REFUSED:
                reasons.append(f"{recipient.address}: {answer}")
            recipient_rows.append(
                {
                    "r_id": recipient.id,
                    "r_state": state,
                    "r_code": result.code,
                    "r_answer": answer,
                    "r_at": now,
                    "r_accepted_at": now if accepted else None,
                    "r_handover_at": now if accepted else None,
                    "r_in_doubt": result.in_doubt,
                }
            )
            recipient_events.append(
                {
                    "recipient_id": recipient.id,
                    "actor": sender.actor,
                    "from_state": recipient.state.value,
                    "to_state": state.value,
                    "smtp_code": result.code,
                    "reason": answer,
                    "at": now,
                }
            )
        if outcome.delivery.connection_error:
            reasons.append(outcome.delivery.connection_error)
        new_state, next_at = _letter_state(letter, accepted_now, pending_left, outcome, policy, now)
        outcome.state = new_state
        outcome.reasons = reasons
        error = "; ".join(reasons)
        letter_rows.append(
            {
                "l_id": letter.id,
                "l_token": sender.token,
                "l_state": new_state,
                "l_state_at": now,
                "l_next": next_at,
                "l_sent_at": now if new_state is LetterState.SENT else None,
                "l_error": error,
            }
        )
        old = LetterState.SENDING if letter.was is LetterState.QUEUED else letter.was
        if new_state is not old:
            letter_events.append(
                _letter_event(letter.id, sender.actor, old.value, new_state.value, error, now)
            )
    if recipient_rows:
        conn.execute(_RECIPIENT_UPDATE, recipient_rows)
    # A hand-over whose "." never left (the connection broke first) is void: clear it, so
    # that only a hand-over of the attempt in progress can ever count as delivered.
    unfinished = [{"c_letter": o.letter.id} for o in outcomes if o.delivery.connection_error]
    if unfinished:
        conn.execute(_CLEAR_HANDOVER, unfinished)
    if letter_rows:
        conn.execute(_LETTER_UPDATE, letter_rows)
    write_recipient_events(conn, recipient_events)
    write_letter_events(conn, letter_events)


def _final_state(
    result: RecipientResult, recipient: PendingRecipient, policy: RetryPolicy
) -> tuple[RecipientState, str]:
    code = f"{result.code} " if result.code is not None else ""
    answer = f"{code}{result.answer}".strip()
    if result.state is RecipientState.DEFERRED and recipient.attempts + 1 >= policy.max_attempts:
        note = _("{count} denemeden sonra vazgeçildi").format(count=recipient.attempts + 1)
        return RecipientState.REFUSED, f"{answer} ({note})"
    return result.state, answer


def _letter_state(
    letter: ClaimedLetter,
    accepted_now: bool,
    pending_left: bool,
    outcome: LetterOutcome,
    policy: RetryPolicy,
    now: dt.datetime,
) -> tuple[LetterState, dt.datetime | None]:
    next_at: dt.datetime | None = None
    if pending_left:
        attempts = max((r.attempts for r in letter.recipients), default=0) + 1
        untried_only = bool(outcome.delivery.connection_error) and not outcome.delivery.results
        next_at = now if untried_only else now + policy.delay(attempts)
    if accepted_now or letter.was is LetterState.SENT:
        return LetterState.SENT, next_at
    if pending_left:
        return LetterState.QUEUED, next_at
    return LetterState.FAILED, None


def release_letters(
    conn: Connection,
    sender: SenderIdentity,
    letters: Sequence[ClaimedLetter],
    reason: str,
    now: dt.datetime,
    *,
    cancel: bool = False,
) -> None:
    """Give claimed letters back untouched (or cancel them when their batch was cancelled)."""
    if not letters:
        return
    events = []
    for letter in letters:
        if letter.was is LetterState.QUEUED:
            new = LetterState.CANCELLED if cancel else LetterState.QUEUED
            conn.execute(
                update(Letter)
                .where(Letter.id == letter.id)
                .values(
                    state=new,
                    state_at=now,
                    claim_token=None,
                    claimed_by="",
                    lease_until=None,
                    next_attempt_at=None if cancel else Letter.next_attempt_at,
                )
            )
            events.append(_letter_event(letter.id, sender.actor, "sending", new.value, reason, now))
        else:
            conn.execute(
                update(Letter)
                .where(Letter.id == letter.id)
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


def process_is_gone(claimed_by: str, host: str) -> bool:
    """Whether the run that wrote `claimed_by` ("host:pid:…") is certainly dead: it ran on
    this host and its process no longer exists."""
    parts = claimed_by.split(":")
    if len(parts) < 2 or parts[0] != host or not parts[1].isdigit():
        return False
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def recover_stale(
    conn: Connection,
    sender: SenderIdentity,
    now: dt.datetime,
    *,
    is_dead: Callable[[str, str], bool] = process_is_gone,
) -> int:
    """Resolve letters left `sending` by a run that died; returns how many.

    A recipient whose hand-over was recorded had its message completed (or about to be):
    it is taken as accepted, flagged `in_doubt`, and never sent again. Everything else of
    the letter goes back to the queue: the server cannot have a message it never got the
    final "." of.
    """
    rows = conn.execute(
        select(Letter.id, Letter.claimed_by, Letter.lease_until, Letter.state).where(
            Letter.next_attempt_at.is_not(None),
            Letter.claim_token.is_not(None),
            Letter.claim_token != sender.token,
        )
    ).all()
    stale = [
        (i, LetterState(state))
        for i, by, until, state in rows
        if (until is not None and _aware(until) < now) or is_dead(by, sender.host)
    ]
    for letter_id, state in stale:
        _recover_one(conn, sender, letter_id, state, now)
    return len(stale)


def _recover_one(
    conn: Connection, sender: SenderIdentity, letter_id: int, state: LetterState, now: dt.datetime
) -> None:
    recipients = conn.execute(
        select(Recipient.id, Recipient.state, Recipient.handover_at).where(
            Recipient.letter_id == letter_id
        )
    ).all()
    reason = _("Yarıda kalan gönderim kurtarıldı: teslim edilmiş sayıldı, tekrar gönderilmeyecek.")
    accepted_any = any(RecipientState(s) is RecipientState.ACCEPTED for _i, s, _h in recipients)
    pending_left = False
    events = []
    for rid, rstate, handover in recipients:
        current = RecipientState(rstate)
        if current not in PENDING_RECIPIENT_STATES:
            continue
        if handover is None:
            pending_left = True
            continue
        accepted_any = True
        conn.execute(
            update(Recipient)
            .where(Recipient.id == rid)
            .values(
                state=RecipientState.ACCEPTED,
                accepted_at=now,
                in_doubt=True,
                smtp_answer=reason,
                attempts=Recipient.attempts + 1,
                last_attempt_at=handover,
            )
        )
        events.append(
            {
                "recipient_id": rid,
                "actor": sender.actor,
                "from_state": current.value,
                "to_state": RecipientState.ACCEPTED.value,
                "smtp_code": None,
                "reason": reason,
                "at": now,
            }
        )
    write_recipient_events(conn, events)
    if accepted_any:
        new = LetterState.SENT
    elif state is LetterState.SENDING:
        new = LetterState.QUEUED
    else:
        new = state
    conn.execute(
        update(Letter)
        .where(Letter.id == letter_id)
        .values(
            state=new,
            state_at=now,
            claim_token=None,
            claimed_by="",
            lease_until=None,
            next_attempt_at=now if pending_left else None,
            sent_at=func.coalesce(Letter.sent_at, now if new is LetterState.SENT else None),
        )
    )
    if new is not state:
        why = _("Gönderen süreç yarıda kaldı; kaldığı yerden sürdürülüyor.")
        write_letter_events(
            conn, [_letter_event(letter_id, sender.actor, state.value, new.value, why, now)]
        )


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite gives naive datetimes back; everything is stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
