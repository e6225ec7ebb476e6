"""Read-side queries for account lists: counted, filtered, sorted and fetched a page at a time.

The list never loads all accounts: the screen asks for the count, then for the pages it
shows. Balances are computed only for the accounts on a page, from the covering index.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, UnaryExpression, and_, func, or_, select
from sqlalchemy.orm import Session

from tui_mutabakat.data.models import Account, Movement
from tui_mutabakat.data.money import money_sum, overflow_safe
from tui_mutabakat.domain.text import fold, sort_key


class AccountSort(StrEnum):
    CODE = "code"
    TITLE = "title"
    CITY = "city"
    GROUP = "group_code"


_SORT_COLUMNS = {
    AccountSort.CODE: Account.code,
    AccountSort.TITLE: Account.title_key,
    AccountSort.CITY: Account.city,
    AccountSort.GROUP: Account.group_code,
}


@dataclass(frozen=True, slots=True)
class AccountFilter:
    """What the user typed and chose above the list."""

    search: str = ""
    sort: AccountSort = AccountSort.CODE
    descending: bool = False
    only_active: bool = False
    city: str = ""
    group_code: str = ""


@dataclass(frozen=True, slots=True)
class AccountRow:
    id: int
    code: str
    title: str
    city: str
    group_code: str
    tax_number: str
    currency: str
    active: bool
    #: The balance in the account's own currency (0 when it has none).
    balance: Decimal | None = None
    #: Every currency's non-zero balance, the account's own currency first, then by code.
    balances: tuple[tuple[str, Decimal], ...] = ()


def _where(flt: AccountFilter) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    text = flt.search.strip()
    if text:
        folded = _escape_like(fold(text))
        clauses.append(
            or_(
                Account.code.like(f"{_escape_like(text)}%", escape="\\"),
                Account.tax_number.like(f"{_escape_like(text)}%", escape="\\"),
                Account.search_text.like(f"%{folded}%", escape="\\"),
            )
        )
    if flt.only_active:
        clauses.append(Account.active.is_(True))
    if flt.city:
        clauses.append(Account.city == flt.city)
    if flt.group_code:
        clauses.append(Account.group_code == flt.group_code)
    return clauses


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def count_accounts(session: Session, flt: AccountFilter) -> int:
    statement = select(func.count(Account.id)).where(and_(True, *_where(flt)))
    return int(session.scalar(statement) or 0)


def _order_by(flt: AccountFilter) -> list[UnaryExpression[Any]]:
    column = _SORT_COLUMNS[flt.sort]
    order: list[UnaryExpression[Any]] = [column.desc() if flt.descending else column.asc()]
    if flt.sort is not AccountSort.CODE:
        # Ties broken on the primary key in the same direction, so an index on the sort
        # column serves the whole ORDER BY and a page needs no full sort.
        order.append(Account.id.desc() if flt.descending else Account.id.asc())
    return order


def _ordered(flt: AccountFilter) -> Select[int, str, str, str, str, str, str, bool]:
    return (
        select(
            Account.id,
            Account.code,
            Account.title,
            Account.city,
            Account.group_code,
            Account.tax_number,
            Account.currency,
            Account.active,
        )
        .where(and_(True, *_where(flt)))
        .order_by(*_order_by(flt))
    )


def account_page(
    session: Session, flt: AccountFilter, offset: int, limit: int, *, with_balance: bool = True
) -> list[AccountRow]:
    """Rows `offset` … `offset + limit` of the filtered, sorted list."""
    rows = session.execute(_ordered(flt).offset(offset).limit(limit)).all()
    balances = balances_for(session, [r.id for r in rows]) if with_balance and rows else {}
    return [
        AccountRow(
            *row,
            balance=balances.get((row.id, row.currency), Decimal("0")),
            balances=_all_balances(balances, row.id, row.currency),
        )
        for row in rows
    ]


def _all_balances(
    balances: dict[tuple[int, str], Decimal], account_id: int, own: str
) -> tuple[tuple[str, Decimal], ...]:
    found = [(c, b) for (a, c), b in balances.items() if a == account_id and b != 0]
    found.sort(key=lambda pair: (pair[0] != own, pair[0]))
    return tuple(found)


@overflow_safe
def balances_for(session: Session, account_ids: list[int]) -> dict[tuple[int, str], Decimal]:
    """Debit minus credit per (account, currency), for the given accounts only."""
    statement = (
        select(
            Movement.account_id,
            Movement.currency,
            money_sum(Movement.debit),
            money_sum(Movement.credit),
        )
        .where(Movement.account_id.in_(account_ids))
        .group_by(Movement.account_id, Movement.currency)
    )
    return {(a, c): d - cr for a, c, d, cr in session.execute(statement)}


def position_of(session: Session, flt: AccountFilter, account_id: int) -> int | None:
    """The row index of `account_id` in the filtered, sorted list (to keep the cursor on it)."""
    numbered = (
        select(Account.id, func.row_number().over(order_by=_order_by(flt)).label("row_number"))
        .where(and_(True, *_where(flt)))
        .subquery()
    )
    found = session.scalar(select(numbered.c.row_number).where(numbered.c.id == account_id))
    return None if found is None else int(found) - 1


def distinct_values(
    session: Session, column_name: str, prefix: str = "", limit: int = 500
) -> list[str]:
    """Values already used in an account column (for F10 lookups of city, group, …)."""
    column = {
        "city": Account.city,
        "group_code": Account.group_code,
        "sector_code": Account.sector_code,
        "region_code": Account.region_code,
        "tax_office": Account.tax_office,
    }[column_name]
    # Few distinct values (cities, tax offices, codes): matched and sorted here, the way the
    # account search matches — Turkish letters and case aside ("kadik" finds "Kadıköy", "ista"
    # "İstanbul") — and in Turkish order.
    values = [str(v) for v in session.scalars(select(column).where(column != "").distinct())]
    wanted = fold(prefix)
    if wanted:
        values = [v for v in values if wanted in fold(v)]
        values.sort(key=lambda v: (not fold(v).startswith(wanted), sort_key(v), v))
    else:
        values.sort(key=lambda v: (sort_key(v), v))
    return values[:limit]
