"""The letters of one batch as a list that scales (SPEC E2, issue 16 point 4): filtered by
state or by a delivery in doubt, searched by account code or title, sorted by any column,
counted and fetched a page at a time.

The list never loads a whole batch: the screen asks for the count, then for the pages it
shows, and the balances, the in-doubt counts and the foreign-answer flags are read for the
letters of a page only. A batch of 50 000 letters opens as fast as one of 50
(`bench/letter_list.py`).

Searching a title compares the folded search with the letter's folded title (stored when
the letter is written, `Letter.title_folded`), so Turkish letters and case do not matter:
"iptal", "IPTAL" and "İptal" all find "İPTAL".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, UnaryExpression, and_, case, func, or_, select
from sqlalchemy.orm import Session

from tui_mutabakat.data.outbox_models import Letter, LetterBalance, Recipient, ReconciliationBatch
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.domain.text import fold
from tui_mutabakat.services.tracking.letter_balances import BalanceFigure
from tui_mutabakat.services.tracking.tracking import foreign_answer_letters


class LetterSort(StrEnum):
    """The columns the list sorts by, in the order of the table's columns."""

    CODE = "code"
    TITLE = "title"
    BALANCE = "balance"
    STATE = "state"
    LAST = "last"


#: The order "sort by state" puts the states in: the work left first, closed ones last.
STATE_ORDER: tuple[LetterState, ...] = (
    LetterState.UNCLEAR,
    LetterState.DISAGREED,
    LetterState.BOUNCED,
    LetterState.FAILED,
    LetterState.NO_ANSWER,
    LetterState.SENT,
    LetterState.SENDING,
    LetterState.QUEUED,
    LetterState.AGREED,
    LetterState.CANCELLED,
)


@dataclass(frozen=True, slots=True)
class LetterFilter:
    """What the user chose above the list of one batch."""

    batch_id: int
    #: Only letters in these states (all when empty).
    states: frozenset[LetterState] = frozenset()
    #: Only letters with a recipient whose delivery is in doubt.
    in_doubt: bool = False
    search: str = ""
    sort: LetterSort = LetterSort.CODE
    descending: bool = False

    @property
    def narrows(self) -> bool:
        """Whether some letters of the batch are hidden (sorting alone hides none)."""
        return bool(self.states or self.in_doubt or self.search.strip())


@dataclass(frozen=True, slots=True)
class LetterRow:
    id: int
    account_code: str
    account_title: str
    state: LetterState
    state_at: dt.datetime | None
    #: The balances the letter stated, one per currency.
    figures: tuple[BalanceFigure, ...]
    #: An answer came from an address that is not one of the letter's recipients.
    foreign: bool
    #: Recipients whose delivery is in doubt.
    in_doubt: int


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _doubtful_letters() -> Select[int]:
    return select(Recipient.letter_id).where(Recipient.in_doubt.is_(True))


