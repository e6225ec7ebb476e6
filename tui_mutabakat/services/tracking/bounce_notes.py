"""A delivery report applied to a letter's recipients (SPEC E4, issue 10).

Only the recipients the report says failed are bounced (`RecipientEvent`, `BounceNotice`);
a delay is a note in the recipient's history with the same state before and after; a
free-text bounce naming no known address is pinned on a letter's only recipient only when
it quotes the letter. The letter's own state is left to the caller (`intake`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from tui_mutabakat.data.bulk_insert import Rows, SessionRows
from tui_mutabakat.data.outbox_models import Letter, Recipient, RecipientEvent
from tui_mutabakat.data.tracking_models import BounceNotice
from tui_mutabakat.domain.history import HistoryReason, reason_columns
from tui_mutabakat.domain.history import reason as history_reason
from tui_mutabakat.domain.states import RecipientState
from tui_mutabakat.mail.addresses import wire_address
from tui_mutabakat.mail.answers import FailedRecipient, ReadMessage
from tui_mutabakat.services.tracking.letter_rows import LetterRow, RecipientRow


@dataclass
class RecordedBounce:
    #: "address: reason" of each recipient bounced now.
    bounced: list[str] = field(default_factory=list)
    #: "address: note" of each recipient reported delayed.
    delayed: list[str] = field(default_factory=list)
    #: Every recipient has bounced (none was delivered).
    all_bounced: bool = False


def record_bounce(
    session: Session,
    letter: Letter | LetterRow,
    read: ReadMessage,
    actor: str,
    now: dt.datetime,
    recipients: Sequence[Recipient | RecipientRow] | None = None,
    rows: Rows | None = None,
) -> RecordedBounce:
    """`recipients`: the letter's, when the caller has read them already (a chunk's);
    `rows`: where the new history rows go (by default each an ORM object)."""
    rows = SessionRows(session) if rows is None else rows
    if recipients is None:
        statement = select(Recipient).where(Recipient.letter_id == letter.id)
        recipients = list(session.scalars(statement.order_by(Recipient.id)))
    recipients = list(recipients)
    # A report names an IDN domain as the server saw it: in A-labels (`xn--…`).
    by_address = {
        key: r for r in recipients for key in (r.address.lower(), wire_address(r.address).lower())
    }

    def named(info: FailedRecipient) -> Recipient | RecipientRow | None:
        return by_address.get(info.address) or by_address.get(info.original)

    hits = [(r, f) for f in read.failed for r in [named(f)] if r is not None]
    if not hits and not read.standard_report and read.quotes_letter and len(read.failed) <= 1:
        # A free-text bounce that quotes the letter but names no address we know (or none
        # at all), for a letter that went to one address only, can only be about it.
        accepted = [r for r in recipients if r.state is RecipientState.ACCEPTED]
        if len(accepted) == 1 and len(recipients) == 1:
            info = read.failed[0] if read.failed else FailedRecipient(accepted[0].address)
            hits = [(accepted[0], info)]
    recorded = RecordedBounce()
    for recipient, info in hits:
        if recipient.state is RecipientState.BOUNCED:
            continue
        diagnostic = info.diagnostic or read.text[:300]
        reason = f"{info.status} {diagnostic}".strip()
        _event(rows, recipient, RecipientState.BOUNCED, actor, reason, diagnostic, now)
        rows.add(
            BounceNotice,
            letter_id=letter.id,
            recipient_id=recipient.id,
            address=recipient.address,
            status=info.status[:32],
            diagnostic=diagnostic,
            message_key=read.key,
            received_at=now,
        )
        recipient.state = RecipientState.BOUNCED
        recorded.bounced.append(f"{recipient.address}: {reason}")
    for info in read.delayed:
        late = named(info)
        if late is None:
            continue
        delay = history_reason("delayed", detail=f"{info.status} {info.diagnostic}".strip())
        note = delay.turkish
        _event(rows, late, late.state, actor, delay, info.diagnostic, now)
        recorded.delayed.append(f"{late.address}: {note}")
    delivered = [r for r in recipients if r.state is RecipientState.ACCEPTED]
    bounced = [r for r in recipients if r.state is RecipientState.BOUNCED]
    recorded.all_bounced = bool(recorded.bounced) and bool(bounced) and not delivered
    return recorded


def _event(
    rows: Rows,
    recipient: Recipient | RecipientRow,
    to: RecipientState,
    actor: str,
    reason: str | HistoryReason,
    diagnostic: str,
    now: dt.datetime,
) -> None:
    rows.add(
        RecipientEvent,
        recipient_id=recipient.id,
        actor=actor,
        from_state=recipient.state.value,
        to_state=to.value,
        smtp_code=_smtp_code(diagnostic),
        **reason_columns(reason),
        at=now,
    )


def _smtp_code(diagnostic: str) -> int | None:
    head = diagnostic.strip()[:3]
    return int(head) if head.isdigit() else None
