"""seed 004 to the letter: paid sales orders, the account's payment term, dispatch notes

Revision ID: 0006n_seed_rules
Revises: 0006m_portal
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006n_seed_rules"
down_revision = "0006m_portal"
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
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="invoice")
        )
        batch_op.add_column(sa.Column("billed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_invoice_billed_by_id_invoice"),
            "invoice",
            ["billed_by_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table("invoice", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_invoice_billed_by_id_invoice"), type_="foreignkey")
        batch_op.drop_column("billed_by_id")
        batch_op.drop_column("kind")
    for table in ("account_parameters", "working_settings"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("payment_days")
    with op.batch_alter_table("sales_order", schema=None) as batch_op:
        batch_op.drop_column("paid")
