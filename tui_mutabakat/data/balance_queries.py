"""The list of balances to reconcile (SPEC D1, D2), computed by the database.

One aggregate query over `movement` (date ≤ as-of, grouped by account and currency, read
from the covering index `ix_movement_balance`) gives one row per account and currency with
the debit total, credit total, balance and its side. The list screen reads the keys of its
rows once (`balance_list.py`), then the pages it shows by their keys, and the sums of the
selected rows by their keys.

Every sum is `money_sum` over `Money` columns (data/money.py): exact on both engines (integer
kuruş on SQLite), compared with zero as it is and read back as `Decimal`. The queries are
`overflow_safe`, and the balance shown is the debit total minus the credit total taken in
Python, so it stays exact even past SQLite's 64-bit integers (where only the filtering and
sorting in SQL are approximate).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    tuple_,
    type_coerce,
)
from sqlalchemy.orm import Session

from tui_mutabakat.data.models import Account, Contact, Movement
from tui_mutabakat.data.money import Money, money_sum, overflow_safe
from tui_mutabakat.domain.enums import Routing
from tui_mutabakat.domain.states import BalanceSide

_MONEY = Money(2)
#: A select of any columns.
AnySelect = Select[*tuple[Any, ...]]
_ZERO = Decimal("0.00")


class BalanceFilter(StrEnum):
    ALL = "all"
    NON_ZERO = "non_zero"
    DEBIT = "debit"
    CREDIT = "credit"
    ABOVE = "above"


class BalanceSort(StrEnum):
    CODE = "code"
    TITLE = "title"
    BALANCE = "balance"


@dataclass(frozen=True, slots=True)
class BalanceCriteria:
    """The criteria form of "e-Mutabakat Gönder" (SPEC D1)."""

    as_of: date
    code_from: str = ""
    code_to: str = ""
    group_code: str = ""
    sector_code: str = ""
    region_code: str = ""
    #: Only this currency; empty for every currency.
    currency: str = ""
    balance_filter: BalanceFilter = BalanceFilter.ALL
    #: For `ABOVE`: the absolute balance must be greater than this.
    amount: Decimal | None = None
    only_valid_recipients: bool = False
    only_active: bool = True
    sort: BalanceSort = BalanceSort.CODE
    descending: bool = False


#: A row of the list: (account id, currency).
BalanceKey = tuple[int, str]


@dataclass(frozen=True, slots=True)
class BalanceRow:
    account_id: int
    code: str
    title: str
    currency: str
    debit: Decimal
    credit: Decimal
    balance: Decimal
    side: BalanceSide
    #: An address that looks like an e-mail is there (the full check runs before sending).
    recipient_ok: bool

    @property
    def key(self) -> BalanceKey:
        return (self.account_id, self.currency)


@dataclass(frozen=True, slots=True)
class BalanceSums:
    """Count and sums of some rows of one currency."""

    currency: str
    count: int
    debit: Decimal
    credit: Decimal
    balance: Decimal


def _plausible_email(column: Any) -> ColumnElement[bool]:
    """Looks like an address (one @, a dot after it, no spaces): an SQL approximation of
    `email-validator`, used only to filter the list."""
    text = func.trim(column)
    return and_(
        text.like("_%@_%._%"),
        not_(text.like("%@%@%")),
        not_(text.like("% %")),
        not_(text.like("%..%")),
    )


def recipient_ok(among: BindParameter[int] | None = None) -> ColumnElement[bool]:
    """Whether the account has an address that looks usable. `among`, the ids of the
    accounts asked about, is said of the contacts too: PostgreSQL may run the `EXISTS` as
    one hashed scan of every contact, which it then limits to these accounts' contacts (a
    page of the list on 5 000 accounts: 18 ms → under 1 ms)."""
    contact_ok = exists().where(
        Contact.account_id == Account.id,
        Contact.receives_reconciliation.is_(True),
        _plausible_email(Contact.email),
        *([] if among is None else [Contact.account_id.in_(among)]),
    )
    return case(
        (Account.routing == Routing.DEPARTMENT, _plausible_email(Account.department_email)),
        else_=contact_ok,
    )


def _account_where(criteria: BalanceCriteria) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = []
    if criteria.only_active:
        clauses.append(Account.active.is_(True))
    if criteria.code_from.strip():
        clauses.append(Account.code >= criteria.code_from.strip())
    if criteria.code_to.strip():
        clauses.append(Account.code <= criteria.code_to.strip())
    for column, value in (
        (Account.group_code, criteria.group_code),
        (Account.sector_code, criteria.sector_code),
        (Account.region_code, criteria.region_code),
    ):
        if value.strip():
            clauses.append(column == value.strip())
    if criteria.only_valid_recipients:
        clauses.append(recipient_ok())
    return clauses


def raw_balance() -> ColumnElement[Decimal]:
    """Debit minus credit of the group, zero without movements: exact, typed `Money`."""
    return type_coerce(
        func.coalesce(money_sum(Movement.debit) - money_sum(Movement.credit), 0), _MONEY
    )


def having_clause(
    criteria: BalanceCriteria, balance: ColumnElement[Decimal]
) -> ColumnElement[bool] | None:
    match criteria.balance_filter:
        case BalanceFilter.ALL:
            return None
        case BalanceFilter.NON_ZERO:
            return balance != _ZERO
        case BalanceFilter.DEBIT:
            return balance > _ZERO
        case BalanceFilter.CREDIT:
            return balance < _ZERO
        case BalanceFilter.ABOVE:
            limit = criteria.amount or _ZERO
            return or_(balance > limit, balance < -limit)


def _side(balance: ColumnElement[Decimal]) -> ColumnElement[str]:
    return case(
        (balance > _ZERO, literal(BalanceSide.DEBIT.value)),
        (balance < _ZERO, literal(BalanceSide.CREDIT.value)),
        else_=literal(BalanceSide.NONE.value),
    )


def join_and_where(
    criteria: BalanceCriteria, account_ids: Sequence[int] | None
) -> tuple[list[ColumnElement[bool]], list[ColumnElement[bool]]]:
    on = [Movement.account_id == Account.id, Movement.date <= criteria.as_of]
    where = _account_where(criteria)
    if criteria.currency:
        on.append(Movement.currency == criteria.currency)
        where.append(or_(Movement.currency.is_not(None), Account.currency == criteria.currency))
    if account_ids is not None:
        where.append(Account.id.in_(account_ids))
        # Said of the movements too: PostgreSQL then reads just their index entries
        # instead of hashing the whole table (a later page: 42 ms → see issue 14.6).
        on.append(Movement.account_id.in_(account_ids))
    return on, where


def balance_statement(
    criteria: BalanceCriteria, account_ids: Sequence[int] | None = None
) -> AnySelect:
    """The one aggregate query: a row per account and currency, unsorted.

    `account LEFT JOIN movement`, grouped by account code and currency: accounts without
    any movement up to the date appear once, in their own currency with zero totals. The
    grouping follows the unique index on `account.code`, so on SQLite the list in code
    order comes straight off the indexes and its first page is read without aggregating
    the rest. (`min()` over the account's own columns keeps PostgreSQL happy: the code is
    unique, so each group holds one account.)
    """
    on, where = join_and_where(criteria, account_ids)
    balance = raw_balance()
    statement: AnySelect = (
        select(
            func.min(Account.id).label("account_id"),
            Account.code.label("code"),
            func.min(Account.title).label("title"),
            func.coalesce(Movement.currency, func.min(Account.currency)).label("currency"),
            type_coerce(func.coalesce(money_sum(Movement.debit), 0), _MONEY).label("debit"),
            type_coerce(func.coalesce(money_sum(Movement.credit), 0), _MONEY).label("credit"),
            balance.label("balance"),
            _side(balance).label("side"),
        )
        .select_from(Account)
        .outerjoin(Movement, and_(*on))
        .where(*where)
        .group_by(Account.code, Movement.currency)
    )
    having = having_clause(criteria, balance)
    if having is not None:
        statement = statement.having(having)
    return statement


def _ordered(criteria: BalanceCriteria) -> AnySelect:
    statement = balance_statement(criteria)
    if criteria.sort is BalanceSort.CODE:
        code = Account.code.desc() if criteria.descending else Account.code.asc()
        return statement.order_by(code, Movement.currency)
    column: ColumnElement[Any]
    if criteria.sort is BalanceSort.TITLE:
        column = func.min(Account.title)
    else:
        column = raw_balance()
    order = column.desc() if criteria.descending else column.asc()
    return statement.order_by(order, Account.code, Movement.currency)


def _rows(session: Session, result: Any) -> list[BalanceRow]:
    """Rows of the aggregate, with the recipient check made for these accounts only."""
    values = list(result)
    ids = sorted({int(v.account_id) for v in values})
    ok: set[int] = set()
    for start in range(0, len(ids), 500):
        part = ids[start : start + 500]
        statement = select(Account.id).where(Account.id.in_(part), recipient_ok())
        ok.update(int(i) for i in session.scalars(statement))
    return [_row(v, int(v.account_id) in ok) for v in values]


def _row(values: Any, recipient_ok: bool) -> BalanceRow:
    debit, credit = _money(values.debit), _money(values.credit)
    balance = debit - credit
    return BalanceRow(
        account_id=int(values.account_id),
        code=str(values.code),
        title=str(values.title),
        currency=str(values.currency),
        debit=debit,
        credit=credit,
        balance=balance,
        side=balance_side(balance),
        recipient_ok=recipient_ok,
    )


def balance_side(balance: Decimal) -> BalanceSide:
    if balance > 0:
        return BalanceSide.DEBIT
    if balance < 0:
        return BalanceSide.CREDIT
    return BalanceSide.NONE


def _money(value: Decimal | None) -> Decimal:
    """A sum read through `Money`: already exact; `None` (no rows) is zero."""
    if value is None:
        return _ZERO
    if not isinstance(value, Decimal):
        raise TypeError(f"a money sum came back as {type(value).__name__}")
    return value.quantize(_ZERO)


@overflow_safe
def count_balances(session: Session, criteria: BalanceCriteria) -> int:
    """How many rows the list has: the same aggregate, grouped in table order (cheaper
    than code order when every group is read anyway)."""
    on, where = join_and_where(criteria, None)
    groups = (
        select(literal(1))
        .select_from(Account)
        .outerjoin(Movement, and_(*on))
        .where(*where)
        .group_by(Account.id, Movement.currency)
    )
    having = having_clause(criteria, raw_balance())
    if having is not None:
        groups = groups.having(having)
    return int(session.scalar(select(func.count()).select_from(groups.subquery())) or 0)


@overflow_safe
def balance_page(
    session: Session, criteria: BalanceCriteria, offset: int, limit: int
) -> list[BalanceRow]:
    """Rows `offset` … `offset + limit` of the sorted list."""
    return _rows(session, session.execute(_ordered(criteria).offset(offset).limit(limit)))


def first_page(
    session: Session, criteria: BalanceCriteria, limit: int
) -> tuple[list[BalanceRow], int]:
    """The first rows and the count of all rows.

    The rows alone (`balance_page`) come back at once when the list is in code order; the
    count needs the whole aggregate, so a screen may show the rows first and ask for
    `count_balances` after.
    """
    rows = balance_page(session, criteria, 0, limit)
    if len(rows) < limit:
        return rows, len(rows)
    return rows, count_balances(session, criteria)


@overflow_safe
def balance_keys(session: Session, criteria: BalanceCriteria) -> list[BalanceKey]:
    """Every key of the list in its order ("select all")."""
    ordered = _ordered(criteria).subquery()
    return [
        (int(a), str(c))
        for a, c in session.execute(select(ordered.c.account_id, ordered.c.currency))
    ]


@overflow_safe
def list_sums(session: Session, criteria: BalanceCriteria) -> list[BalanceSums]:
    """Count and sums of the whole list, per currency."""
    return _sums(session, balance_statement(criteria).subquery())


@overflow_safe
def balances_for_keys(
    session: Session, as_of: date, keys: Iterable[BalanceKey], *, chunk: int = 500
) -> list[BalanceRow]:
    """The rows of the given keys as of `as_of`, whatever the list's filters were."""
    wanted = list(dict.fromkeys(keys))
    found: dict[BalanceKey, BalanceRow] = {}
    for start in range(0, len(wanted), chunk):
        part = wanted[start : start + chunk]
        ids = sorted({a for a, _ in part})
        criteria = BalanceCriteria(as_of=as_of, only_active=False)
        rows = balance_statement(criteria, ids).subquery()
        for row in _rows(session, session.execute(select(rows))):
            found[row.key] = row
    result: list[BalanceRow] = []
    for key in wanted:
        chosen = found.get(key) or _zero_row(session, key)
        if chosen is not None:
            result.append(chosen)
    return result


