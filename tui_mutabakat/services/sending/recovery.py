"""Resolving letters left `sending` by a sender run that died (see `services/sending/sender.py`).

A run takes a dead run's letter over with one compare-and-set: `UPDATE letter … WHERE
id = ? AND claim_token = <the dead run's> AND claim_gen = <the one read>` (and, when the
run is judged dead by its lease, `AND lease_until < now`). The statement locks the row,
so a hand-over of the old holder either committed before it (and is seen, and counted as
delivered) or waits for it and then finds the claim gone (and its "." is never sent). A
letter another run took over or claimed in between is left alone.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable

from sqlalchemy import Connection, func, select, update

from tui_mutabakat.data.base import as_utc, utcnow
from tui_mutabakat.data.outbox_models import Letter, Recipient
from tui_mutabakat.domain.history import reason as history_reason
from tui_mutabakat.domain.states import PENDING_RECIPIENT_STATES, LetterState, RecipientState
from tui_mutabakat.services.sending import outbox
from tui_mutabakat.services.sending.outbox import (
    ClaimedLetter,
    SenderIdentity,
    letter_event,
    recipient_event,
    write_letter_events,
    write_recipient_events,
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
    outbox.lock_for_write(conn)
    rows = conn.execute(
        select(
            Letter.id, Letter.claim_token, Letter.claim_gen, Letter.claimed_by, Letter.lease_until
        ).where(
            Letter.next_attempt_at.is_not(None),
            Letter.claim_token.is_not(None),
            Letter.claim_token != sender.token,
        )
    ).all()
    recovered = 0
    for letter_id, token, generation, by, until in rows:
        expired = until is not None and as_utc(until) < now
        if token is None or (not expired and not is_dead(by, sender.host)):
            continue
        before = now if expired else None
        state = _take_over(conn, letter_id, token, generation, expired_before=before)
        if state is not None:
            _resolve(conn, sender, letter_id, state, now)
            recovered += 1
    return recovered


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
    """`outbox.claim_letters`; a letter that still had recipients handed over by an
    earlier run is resolved at once (those recipients delivered, in doubt, never sent
    again) and given back to the queue, not returned."""
    now = now or utcnow()
    claimed = outbox.claim_letters(
        conn,
        sender,
        limit=limit,
        lease=lease,
        batch_id=batch_id,
        sender_login=sender_login,
        now=now,
    )
    ready = []
    for letter in claimed:
        if not letter.handed_over:
            ready.append(letter)
            continue
        state = _take_over(conn, letter.id, sender.token, letter.generation)
        if state is not None:
            _resolve(conn, sender, letter.id, state, now)
    return ready


def _take_over(
    conn: Connection,
    letter_id: int,
    token: str,
    generation: int,
    *,
    expired_before: dt.datetime | None = None,
) -> LetterState | None:
    """The compare-and-set: end the claim `token`/`generation` on the letter, if it still
    stands; returns the letter's state, or None when the claim had changed."""
    statement = update(Letter).where(
        Letter.id == letter_id, Letter.claim_token == token, Letter.claim_gen == generation
    )
    if expired_before is not None:
        statement = statement.where(Letter.lease_until < expired_before)
    state = conn.execute(
        statement.values(claim_token=None, claimed_by="", lease_until=None).returning(Letter.state)
    ).scalar()
    return None if state is None else LetterState(state)


def _resolve(
    conn: Connection, sender: SenderIdentity, letter_id: int, state: LetterState, now: dt.datetime
) -> None:
    """Settle a letter just taken over (its row locked by `_take_over`)."""
    recipients = conn.execute(
        select(Recipient.id, Recipient.state, Recipient.handover_at).where(
            Recipient.letter_id == letter_id
        )
    ).all()
    reason = history_reason("recovered_delivered")
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
            .where(Recipient.id == rid, Recipient.state == current)
            .values(
                state=RecipientState.ACCEPTED,
                accepted_at=now,
                in_doubt=True,
                smtp_answer="",  # the reason is in the history, in words
                attempts=Recipient.attempts + 1,
                last_attempt_at=handover,
            )
        )
        events.append(
            recipient_event(
                rid, sender.actor, current.value, RecipientState.ACCEPTED.value, None, reason, now
            )
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
        .where(Letter.id == letter_id, Letter.claim_token.is_(None))
        .values(
            state=new,
            state_at=now,
            next_attempt_at=now if pending_left else None,
            sent_at=func.coalesce(Letter.sent_at, now if new is LetterState.SENT else None),
        )
    )
    if new is not state:
        why = history_reason("resumed")
        write_letter_events(
            conn, [letter_event(letter_id, sender.actor, state.value, new.value, why, now)]
        )
