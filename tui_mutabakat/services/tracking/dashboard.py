"""The dashboard of the work left (SPEC F2, issue 16 point 3): per batch its letters per
state and response rate, the answers per day, and the work queue — the letters that wait
for a person: unclear answers, not agreed, bounced, a delivery in doubt, no answer past the
answer-by date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tui_mutabakat.data.base import as_utc
from tui_mutabakat.data.outbox_models import Letter, Recipient, ReconciliationBatch
from tui_mutabakat.data.tracking_models import LetterAnswer
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.tracking.tracking import batch_counts, is_reminder_batch

#: The states that count as an answer for the response rate.
ANSWERED = ("agreed", "disagreed", "unclear")
#: Letters that never reached anyone (left out of the response rate).
NOT_REACHED = ("queued", "failed", "cancelled")
#: At most this many batches on the dashboard (the newest).
BATCHES_SHOWN = 12
#: At most this many rows in the work queue (oldest first).
QUEUE_LIMIT = 500


@dataclass(frozen=True, slots=True)
class BatchBar:
    batch_id: int
    title: str
    as_of: dt.date
    counts: dict[str, int]
    #: Answered letters per hundred reached, one decimal.
    response_rate: Decimal

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def response_rate(counts: dict[str, int]) -> Decimal:
    reached = sum(n for state, n in counts.items() if state not in NOT_REACHED)
    answered = sum(counts.get(state, 0) for state in ANSWERED)
    if not reached:
        return Decimal("0.0")
    return (Decimal(answered) * 100 / reached).quantize(Decimal("0.1"))


def batch_bars(session: Session, limit: int = BATCHES_SHOWN) -> list[BatchBar]:
    """The newest batches with their letters per state (a reminder batch is not one: its
    letters are counted in their own batches, `is_reminder_batch`)."""
    batches = list(
        session.scalars(
            select(ReconciliationBatch)
            .where(~is_reminder_batch())
            .order_by(ReconciliationBatch.id.desc())
            .limit(limit)
        )
    )
    counts = batch_counts(session, [b.id for b in batches])
    return [
        BatchBar(b.id, b.title, b.as_of, counts[b.id], response_rate(counts[b.id])) for b in batches
    ]


def answers_per_day(session: Session, today: dt.date, days: int = 30) -> list[int]:
    """Answers recorded on each of the last `days` days (oldest first, today last)."""
    first = today - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    per_day = [0] * days
    for (moment,) in session.execute(
        select(LetterAnswer.answered_at).where(LetterAnswer.answered_at >= start)
    ):
        index = (as_utc(moment).astimezone(dt.UTC).date() - first).days
        if 0 <= index < days:
            per_day[index] += 1
    return per_day


class WorkKind:
    UNCLEAR = "unclear"
    DISAGREED = "disagreed"
    BOUNCED = "bounced"
    IN_DOUBT = "in_doubt"
    OVERDUE = "overdue"


def work_kind_label(kind: str) -> str:
    return {
        WorkKind.UNCLEAR: _("Belirsiz yanıt"),
        WorkKind.DISAGREED: _("Mutabık değil"),
        WorkKind.BOUNCED: _("Geri döndü"),
        WorkKind.IN_DOUBT: _("Teslim şüpheli"),
        WorkKind.OVERDUE: _("Süresi geçti, yanıt yok"),
    }.get(kind, kind)


@dataclass(frozen=True, slots=True)
class WorkItem:
    letter_id: int
    batch_id: int
    kind: str
    code: str
    title: str
    #: Since when it waits (the letter's last change of state).
    since: dt.datetime
    answer_by: dt.date


def work_queue(session: Session, today: dt.date, limit: int = QUEUE_LIMIT) -> list[WorkItem]:
    """What waits for a person, in the order of `WorkKind` (unclear first), oldest first.

    A reminder's outbox letter is not a letter of its own here: its answer, bounce and
    expiry are the original letter's (`is_reminder_batch`). Only its delivery can wait for a
    person (in doubt), and that is the reminder's."""
    waiting = {
        LetterState.UNCLEAR: WorkKind.UNCLEAR,
        LetterState.DISAGREED: WorkKind.DISAGREED,
        LetterState.BOUNCED: WorkKind.BOUNCED,
        LetterState.NO_ANSWER: WorkKind.OVERDUE,
    }
    rows = session.execute(
        select(Letter, ReconciliationBatch.answer_by)
        .join(ReconciliationBatch, ReconciliationBatch.id == Letter.batch_id)
        .where(
            Letter.state.in_(list(waiting))
            | ((Letter.state == LetterState.SENT) & (ReconciliationBatch.answer_by < today)),
            ~is_reminder_batch(),
        )
        .order_by(Letter.state_at, Letter.id)
        .limit(limit)
    ).all()
    items = [
        WorkItem(
            letter.id,
            letter.batch_id,
            waiting.get(letter.state, WorkKind.OVERDUE),
            letter.account_code,
            letter.account_title,
            letter.state_at,
            answer_by,
        )
        for letter, answer_by in rows
    ]
    doubtful = session.execute(
        select(Letter, ReconciliationBatch.answer_by)
        .join(ReconciliationBatch, ReconciliationBatch.id == Letter.batch_id)
        .where(
            Letter.id.in_(select(Recipient.letter_id).where(Recipient.in_doubt.is_(True))),
            Letter.state != LetterState.CANCELLED,
        )
        .order_by(Letter.state_at, Letter.id)
        .limit(limit)
    ).all()
    items += [
        WorkItem(
            letter.id,
            letter.batch_id,
            WorkKind.IN_DOUBT,
            letter.account_code,
            letter.account_title,
            letter.state_at,
            answer_by,
        )
        for letter, answer_by in doubtful
    ]
    order = [
        WorkKind.UNCLEAR,
        WorkKind.DISAGREED,
        WorkKind.BOUNCED,
        WorkKind.IN_DOUBT,
        WorkKind.OVERDUE,
    ]
    items.sort(key=lambda item: order.index(item.kind))
    return items[:limit]


def queue_counts(items: list[WorkItem]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    return counts


def waiting_letters(session: Session) -> int:
    """Letters not delivered yet (queued or being sent), for the heading."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Letter)
            .where(Letter.state.in_([LetterState.QUEUED, LetterState.SENDING]))
        )
        or 0
    )