def _zero_row(session: Session, key: BalanceKey) -> BalanceRow | None:
    """An account selected for a currency it has no movement in (all totals zero)."""
    account = session.get(Account, key[0])
    if account is None:
        return None
    reachable = select(Account.id).where(Account.id == account.id, recipient_ok())
    ok = session.scalar(reachable) is not None
    return BalanceRow(
        account.id, account.code, account.title, key[1], _ZERO, _ZERO, _ZERO, BalanceSide.NONE, ok
    )


@overflow_safe
def selection_sums(
    session: Session, as_of: date, keys: Sequence[BalanceKey], *, chunk: int = 500
) -> list[BalanceSums]:
    """Count and sums of the selected rows per currency, summed in the database."""
    totals: dict[str, list[Decimal | int]] = {}
    for start in range(0, len(keys), chunk):
        part = list(keys[start : start + chunk])
        criteria = BalanceCriteria(as_of=as_of, only_active=False)
        rows = balance_statement(criteria, sorted({a for a, _ in part})).subquery()
        chosen = (
            select(rows)
            .where(tuple_(rows.c.account_id, rows.c.currency).in_(part) if part else false())
            .subquery()
        )
        for sums in _sums(session, chosen):
            current = totals.setdefault(sums.currency, [0, _ZERO, _ZERO, _ZERO])
            current[0] = int(current[0]) + sums.count
            current[1] = Decimal(current[1]) + sums.debit
            current[2] = Decimal(current[2]) + sums.credit
            current[3] = Decimal(current[3]) + sums.balance
    return [
        BalanceSums(cur, int(v[0]), Decimal(v[1]), Decimal(v[2]), Decimal(v[3]))
        for cur, v in sorted(totals.items())
    ]


