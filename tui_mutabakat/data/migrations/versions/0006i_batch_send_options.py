"""the batch keeps every send option: one letter per currency, the statement's start

Revision ID: 0006i_batch_send_options
Revises: 0006c_letter_balances
Create Date: 2026-12-05

Sending again from a batch's error list uses the options the batch was written with.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006i_batch_send_options"
down_revision = "0006c_letter_balances"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reconciliation_batch") as batch:
        batch.add_column(
            sa.Column("per_currency", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("statement_from", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("reconciliation_batch") as batch:
        batch.drop_column("statement_from")
        batch.drop_column("per_currency")
