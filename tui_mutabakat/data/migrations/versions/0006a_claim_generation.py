"""letter claim generation: every outbox state change is a compare-and-set on it

Revision ID: 0006a_claim_generation
Revises: 0006f_intake
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006a_claim_generation"
down_revision = "0006f_intake"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("claim_gen", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.drop_column("claim_gen")