def _sums(session: Session, rows: Any) -> list[BalanceSums]:
    statement = (
        select(
            rows.c.currency,
            func.count(),
            money_sum(type_coerce(rows.c.debit, _MONEY)),
            money_sum(type_coerce(rows.c.credit, _MONEY)),
        )
        .group_by(rows.c.currency)
        .order_by(rows.c.currency)
    )
    # The sum of the balances is the debit sum minus the credit sum, taken in Python.
    return [
        BalanceSums(str(c), int(n), _money(d), _money(cr), _money(d) - _money(cr))
        for c, n, d, cr in session.execute(statement)
    ]


def balances_of_accounts(
    session: Session, as_of: date, account_ids: Iterable[int], *, chunk: int = 500
) -> dict[int, list[BalanceRow]]:
    """Every currency's row of each account as of `as_of` (an account without movements
    has one zero row in its own currency), whatever the list's filters were."""
    ids = sorted(set(account_ids))
    found: dict[int, list[BalanceRow]] = {}
    for start in range(0, len(ids), chunk):
        criteria = BalanceCriteria(as_of=as_of, only_active=False)
        rows = balance_statement(criteria, ids[start : start + chunk]).subquery()
        for row in _rows(session, session.execute(select(rows))):
            found.setdefault(row.account_id, []).append(row)
    return found
