"""Resolving letters left `sending` by a sender run that died (see `services/sending.py`)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable

from sqlalchemy import Connection, func, select, update

from tui_mutabakat.data.base import as_utc
from tui_mutabakat.data.outbox_models import Letter, Recipient
from tui_mutabakat.domain.states import PENDING_RECIPIENT_STATES, LetterState, RecipientState
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.outbox import (
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
        if (until is not None and as_utc(until) < now) or is_dead(by, sender.host)
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
            conn, [letter_event(letter_id, sender.actor, state.value, new.value, why, now)]
        )