def _where(flt: LetterFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [Letter.batch_id == flt.batch_id]
    if flt.states:
        clauses.append(Letter.state.in_(sorted(flt.states)))
    if flt.in_doubt:
        clauses.append(Letter.id.in_(_doubtful_letters()))
    text = flt.search.strip()
    if text:
        pattern = _escape_like(fold(text))
        clauses.append(
            or_(
                Letter.account_code.like(f"%{_escape_like(text)}%", escape="\\"),
                Letter.title_folded.like(f"%{pattern}%", escape="\\"),
            )
        )
    return clauses


def _state_rank() -> ColumnElement[int]:
    return case(
        {state: rank for rank, state in enumerate(STATE_ORDER)},
        value=Letter.state,
        else_=len(STATE_ORDER),
    )


def _order_by(flt: LetterFilter) -> list[UnaryExpression[Any]]:
    columns: dict[LetterSort, list[Any]] = {
        LetterSort.CODE: [Letter.account_code],
        LetterSort.TITLE: [Letter.account_title],
        # Amounts compare within a currency: grouped by the letter's (first) currency.
        LetterSort.BALANCE: [Letter.currency, Letter.balance],
        LetterSort.STATE: [_state_rank()],
        LetterSort.LAST: [Letter.state_at],
    }
    order = [*columns[flt.sort], Letter.id]
    return [c.desc() if flt.descending else c.asc() for c in order]


def count_letters(session: Session, flt: LetterFilter) -> int:
    statement = select(func.count(Letter.id)).where(and_(*_where(flt)))
    return int(session.scalar(statement) or 0)


def letter_page(session: Session, flt: LetterFilter, offset: int, limit: int) -> list[LetterRow]:
    """Rows `offset` … `offset + limit` of the filtered, sorted letters of the batch.

    Only the columns shown are read (not whole `Letter` objects), then the balances, the
    in-doubt counts and the foreign-answer flags of these letters in one query each.
    """
    rows = session.execute(
        select(
            Letter.id,
            Letter.account_code,
            Letter.account_title,
            Letter.state,
            Letter.state_at,
            Letter.currency,
            Letter.debit_total,
            Letter.credit_total,
            Letter.balance,
        )
        .where(and_(*_where(flt)))
        .order_by(*_order_by(flt))
        .offset(offset)
        .limit(limit)
    ).all()
    if not rows:
        return []
    ids = [row.id for row in rows]
    figures: dict[int, list[BalanceFigure]] = {}
    for item in session.scalars(
        select(LetterBalance)
        .where(LetterBalance.letter_id.in_(ids))
        .order_by(LetterBalance.letter_id, LetterBalance.position)
    ):
        figures.setdefault(item.letter_id, []).append(
            BalanceFigure(item.currency, item.debit_total, item.credit_total, item.balance)
        )
    foreign = foreign_answer_letters(session, ids)
    doubt = in_doubt_of(session, ids)
    return [
        LetterRow(
            row.id,
            row.account_code,
            row.account_title,
            LetterState(row.state),
            row.state_at,
            # A letter without balance rows (older ones, reminders' copies) states its own.
            tuple(
                figures.get(row.id)
                or [BalanceFigure(row.currency, row.debit_total, row.credit_total, row.balance)]
            ),
            row.id in foreign,
            doubt.get(row.id, 0),
        )
        for row in rows
    ]


def letters_in_order(session: Session, flt: LetterFilter) -> list[Letter]:
    """Every letter the filter shows, in its order: the list as shown, for an export."""
    statement = select(Letter).where(and_(*_where(flt))).order_by(*_order_by(flt))
    return list(session.scalars(statement))


def in_doubt_of(session: Session, letter_ids: Sequence[int]) -> dict[int, int]:
    """Recipients in doubt per letter, for these letters (letters without any left out)."""
    if not letter_ids:
        return {}
    rows = session.execute(
        select(Recipient.letter_id, func.count())
        .where(Recipient.letter_id.in_(list(letter_ids)), Recipient.in_doubt.is_(True))
        .group_by(Recipient.letter_id)
    )
    return {letter_id: int(count) for letter_id, count in rows}


def position_of(session: Session, flt: LetterFilter, letter_id: int) -> int | None:
    """The row index of `letter_id` in the filtered, sorted list (to keep the cursor on it)."""
    numbered = (
        select(Letter.id, func.row_number().over(order_by=_order_by(flt)).label("row_number"))
        .where(and_(*_where(flt)))
        .subquery()
    )
    found = session.scalar(select(numbered.c.row_number).where(numbered.c.id == letter_id))
    return None if found is None else int(found) - 1


def matching(session: Session, flt: LetterFilter, letter_ids: Iterable[int]) -> set[int]:
    """Which of `letter_ids` the filter shows (a selection kept across a new filter)."""
    ids = list(letter_ids)
    if not ids:
        return set()
    return set(session.scalars(select(Letter.id).where(Letter.id.in_(ids), *_where(flt))))


def state_counts(session: Session, batch_id: int) -> dict[LetterState, int]:
    """Letters of the batch per state (states without letters left out)."""
    rows = session.execute(
        select(Letter.state, func.count()).where(Letter.batch_id == batch_id).group_by(Letter.state)
    )
    return {LetterState(state): int(count) for state, count in rows}


def in_doubt_letters(session: Session, batch_id: int) -> int:
    """Letters of the batch with a recipient whose delivery is in doubt."""
    statement = select(func.count(Letter.id)).where(
        Letter.batch_id == batch_id, Letter.id.in_(_doubtful_letters())
    )
    return int(session.scalar(statement) or 0)


@dataclass(frozen=True, slots=True)
class BatchHeading:
    title: str
    as_of: dt.date
    #: When the batch was written (sent, or queued to be sent).
    sent_at: dt.datetime
    answer_by: dt.date


def batch_heading(session: Session, batch_id: int) -> BatchHeading | None:
    batch = session.get(ReconciliationBatch, batch_id)
    if batch is None:
        return None
    return BatchHeading(batch.title, batch.as_of, batch.created_at, batch.answer_by)


def longest_title(session: Session, batch_id: int) -> int:
    """The length of the longest account name among a batch's letters (0 when none): the
    letter list lets the name column grow this far on a wide terminal."""
    longest = session.scalar(
        select(func.max(func.length(Letter.account_title))).where(Letter.batch_id == batch_id)
    )
    return int(longest or 0)
