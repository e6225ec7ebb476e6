"""exact money on SQLite: amounts as integer units of their scale

Revision ID: 0006b_exact_money
Revises: 0006e_message_ids
Create Date: 2026-12-05

SQLite stored every `NUMERIC(18, s)` column as a binary float. From here on it stores the
integer count of the column's smallest unit (`Money(s)`, data/money.py) in a `BIGINT`
column. Each stored value is read as the exact number SQLite holds (an integer, or a float
taken at its exact binary value) and rounded half-even to the column's scale, then the
columns are retyped (tables copied, as SQLite alters columns; foreign keys are checked
when the migration ends, see data/migrate.py). What a float had already lost on the way in
(beyond 15 significant digits) cannot come back; everything else comes back exactly.

PostgreSQL keeps `NUMERIC(18, s)`: nothing changes there.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import sqlalchemy as sa
from alembic import op

revision = "0006b_exact_money"
down_revision = "0006e_message_ids"
branch_labels = None
depends_on = None

#: table → (column, scale, nullable) of every money column.
COLUMNS: dict[str, tuple[tuple[str, int, bool], ...]] = {
    "working_settings": (("due_track_amount", 2, True),),
    "account_parameters": (("due_track_amount", 2, True),),
    "account": (("risk_limit", 2, True),),
    "movement": (
        ("debit", 2, False),
        ("credit", 2, False),
        ("fx_rate", 6, True),
        ("settled", 2, False),
    ),
    "settlement": (("amount", 2, False),),
    "sales_order": (("total", 2, False),),
    "sales_order_line": (("quantity", 3, False), ("unit_price", 2, False), ("shipped", 3, False)),
    "invoice": (("total", 2, False),),
    "invoice_line": (("quantity", 3, False), ("unit_price", 2, False)),
    "letter": (("debit_total", 2, False), ("credit_total", 2, False), ("balance", 2, False)),
    "letter_answer": (("their_balance", 2, True), ("difference", 2, True)),
}

_LIMIT = 10**18


def units(stored: object, scale: int) -> int | None:
    """The integer units of a value an older version stored as `NUMERIC` on SQLite."""
    if stored is None:
        return None
    if isinstance(stored, bool) or not isinstance(stored, int | float | str):
        raise ValueError(f"not an amount: {stored!r}")
    with localcontext() as context:
        context.prec = 80
        exact = Decimal(stored)  # a float's exact binary value
        if not exact.is_finite():
            raise ValueError(f"not an amount: {stored!r}")
        result = int(exact.scaleb(scale).to_integral_value(rounding=ROUND_HALF_EVEN))
    if abs(result) >= _LIMIT:
        raise ValueError(f"amount out of range: {stored!r}")
    return result


def amount(stored: object, scale: int) -> float | None:
    """The old float form of integer units (for going back down)."""
    if stored is None:
        return None
    if not isinstance(stored, int):
        raise ValueError(f"not integer units: {stored!r}")
    return float(Decimal(stored).scaleb(-scale))


def _rewrite(table: str, convert: Callable[[object, int], int | float | None]) -> None:
    """Rewrite every money value of `table` with `convert(value, scale)`."""
    columns = COLUMNS[table]
    names = ", ".join(c for c, _, _ in columns)
    connection = op.get_bind()
    rows = connection.exec_driver_sql(f"SELECT rowid, {names} FROM {table}").all()
    if not rows:
        return
    assignments = ", ".join(f"{c} = ?" for c, _, _ in columns)
    values = [
        (*(convert(row[i + 1], s) for i, (_, s, _) in enumerate(columns)), row[0]) for row in rows
    ]
    connection.exec_driver_sql(f"UPDATE {table} SET {assignments} WHERE rowid = ?", values)


def _retype(table: str, to_units: bool) -> None:
    with op.batch_alter_table(table, recreate="always") as batch_op:
        for column, scale, nullable in COLUMNS[table]:
            numeric = sa.Numeric(precision=18, scale=scale)
            batch_op.alter_column(
                column,
                existing_type=numeric if to_units else sa.BigInteger(),
                type_=sa.BigInteger() if to_units else numeric,
                existing_nullable=nullable,
            )


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in COLUMNS:
        _rewrite(table, units)
        _retype(table, to_units=True)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in COLUMNS:
        _rewrite(table, amount)
        _retype(table, to_units=False)
