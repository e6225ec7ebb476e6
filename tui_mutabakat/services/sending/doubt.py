"""In-doubt recipients are a user's decision (SPEC D6; see `services/sending/sender.py`).

A recipient is `in_doubt` when its message was handed over but the server's answer to the
final "." was never read (the sender died, or the connection broke). The sender never
sends it again on its own. A person decides, for the letters they choose:

- `resend_in_doubt`: a new delivery to those addresses (a new recipient row, queued; the
  stored message as it is, so a server that did keep the first copy can recognise this
  one by its Message-ID);
- `mark_delivered`: the recipient is taken as delivered and is no longer in doubt.

Either way the recipient leaves the in-doubt count, and the decision is written to the
status history (who, when, from, to, why) and to the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.outbox_models import Letter, Recipient, ReconciliationBatch
from tui_mutabakat.domain.history import reason as history_reason
from tui_mutabakat.domain.states import BatchState, LetterState, RecipientState
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.context import Actor, record
from tui_mutabakat.services.sending.outbox import (
    letter_event,
    recipient_event,
    write_letter_events,
    write_recipient_events,
)

#: The history's word for an in-doubt recipient and for one a user resent.
IN_DOUBT = "in_doubt"
RESENT = "resent"
#: Letters whose in-doubt recipients may be sent again: delivered, no answer yet.
RESENDABLE = frozenset({LetterState.SENT, LetterState.NO_ANSWER})


@dataclass
class DoubtDecision:
    #: Letters whose in-doubt recipients were resent / marked delivered.
    letters: list[int] = field(default_factory=list)
    #: How many recipients that was.
    recipients: int = 0
    #: (letter id, why nothing was done) — for the user.
    skipped: list[tuple[int, str]] = field(default_factory=list)


def in_doubt_total(session: Session) -> int:
    """Recipients in doubt in the whole outbox: the count on the main menu."""
    count = session.scalar(select(func.count()).where(Recipient.in_doubt.is_(True)))
    return int(count or 0)


def in_doubt_by_batch(session: Session, batch_ids: Sequence[int]) -> dict[int, int]:
    """Recipients in doubt per batch (batches without any left out)."""
    rows = session.execute(
        select(Letter.batch_id, func.count())
        .join(Recipient, Recipient.letter_id == Letter.id)
        .where(Recipient.in_doubt.is_(True), Letter.batch_id.in_(list(batch_ids)))
        .group_by(Letter.batch_id)
    )
    return {batch_id: int(count) for batch_id, count in rows}


def in_doubt_by_letter(session: Session, batch_id: int) -> dict[int, int]:
    """Recipients in doubt per letter of a batch (letters without any left out)."""
    rows = session.execute(
        select(Letter.id, func.count())
        .join(Recipient, Recipient.letter_id == Letter.id)
        .where(Letter.batch_id == batch_id, Recipient.in_doubt.is_(True))
        .group_by(Letter.id)
    )
    return {letter_id: int(count) for letter_id, count in rows}


def _doubtful(session: Session, letter_ids: Iterable[int]) -> dict[int, list[Recipient]]:
    found: dict[int, list[Recipient]] = {}
    for person in session.scalars(
        select(Recipient)
        .where(Recipient.letter_id.in_(list(letter_ids)), Recipient.in_doubt.is_(True))
        .order_by(Recipient.id)
    ):
        found.setdefault(person.letter_id, []).append(person)
    return found


def resend_in_doubt(
    session: Session, actor: Actor, letter_ids: Sequence[int], note: str = ""
) -> DoubtDecision:
    """Send the in-doubt recipients of these letters again: one new queued recipient row
    per address; the letter is due at once. A letter a sender holds right now, or one
    already answered or closed, is skipped with the reason."""
    result = DoubtDecision()
    now = utcnow()
    queued = RecipientState.QUEUED.value
    doubtful = _doubtful(session, letter_ids)
    for letter_id in sorted(set(letter_ids)):
        people = doubtful.get(letter_id)
        if not people:
            result.skipped.append((letter_id, _("Teslimi belirsiz alıcısı yok.")))
            continue
        # The compare-and-set that keeps senders out: only an unclaimed letter in a state
        # that may be resent is made due (and its row locked until the commit).
        state = session.execute(
            update(Letter)
            .where(
                Letter.id == letter_id,
                Letter.claim_token.is_(None),
                Letter.state.in_([s.value for s in RESENDABLE]),
            )
            .values(next_attempt_at=now, last_error="")
            .returning(Letter.state)
        ).scalar()
        if state is None:
            busy = _("Mektup şu an gönderiliyor ya da yanıtlanmış/kapanmış; yeniden gönderilemez.")
            result.skipped.append((letter_id, busy))
            continue
        addresses = ", ".join(p.address for p in people)
        why = history_reason("resend_in_doubt", addresses=addresses, note=note)
        fresh = [
            Recipient(letter_id=letter_id, contact_id=p.contact_id, name=p.name, address=p.address)
            for p in people
        ]
        session.add_all(fresh)
        for person in people:
            person.in_doubt = False
        session.flush()
        write_recipient_events(
            session.connection(),
            [recipient_event(p.id, actor.login, IN_DOUBT, RESENT, None, why, now) for p in people]
            + [recipient_event(r.id, actor.login, None, queued, None, why, now) for r in fresh],
        )
        value = LetterState(state).value
        batch_of = select(Letter.batch_id).where(Letter.id == letter_id).scalar_subquery()
        write_letter_events(
            session.connection(), [letter_event(letter_id, actor.login, value, value, why, now)]
        )
        session.execute(
            update(ReconciliationBatch)
            .where(
                ReconciliationBatch.id == batch_of,
                ReconciliationBatch.state == BatchState.DONE,
            )
            .values(state=BatchState.OPEN, finished_at=None)
        )
        record(session, actor, "resend_in_doubt", "letter", letter_id, why.turkish[:500])
        result.letters.append(letter_id)
        result.recipients += len(people)
    session.flush()
    return result


def mark_delivered(
    session: Session, actor: Actor, letter_ids: Sequence[int], note: str = ""
) -> DoubtDecision:
    """Take the in-doubt recipients of these letters as delivered (no longer in doubt)."""
    result = DoubtDecision()
    now = utcnow()
    doubtful = _doubtful(session, letter_ids)
    for letter_id in sorted(set(letter_ids)):
        people = doubtful.get(letter_id)
        if not people:
            result.skipped.append((letter_id, _("Teslimi belirsiz alıcısı yok.")))
            continue
        addresses = ", ".join(p.address for p in people)
        why = history_reason("marked_delivered", addresses=addresses, note=note)
        for person in people:
            person.in_doubt = False
        session.flush()
        write_recipient_events(
            session.connection(),
            [
                recipient_event(
                    p.id, actor.login, IN_DOUBT, RecipientState.ACCEPTED.value, None, why, now
                )
                for p in people
            ],
        )
        record(session, actor, "mark_delivered", "letter", letter_id, why.turkish[:500])
        result.letters.append(letter_id)
        result.recipients += len(people)
    session.flush()
    return result
