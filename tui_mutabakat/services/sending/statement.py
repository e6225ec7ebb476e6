"""What a letter shows beside its balances (SPEC D8): the items open on the as-of date and the
statement ("ekstre") of the movements up to it.

An item is open on the as-of date by what was open of it then: a movement dated after the
date does not exist yet, and a match of debt closing (`Settlement`) counts only when both of
its movements are dated on or before it — a payment dated after the date settles nothing in
a letter as of that date, whenever the match was made. So, per currency, the open debit items
less the open credit items add up to the balance as of the date. Only movements settled
before matches were recorded (imports, demo data: `settled` without `Settlement` rows) can
break that; the letter then shows the difference on a line of its own (`difference`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from tui_mutabakat.data.models import Movement
from tui_mutabakat.data.ops_models import Settlement
from tui_mutabakat.mail.statement_file import Statement
from tui_mutabakat.mail.templates import OpenItemLine, StatementLine

ZERO = Decimal("0")
#: (account id, currency).
Key = tuple[int, str]
_CHUNK = 500


def items_total(items: Iterable[OpenItemLine]) -> Decimal:
    """Open debit items less open credit items: signed like a balance (debit positive)."""
    return sum((i.open_amount if i.debit > ZERO else -i.open_amount for i in items), ZERO)


def _money(value: object) -> Decimal:
    return ZERO if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


def _late_settlements(session: Session, as_of: date, ids: list[int]) -> dict[int, Decimal]:
    """Per movement dated on or before `as_of`: how much of its `settled` came from matches
    with a movement dated after it (not settled yet on the date)."""
    debit, credit = aliased(Movement), aliased(Movement)
    statement = (
        select(Settlement.amount, debit.id, debit.date, credit.id, credit.date)
        .join(debit, debit.id == Settlement.debit_movement_id)
        .join(credit, credit.id == Settlement.credit_movement_id)
        .where(Settlement.account_id.in_(ids), or_(debit.date > as_of, credit.date > as_of))
    )
    reopened: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for amount, debit_id, debit_day, credit_id, credit_day in session.execute(statement):
        if debit_day <= as_of:
            reopened[debit_id] += _money(amount)
        if credit_day <= as_of:
            reopened[credit_id] += _money(amount)
    return reopened


def open_items_for(
    session: Session, as_of: date, keys: Sequence[Key]
) -> dict[Key, list[OpenItemLine]]:
    """The items open on `as_of`, per (account, currency), oldest first."""
    wanted = set(keys)
    items: dict[Key, list[OpenItemLine]] = defaultdict(list)
    for ids in _chunks(sorted({a for a, _c in wanted})):
        reopened = _late_settlements(session, as_of, ids)
        open_now = (Movement.debit + Movement.credit) > Movement.settled
        statement = (
            select(Movement)
            .where(
                Movement.account_id.in_(ids),
                Movement.date <= as_of,
                or_(open_now, Movement.id.in_(list(reopened))) if reopened else open_now,
            )
            .order_by(Movement.account_id, Movement.date, Movement.id)
        )
        for movement in session.scalars(statement):
            key = (movement.account_id, movement.currency)
            if key not in wanted:
                continue
            debit, credit = _money(movement.debit), _money(movement.credit)
            left = debit + credit - _money(movement.settled) + reopened.get(movement.id, ZERO)
            if left <= ZERO:
                continue
            items[key].append(
                OpenItemLine(
                    date=movement.date,
                    doc_no=movement.doc_no,
                    description=movement.description,
                    due_date=movement.due_date,
                    debit=debit,
                    credit=credit,
                    open_amount=left,
                    doc_type=str(movement.doc_type),
                    currency=movement.currency,
                )
            )
    return items


def statements_for(
    session: Session, as_of: date, keys: Sequence[Key], start: date | None = None
) -> dict[Key, Statement]:
    """The statement of every (account, currency): its movements up to `as_of` (from
    `start` on, after a line with the balance brought forward, when `start` is given), each
    with the running balance."""
    wanted = list(dict.fromkeys(keys))
    movements: dict[Key, list[Movement]] = defaultdict(list)
    for ids in _chunks(sorted({a for a, _c in wanted})):
        statement = (
            select(Movement)
            .where(Movement.account_id.in_(ids), Movement.date <= as_of)
            .order_by(Movement.account_id, Movement.date, Movement.id)
        )
        for movement in session.scalars(statement):
            movements[(movement.account_id, movement.currency)].append(movement)
    result: dict[Key, Statement] = {}
    for key in wanted:
        running = ZERO
        lines: list[StatementLine] = []
        for movement in movements.get(key, []):
            debit, credit = _money(movement.debit), _money(movement.credit)
            running += debit - credit
            if start is not None and movement.date < start:
                continue
            lines.append(
                StatementLine(
                    date=movement.date,
                    doc_type=str(movement.doc_type),
                    doc_no=movement.doc_no,
                    description=movement.description,
                    debit=debit,
                    credit=credit,
                    balance=running,
                )
            )
        opening = None
        if start is not None:
            opening = running - sum((line.debit - line.credit for line in lines), ZERO)
        result[key] = Statement(key[1], opening, start, tuple(lines))
    return result
