"""Recording what the server said about each letter, and the letter's new state.

Only for the letters the run still holds (`outbox.held_letters`: same claim token, same
claim generation, row locked): the outcome of a run that lost its claim is dropped — the
run that took the letter over has resolved it already.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, func, or_, update

from tui_mutabakat.data.driver_sql import DriverStatement
from tui_mutabakat.data.outbox_models import Letter, Recipient
from tui_mutabakat.domain.history import HistoryReason
from tui_mutabakat.domain.history import reason as history_reason
from tui_mutabakat.domain.states import LetterState, RecipientState
from tui_mutabakat.mail.transport import RecipientResult
from tui_mutabakat.services.sending.outbox import (
    ClaimedLetter,
    LetterOutcome,
    PendingRecipient,
    RetryPolicy,
    SenderIdentity,
    held_letters,
    letter_event,
    recipient_event,
    write_letter_events,
    write_recipient_events,
)

_RECIPIENT_UPDATE = DriverStatement(
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

_CLEAR_HANDOVER = DriverStatement(
    update(Recipient)
    .where(
        Recipient.letter_id == bindparam("c_letter"),
        or_(Recipient.state == RecipientState.QUEUED, Recipient.state == RecipientState.DEFERRED),
        Recipient.handover_at.is_not(None),
    )
    .values(handover_at=None)
)

_LETTER_UPDATE = DriverStatement(
    update(Letter)
    # Only while this run still holds the claim: a run whose lease ran out (and whose
    # letters another run recovered) must not overwrite the newer state.
    .where(
        Letter.id == bindparam("l_id"),
        Letter.claim_token == bindparam("l_token"),
        Letter.claim_gen == bindparam("l_gen"),
    )
    .values(
        state=bindparam("l_state"),
        state_at=bindparam("l_state_at"),
        next_attempt_at=bindparam("l_next"),
        sent_at=func.coalesce(Letter.sent_at, bindparam("l_sent_at", type_=Letter.sent_at.type)),
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
    held: set[int] | None = None,
) -> None:
    """Write what the server said for each letter, and the letter's new state, for the
    letters this run still holds (`held`, when the caller has locked them already); an
    outcome of a letter no longer held is marked `lost` and changes nothing."""
    if held is None:
        held = held_letters(conn, sender, [o.letter for o in outcomes])
    for outcome in outcomes:
        outcome.lost = outcome.letter.id not in held
    outcomes = [o for o in outcomes if not o.lost]
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
            state, answer, why = _final_state(result, by_id[recipient.id], policy)
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
                recipient_event(
                    recipient.id,
                    sender.actor,
                    recipient.state.value,
                    state.value,
                    result.code,
                    why,
                    now,
                )
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
                "l_gen": letter.generation,
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
                letter_event(letter.id, sender.actor, old.value, new_state.value, error, now)
            )
    _RECIPIENT_UPDATE.executemany(conn, recipient_rows)
    # A hand-over whose "." never left (the connection broke first) is void: clear it, so
    # that only a hand-over of the attempt in progress can ever count as delivered.
    unfinished = [{"c_letter": o.letter.id} for o in outcomes if o.delivery.connection_error]
    _CLEAR_HANDOVER.executemany(conn, unfinished)
    _LETTER_UPDATE.executemany(conn, letter_rows)
    write_recipient_events(conn, recipient_events)
    write_letter_events(conn, letter_events)


def _final_state(
    result: RecipientResult, recipient: PendingRecipient, policy: RetryPolicy
) -> tuple[RecipientState, str, str | HistoryReason]:
    """The recipient's state, its stored answer and the reason of its history event (the
    server's own words, or ours as a code: `domain.history`)."""
    code = f"{result.code} " if result.code is not None else ""
    answer = f"{code}{result.answer}".strip()
    if result.state is RecipientState.DEFERRED and recipient.attempts + 1 >= policy.max_attempts:
        why = history_reason("gave_up", answer=answer, count=recipient.attempts + 1)
        return RecipientState.REFUSED, why.text(), why
    if result.why is not None:
        return result.state, answer, result.why
    if result.state is RecipientState.ACCEPTED:
        said = result.answer.strip()
        if said:
            return result.state, answer, history_reason("delivered_answer", answer=said)
        return result.state, answer, history_reason("delivered")
    return result.state, answer, answer


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
