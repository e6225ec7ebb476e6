"""seed 004 to the letter: paid sales orders, the account's payment term

Revision ID: 0006n_seed_rules
Revises: 0006f_intake
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006n_seed_rules"
down_revision = "0006f_intake"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sales_order", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("paid", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    for table in ("working_settings", "account_parameters"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("payment_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    for table in ("account_parameters", "working_settings"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("payment_days")
    with op.batch_alter_table("sales_order", schema=None) as batch_op:
        batch_op.drop_column("paid")
