"""The balance list of "e-Mutabakat Gönder" (SPEC D1, D2): totals per account and currency."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.send_data import add_account, add_movement
from tui_mutabakat.data.balance_queries import (
    BalanceCriteria,
    BalanceFilter,
    BalanceSort,
    balance_keys,
    balance_page,
    balances_for_keys,
    count_balances,
    first_page,
    list_sums,
    selection_sums,
)
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.states import BalanceSide

AS_OF = date(2026, 12, 31)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest) -> Database:
    """The same tests on SQLite and, where the fixture exists, on PostgreSQL."""
    name = "database" if request.param == "sqlite" else "pg_database"
    try:
        found: Database = request.getfixturevalue(name)
    except pytest.FixtureLookupError:
        pytest.skip("needs the pg_database fixture (PostgreSQL) from tests/conftest.py")
    return found


@pytest.fixture
def ids(db: Database) -> dict[str, int]:
    database = db
    with database.unit_of_work() as session:
        a = add_account(session, "120.001", "Alfa Ltd", emails=("a@alfa.com.tr",), group_code="G1")
        b = add_account(session, "120.002", "Beta AŞ", emails=("yanlis-adres",), group_code="G1")
        c = add_account(session, "320.001", "Gama Tic", department_email="muhasebe@gama.com.tr")
        d = add_account(session, "320.002", "Delta", emails=("d@delta.com",), region_code="EGE")
        e = add_account(session, "320.003", "Epsilon (hareketsiz)", emails=("e@eps.com",))
        f = add_account(session, "320.004", "Pasif", emails=("f@f.com",), active=False)
        add_movement(session, a, date(2026, 3, 1), debit="1000.10")
        add_movement(session, a, date(2026, 6, 1), credit="234.55")
        add_movement(session, a, date(2027, 1, 5), debit="99999")  # after the as-of date
        add_movement(session, a, date(2026, 5, 1), debit="500", currency="USD")
        add_movement(session, a, date(2026, 7, 1), credit="125.25", currency="USD")
        add_movement(session, b, date(2026, 2, 1), debit="0.10")
        add_movement(session, b, date(2026, 2, 2), debit="0.20")
        add_movement(session, b, date(2026, 2, 3), credit="0.30")  # 0.1 + 0.2 - 0.3 == 0
        add_movement(session, c, date(2026, 1, 1), credit="1234.56")
        add_movement(session, d, date(2026, 1, 1), debit="5000")
        add_movement(session, f, date(2026, 1, 1), debit="7")
        return {"a": a.id, "b": b.id, "c": c.id, "d": d.id, "e": e.id, "f": f.id}


def _rows(database: Database, criteria: BalanceCriteria) -> list[tuple[str, str, str, str, str]]:
    with database.reader() as session:
        return [
            (r.code, r.currency, str(r.debit), str(r.credit), str(r.balance) + r.side)
            for r in balance_page(session, criteria, 0, 100)
        ]


def test_totals_per_account_and_currency_as_of_the_date(db: Database, ids: dict[str, int]) -> None:
    database = db
    assert _rows(database, BalanceCriteria(as_of=AS_OF)) == [
        ("120.001", "TRY", "1000.10", "234.55", "765.55B"),
        ("120.001", "USD", "500.00", "125.25", "374.75B"),
        ("120.002", "TRY", "0.30", "0.30", "0.00"),
        ("320.001", "TRY", "0.00", "1234.56", "-1234.56A"),
        ("320.002", "TRY", "5000.00", "0.00", "5000.00B"),
        ("320.003", "TRY", "0.00", "0.00", "0.00"),
    ]
    # An earlier date leaves out the later movements.
    assert _rows(database, BalanceCriteria(as_of=date(2026, 3, 31), code_to="120.001")) == [
        ("120.001", "TRY", "1000.10", "0.00", "1000.10B"),
    ]


@pytest.mark.parametrize(
    ("criteria", "codes"),
    [
        (
            BalanceCriteria(as_of=AS_OF, balance_filter=BalanceFilter.NON_ZERO),
            ["120.001/TRY", "120.001/USD", "320.001/TRY", "320.002/TRY"],
        ),
        (
            BalanceCriteria(as_of=AS_OF, balance_filter=BalanceFilter.DEBIT),
            ["120.001/TRY", "120.001/USD", "320.002/TRY"],
        ),
        (BalanceCriteria(as_of=AS_OF, balance_filter=BalanceFilter.CREDIT), ["320.001/TRY"]),
        (
            BalanceCriteria(
                as_of=AS_OF, balance_filter=BalanceFilter.ABOVE, amount=Decimal("1000")
            ),
            ["320.001/TRY", "320.002/TRY"],
        ),
        (BalanceCriteria(as_of=AS_OF, currency="USD"), ["120.001/USD"]),
        (
            BalanceCriteria(as_of=AS_OF, group_code="G1"),
            ["120.001/TRY", "120.001/USD", "120.002/TRY"],
        ),
        (BalanceCriteria(as_of=AS_OF, region_code="EGE"), ["320.002/TRY"]),
        (
            BalanceCriteria(as_of=AS_OF, code_from="120.002", code_to="320.001"),
            ["120.002/TRY", "320.001/TRY"],
        ),
        (
            BalanceCriteria(as_of=AS_OF, only_valid_recipients=True),
            ["120.001/TRY", "120.001/USD", "320.001/TRY", "320.002/TRY", "320.003/TRY"],
        ),
        (
            BalanceCriteria(as_of=AS_OF, only_active=False, code_from="320.004"),
            ["320.004/TRY"],
        ),
    ],
)
def test_filters(
    db: Database, ids: dict[str, int], criteria: BalanceCriteria, codes: list[str]
) -> None:
    with db.reader() as session:
        rows = balance_page(session, criteria, 0, 100)
        assert [f"{r.code}/{r.currency}" for r in rows] == codes
        assert count_balances(session, criteria) == len(codes)


def test_pages_count_sort_and_sums(db: Database, ids: dict[str, int]) -> None:
    criteria = BalanceCriteria(as_of=AS_OF, balance_filter=BalanceFilter.NON_ZERO)
    with db.reader() as session:
        rows, total = first_page(session, criteria, 2)
        assert total == 4
        assert [r.key for r in rows] == [(ids["a"], "TRY"), (ids["a"], "USD")]
        assert [r.code for r in balance_page(session, criteria, 2, 2)] == ["320.001", "320.002"]
        by_balance = BalanceCriteria(
            as_of=AS_OF, balance_filter=BalanceFilter.NON_ZERO, sort=BalanceSort.BALANCE
        )
        assert [r.balance for r in balance_page(session, by_balance, 0, 10)] == [
            Decimal("-1234.56"),
            Decimal("374.75"),
            Decimal("765.55"),
            Decimal("5000.00"),
        ]
        keys = balance_keys(session, criteria)
        assert len(keys) == 4
        sums = {s.currency: s for s in list_sums(session, criteria)}
        assert sums["TRY"].count == 3
        assert sums["TRY"].balance == Decimal("4530.99")
        chosen = selection_sums(session, AS_OF, [(ids["a"], "TRY"), (ids["c"], "TRY")])
        assert [(s.currency, s.count, s.debit, s.credit, s.balance) for s in chosen] == [
            ("TRY", 2, Decimal("1000.10"), Decimal("1469.11"), Decimal("-469.01"))
        ]
        found = balances_for_keys(session, AS_OF, [(ids["c"], "TRY"), (ids["e"], "TRY")])
        assert [(r.code, r.balance, r.side) for r in found] == [
            ("320.001", Decimal("-1234.56"), BalanceSide.CREDIT),
            ("320.003", Decimal("0.00"), BalanceSide.NONE),
        ]
