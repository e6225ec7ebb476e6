"""The balance list of "e-Mutabakat Gönder" once it is open (SPEC D2, issue 14.6).

When the list opens, `list_keys` reads the keys of all its rows in their order with one
aggregate: the list's filters, its `HAVING` and its sort run in SQL as in `balance_page`,
but only the keys come back (the sums are computed only where a filter or the sort needs
them). They are kept in a `KeyList` — account ids in an `array`, the few currency texts
shared — about 16 bytes a row, so 100 000 rows take under 2 MB.

The list's count is then the length of that list and a page, deep or not, is its slice:
`balances_for_keys` reads the balances of those keys alone (their accounts' index entries),
so the last page costs what the first does instead of the whole aggregate sorted again and
skipped to the offset. A page's figures are read when it is shown; its members and their
order are those of the opening read until the list is read again (F5). A letter never
takes its balance from this list: the send reads the balances of its keys afresh.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from tui_mutabakat.data.balance_queries import (
    AnySelect,
    BalanceCriteria,
    BalanceKey,
    BalanceSort,
    having_clause,
    join_and_where,
    raw_balance,
)
from tui_mutabakat.data.models import Account, Movement
from tui_mutabakat.data.money import overflow_safe


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
    result = session.execute(keys_statement(criteria))
    return KeyList((int(account_id), str(currency)) for account_id, currency in result)
