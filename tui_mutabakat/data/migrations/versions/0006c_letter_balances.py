"""letter balances per currency (one letter per account) and answers per currency

Revision ID: 0006c_letter_balances
Revises: 0006b_exact_money
Create Date: 2026-12-05
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006c_letter_balances"
down_revision = "0006b_exact_money"
branch_labels = None
depends_on = None


def _money() -> sa.types.TypeEngine[Any]:
    """A money column as 0006b_exact_money left them: integer kuruş on SQLite."""
    if op.get_bind().dialect.name == "sqlite":
        return sa.BigInteger()
    return sa.Numeric(precision=18, scale=2)


def upgrade() -> None:
    op.create_table(
        "letter_balance",
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("debit_total", _money(), nullable=False),
        sa.Column("credit_total", _money(), nullable=False),
        sa.Column("balance", _money(), nullable=False),
        sa.Column("side", sa.String(length=1), nullable=False),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["letter.id"],
            name=op.f("fk_letter_balance_letter_id_letter"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("letter_id", "currency", name=op.f("pk_letter_balance")),
    )
    op.create_table(
        "answer_balance",
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("their_balance", _money(), nullable=False),
        sa.Column("their_side", sa.String(length=1), nullable=False),
        sa.Column("difference", _money(), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["letter_answer.id"],
            name=op.f("fk_answer_balance_answer_id_letter_answer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("answer_id", "currency", name=op.f("pk_answer_balance")),
    )
    # Every letter written so far stated one currency: its own columns (stored alike).
    op.execute(
        "INSERT INTO letter_balance "
        "(letter_id, currency, position, debit_total, credit_total, balance, side) "
        "SELECT id, currency, 0, debit_total, credit_total, balance, side FROM letter"
    )
    op.execute(
        "INSERT INTO answer_balance (answer_id, currency, their_balance, their_side, difference) "
        "SELECT a.id, l.currency, a.their_balance, a.their_side, a.difference "
        "FROM letter_answer a JOIN letter l ON l.id = a.letter_id "
        "WHERE a.their_balance IS NOT NULL AND a.difference IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("answer_balance")
    op.drop_table("letter_balance")
