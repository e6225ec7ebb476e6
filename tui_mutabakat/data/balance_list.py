"""The balance list of "e-Mutabakat Gönder" once it is open (SPEC D2, issue 14.6).

When the list opens, `list_keys` reads the keys of all its rows in their order with one
aggregate: the list's filters, its `HAVING` and its sort run in SQL as in `balance_page`,
but only the keys come back (the sums are computed only where a filter or the sort needs
them). They are kept in a `KeyList` — account ids in an `array`, the few currency texts
shared — about 16 bytes a row, so 100 000 rows take under 2 MB.

The list's count is then the length of that list and a page, deep or not, is its slice:
`page_rows` reads the balances of those keys alone (their accounts' index entries) in one
query built once, so the last page costs what the first does (~2.5 ms) instead of the
whole aggregate sorted again and skipped to the offset. A page's figures are read when it
is shown; its members and their order are those of the opening read until the list is
read again (F5). A letter never takes its balance from this list: the send reads the
balances of its keys afresh.
"""

from __future__ import annotations

import functools
from array import array
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import BindParameter, ColumnElement, and_, bindparam, func, select
from sqlalchemy.orm import Session

from tui_mutabakat.data.balance_queries import (
    AnySelect,
    BalanceCriteria,
    BalanceKey,
    BalanceRow,
    BalanceSort,
    balance_side,
    having_clause,
    join_and_where,
    raw_balance,
    recipient_ok,
)
from tui_mutabakat.data.models import Account, Movement
from tui_mutabakat.data.money import exact_sums, money_sum, overflow_safe
from tui_mutabakat.domain.states import BalanceSide

_ZERO = Decimal("0.00")


class KeyList:
    """The keys of a list in its order, compactly: `len`, index, slice and iterate."""

    __slots__ = ("_currencies", "_ids")

    def __init__(self, keys: Iterable[BalanceKey] = ()) -> None:
        self._ids = array("q")
        self._currencies: list[str] = []
        shared: dict[str, str] = {}
        for account_id, currency in keys:
            self._ids.append(account_id)
            self._currencies.append(shared.setdefault(currency, currency))

    def __len__(self) -> int:
        return len(self._ids)

    def __getitem__(self, index: int) -> BalanceKey:
        return (self._ids[index], self._currencies[index])

    def __iter__(self) -> Iterator[BalanceKey]:
        return zip(self._ids, self._currencies, strict=True)

    def index(self, key: BalanceKey) -> int | None:
        """Where `key` is in the list, or `None`."""
        account_id, currency = key
        start = 0
        while True:
            try:
                found = self._ids.index(account_id, start)
            except ValueError:
                return None
            if self._currencies[found] == currency:
                return found
            start = found + 1

    def slice(self, start: int, stop: int) -> list[BalanceKey]:
        """The keys of rows `start` … `stop - 1` (fewer at the end of the list)."""
        return list(zip(self._ids[start:stop], self._currencies[start:stop], strict=True))


def keys_statement(criteria: BalanceCriteria) -> AnySelect:
    """(account id, currency) of every row of the list, in the list's order.

    The same rows as `balance_statement` — grouped by account id and movement currency (the
    account's own columns depend on its id), an account without movements once in its own
    currency — sorted as `balance_page` sorts them (ties by code, then currency).
    """
    on, where = join_and_where(criteria, None)
    balance = raw_balance()
    statement: AnySelect = (
        select(Account.id, func.coalesce(Movement.currency, Account.currency))
        .select_from(Account)
        .outerjoin(Movement, and_(*on))
        .where(*where)
        .group_by(Account.id, Movement.currency)
    )
    having = having_clause(criteria, balance)
    if having is not None:
        statement = statement.having(having)
    if criteria.sort is BalanceSort.CODE:
        code = Account.code.desc() if criteria.descending else Account.code.asc()
        return statement.order_by(code, Movement.currency)
    column: ColumnElement[Any] = balance
    if criteria.sort is BalanceSort.TITLE:
        column = Account.title.expression
    order = column.desc() if criteria.descending else column.asc()
    return statement.order_by(order, Account.code, Movement.currency)


@overflow_safe
def list_keys(session: Session, criteria: BalanceCriteria) -> KeyList:
    """The keys of every row of the list in its order, read with one aggregate."""
    # Core, not the ORM's execute, and the driver's ints and texts as they come: on 30 000
    # rows the ORM's row handling cost a quarter of the query's own time.
    result = session.connection().execute(keys_statement(criteria))
    return KeyList(cast("Iterable[BalanceKey]", result))


@functools.cache
def _page_statement(exact: bool) -> AnySelect:
    """The rows of some accounts as of a date — every currency of each, an account without
    movements once in its own — with whether it can be reached: one query, its account
    ids and date bound as parameters, so it is built and compiled once, not per page (once
    for each kind of `money_sum`: `exact` says which one it holds)."""
    ids: BindParameter[int] = bindparam("ids", expanding=True)
    as_of = bindparam("as_of", type_=Movement.date.type)
    on = and_(
        Movement.account_id == Account.id, Movement.date <= as_of, Movement.account_id.in_(ids)
    )
    return (
        select(
            Account.id,
            Account.code,
            Account.title,
            func.coalesce(Movement.currency, Account.currency),
            money_sum(Movement.debit),
            money_sum(Movement.credit),
            recipient_ok(among=ids),
        )
        .select_from(Account)
        .outerjoin(Movement, on)
        .where(Account.id.in_(ids))
        .group_by(Account.id, Movement.currency)
    )


@overflow_safe
def page_rows(session: Session, as_of: date, keys: Sequence[BalanceKey]) -> list[BalanceRow]:
    """The rows of `keys` (a page of the list) as of `as_of`, in their order. A key whose
    account has no movement in its currency is a zero row; one whose account is gone is
    left out."""
    found: dict[BalanceKey, BalanceRow] = {}
    accounts: dict[int, tuple[str, str, bool]] = {}
    ids = sorted({account_id for account_id, _currency in keys})
    # Core, not the ORM's execute: nothing here is an entity (a page: ~0.4 ms less).
    parameters = {"ids": ids, "as_of": as_of}
    result = session.connection().execute(_page_statement(exact_sums()), parameters)
    for account_id, code, title, currency, debit, credit, reachable in result:
        ok = bool(reachable)
        debit, credit = _amount(debit), _amount(credit)
        balance = debit - credit
        row = BalanceRow(
            account_id, code, title, currency, debit, credit, balance, balance_side(balance), ok
        )
        found[row.key] = row
        accounts[account_id] = (code, title, ok)
    rows = []
    for key in keys:
        if key in found:
            rows.append(found[key])
        elif key[0] in accounts:
            code, title, ok = accounts[key[0]]
            zero = BalanceRow(
                key[0], code, title, key[1], _ZERO, _ZERO, _ZERO, BalanceSide.NONE, ok
            )
            rows.append(zero)
    return rows


def _amount(value: Decimal | None) -> Decimal:
    """A sum read through `Money` (a `Decimal`); `None` (no movements) is zero."""
    return _ZERO if value is None else value.quantize(_ZERO)
