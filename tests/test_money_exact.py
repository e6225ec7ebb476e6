"""Exact money on SQLite and PostgreSQL (issue 9, point 7): the `Money` column type, the
exact sums, and the migration that converts a database written with floats."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, inspect, select
from sqlalchemy.exc import StatementError

from tui_mutabakat.config import sqlite_url
from tui_mutabakat.data import migrate
from tui_mutabakat.data.account_queries import balances_for
from tui_mutabakat.data.balance_queries import (
    BalanceCriteria,
    BalanceFilter,
    balance_page,
    list_sums,
    selection_sums,
)
from tui_mutabakat.data.models import Account, Movement, WorkingSettings
from tui_mutabakat.data.money import from_units, to_units
from tui_mutabakat.data.ops_models import Settlement
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import DocumentType

BIGGEST = Decimal("9999999999999999.99")
NEAR_THE_TOP = Decimal("1234567890123456.78")
AS_OF = dt.date(2026, 12, 31)


def _account(db: Database, code: str) -> int:
    with db.unit_of_work() as session:
        account = Account(code=code, title=f"Hesap {code}")
        session.add(account)
        session.flush()
        return account.id


def _movement(account_id: int, debit: Decimal, credit: Decimal, currency: str = "TRY") -> Movement:
    return Movement(
        account_id=account_id,
        date=dt.date(2026, 6, 30),
        doc_type=DocumentType.SALES_INVOICE,
        debit=debit,
        credit=credit,
        currency=currency,
    )


def test_units_round_half_even_and_refuse_what_does_not_fit() -> None:
    assert to_units(Decimal("12.34"), 2) == 1234
    assert to_units(Decimal("0.005"), 2) == 0
    assert to_units(Decimal("0.015"), 2) == 2
    assert to_units(BIGGEST, 2) == 999_999_999_999_999_999
    assert from_units(999_999_999_999_999_999, 2) == BIGGEST
    assert from_units("123456789012345678901234", 2) == Decimal("1234567890123456789012.34")
    with pytest.raises(ValueError, match="out of range"):
        to_units(BIGGEST + Decimal("0.01"), 2)
    with pytest.raises(ValueError, match="out of range"):
        to_units(Decimal("1e30"), 2)
    with pytest.raises(TypeError):
        to_units(0.1, 2)  # type: ignore[arg-type]


@pytest.mark.parametrize("amount", [NEAR_THE_TOP, BIGGEST, -BIGGEST, Decimal("0.01")], ids=str)
def test_the_largest_amounts_round_trip_and_sum_exactly(
    any_database: Database, amount: Decimal
) -> None:
    account_id = _account(any_database, "120.01")
    with any_database.unit_of_work() as session:
        session.add(_movement(account_id, amount, Decimal("0.01")))
        session.add(_movement(account_id, amount, Decimal("0")))
        session.get_one(Account, account_id).risk_limit = amount
    with any_database.reader() as session:
        stored = session.scalars(select(Movement.debit)).all()
        limit = session.scalar(select(Account.risk_limit))
        balances = balances_for(session, [account_id])
    assert stored == [amount, amount]
    assert limit == amount
    assert str(stored[0]) == str(amount)
    # Twice the largest amount is beyond the column, not beyond the sum.
    assert balances == {(account_id, "TRY"): amount * 2 - Decimal("0.01")}


def test_sums_past_64_bits_stay_exact(any_database: Database) -> None:
    """Twenty of the largest amounts on each of two accounts: 2·10²⁰ kuruş, past SQLite's
    integers (its `sum()` raises, the query runs again with the exact sum)."""
    ids = [_account(any_database, code) for code in ("120.01", "120.02")]
    with any_database.unit_of_work() as session:
        for account_id in ids:
            session.add_all(_movement(account_id, BIGGEST, Decimal(0)) for _ in range(20))
            session.add(_movement(account_id, Decimal(0), Decimal("0.01")))
    per_account = BIGGEST * 20 - Decimal("0.01")
    criteria = BalanceCriteria(as_of=AS_OF)
    with any_database.reader() as session:
        assert balances_for(session, ids) == {(a, "TRY"): per_account for a in ids}
        rows = balance_page(session, criteria, 0, 10)
        assert [(r.debit, r.balance) for r in rows] == [(BIGGEST * 20, per_account)] * 2
        [whole] = list_sums(session, criteria)
        assert (whole.debit, whole.balance) == (BIGGEST * 40, per_account * 2)
        [chosen] = selection_sums(session, AS_OF, [(a, "TRY") for a in ids])
        assert chosen.balance == per_account * 2


def test_an_amount_beyond_the_column_is_refused_on_both_engines(any_database: Database) -> None:
    account_id = _account(any_database, "120.01")
    with pytest.raises(StatementError), any_database.unit_of_work() as session:
        session.add(_movement(account_id, BIGGEST * 10, Decimal("0")))
    with any_database.reader() as session:
        assert session.scalars(select(Movement.id)).all() == []


def test_sqlite_stores_integer_kurus(database: Database) -> None:
    account_id = _account(database, "120.01")
    with database.unit_of_work() as session:
        movement = _movement(account_id, NEAR_THE_TOP, Decimal("0.10"))
        movement.fx_rate = Decimal("34.123456")
        session.add(movement)
    with database.engine.connect() as connection:
        row = connection.exec_driver_sql(
            "SELECT debit, typeof(debit), credit, fx_rate FROM movement"
        ).one()
    assert tuple(row) == (123456789012345678, "integer", 10, 34123456)


# --- the sums, against Python's Decimal ------------------------------------------------------

_AMOUNTS = st.one_of(
    st.decimals(min_value=0, max_value=1000, places=2),
    st.decimals(min_value=0, max_value=BIGGEST, places=2),
    st.sampled_from([NEAR_THE_TOP, BIGGEST, Decimal("0.01"), Decimal("0.10")]),
)
_MOVEMENTS = st.lists(
    st.tuples(st.integers(0, 3), st.sampled_from(["TRY", "USD"]), _AMOUNTS, _AMOUNTS),
    max_size=25,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(movements=_MOVEMENTS, threshold=_AMOUNTS)
def test_database_sums_equal_decimal_sums(
    any_database: Database,
    movements: list[tuple[int, str, Decimal, Decimal]],
    threshold: Decimal,
) -> None:
    with any_database.unit_of_work() as session:
        session.execute(delete(Movement))
        session.execute(delete(Account))
    ids = [_account(any_database, f"120.{n:02}") for n in range(4)]
    with any_database.unit_of_work() as session:
        session.add_all(_movement(ids[a], d, c, cur) for a, cur, d, c in movements)

    debit: dict[tuple[int, str], Decimal] = {}
    credit: dict[tuple[int, str], Decimal] = {}
    for a, cur, d, c in movements:
        key = (ids[a], cur)
        debit[key] = debit.get(key, Decimal(0)) + d
        credit[key] = credit.get(key, Decimal(0)) + c
    balance = {key: debit[key] - credit[key] for key in debit}

    with any_database.reader() as session:
        assert balances_for(session, ids) == balance
        rows = balance_page(session, BalanceCriteria(as_of=AS_OF, currency="USD"), 0, 100)
        for row in rows:
            key = (row.account_id, "USD")
            assert (row.debit, row.credit, row.balance) == (
                debit.get(key, Decimal(0)),
                credit.get(key, Decimal(0)),
                balance.get(key, Decimal(0)),
            )
        above = BalanceCriteria(as_of=AS_OF, balance_filter=BalanceFilter.ABOVE, amount=threshold)
        got = {r.key for r in balance_page(session, above, 0, 100)}
        assert got == {k for k, v in balance.items() if abs(v) > threshold}
        by_currency = {s.currency: s for s in list_sums(session, BalanceCriteria(as_of=AS_OF))}
        for cur in ("TRY", "USD"):
            keys = [k for k in balance if k[1] == cur]
            if not keys:
                continue
            wanted = (
                sum((debit[k] for k in keys), Decimal(0)),
                sum((credit[k] for k in keys), Decimal(0)),
                sum((balance[k] for k in keys), Decimal(0)),
            )
            whole = by_currency[cur]
            assert (whole.debit, whole.credit, whole.balance) == wanted
            chosen = selection_sums(session, AS_OF, keys)
            assert [(s.count, s.debit, s.credit, s.balance) for s in chosen] == [
                (len(keys), *wanted)
            ]


# --- the migration ---------------------------------------------------------------------------

_WORKING_SETTINGS = (
    "INSERT INTO working_settings (id, default_currency, answer_period_days,"
    " reminder_days_before, version_id, partial_shipment, invoice_copies, approve_by_risk,"
    " approve_by_due_date, approve_by_ageing, due_track_types, due_track_amount,"
    " due_track_action, close_check_action) VALUES (1, 'TRY', 15, 3, 1, 0, 1, 0, 0, 0, '', ?,"
    " 'continue', 'continue')"
)


def test_the_migration_converts_a_database_written_with_floats(tmp_path: Path) -> None:
    """Values stored the old way (binary floats in NUMERIC columns) come back exact, the
    columns hold integer units, and rows that refer to the copied tables still do."""
    db = Database.from_url(sqlite_url(tmp_path / "old.sqlite3"))
    migrate.upgrade(db.engine, "0005_tracking")
    old = [
        # (debit as the old version stored it, credit, settled, fx_rate, expected debit)
        (1234567.89, 0.1, 0.1, 34.123456, Decimal("1234567.89")),
        (0.07, 1e-2, 0.0, None, Decimal("0.07")),
        (1234567890123456.78, 0.0, 0.0, 1.0, Decimal("1234567890123456.75")),
    ]
    with db.engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO account (id, code, title, tax_office, tax_number, address, city, phone,"
            " currency, group_code, sector_code, region_code, notes, active, routing,"
            " department_email, created_at, created_by, updated_at, updated_by, version_id,"
            " search_text, risk_limit)"
            " VALUES (1, '120.1', 'Çınar', '', '', '', '', '', 'TRY', '', '', '', '', 1,"
            " 'contacts', '', '2026-01-01', '', '2026-01-01', '', 1, 'cinar', 250000.55)"
        )
        for n, (debit, credit, settled, fx_rate, _) in enumerate(old, start=1):
            connection.exec_driver_sql(
                "INSERT INTO movement (id, account_id, date, doc_type, doc_no, description,"
                " debit, credit, currency, fx_rate, settled, created_at, created_by)"
                " VALUES (?, 1, '2026-06-30', 'sales_invoice', '', '', ?, ?, 'TRY', ?, ?,"
                " '2026-06-30', '')",
                (n, debit, credit, fx_rate, settled),
            )
        connection.exec_driver_sql(
            "INSERT INTO settlement (id, account_id, debit_movement_id, credit_movement_id,"
            " amount, created_at, created_by) VALUES (1, 1, 1, 2, 0.1, '2026-06-30', '')"
        )
        connection.exec_driver_sql(_WORKING_SETTINGS, (10000.1,))
        stored = connection.exec_driver_sql("SELECT debit FROM movement WHERE id = 3").scalar()
    assert stored == 1234567890123456.75  # what the float kept of …456,78

    migrate.upgrade(db.engine)

    with db.reader() as session:
        movements = session.scalars(select(Movement).order_by(Movement.id)).all()
        assert [m.debit for m in movements] == [o[4] for o in old]
        assert [m.credit for m in movements] == [Decimal("0.10"), Decimal("0.01"), Decimal("0")]
        assert [m.fx_rate for m in movements] == [Decimal("34.123456"), None, Decimal("1")]
        assert session.scalar(select(Account.risk_limit)) == Decimal("250000.55")
        assert session.scalar(select(Settlement.amount)) == Decimal("0.10")
        working = session.scalars(select(WorkingSettings.due_track_amount)).all()
        assert working == [Decimal("10000.10")]
        assert balances_for(session, [1]) == {(1, "TRY"): Decimal("1234567891358024.60")}
    with db.engine.connect() as connection:
        kinds = connection.exec_driver_sql(
            "SELECT typeof(debit), typeof(credit), typeof(settled) FROM movement"
        ).all()
        assert {k for row in kinds for k in row} == {"integer"}
        assert connection.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    inspector = inspect(db.engine)
    columns = {c["name"]: str(c["type"]) for c in inspector.get_columns("movement")}
    assert columns["debit"] == "BIGINT"
    indexes = {ix["name"] for ix in inspector.get_indexes("movement")}
    assert "ix_movement_balance" in indexes
    db.dispose()


def test_the_migration_refuses_a_stored_value_beyond_the_column(tmp_path: Path) -> None:
    db = Database.from_url(sqlite_url(tmp_path / "old.sqlite3"))
    migrate.upgrade(db.engine, "0005_tracking")
    with db.engine.begin() as connection:
        connection.exec_driver_sql(_WORKING_SETTINGS, (1e30,))
    with pytest.raises(ValueError, match="out of range"):
        migrate.upgrade(db.engine)
    assert migrate.current_revision(db.engine) == "0005_tracking"
    db.dispose()
