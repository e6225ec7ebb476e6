"""the letter list of a batch pages in account-code order from an index (issue 16.4)

Revision ID: 0007l_letter_list
Revises: 0006n_seed_rules
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0007l_letter_list"
down_revision = "0006n_seed_rules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_letter_batch_code", "letter", ["batch_id", "account_code", "id"])


def downgrade() -> None:
    op.drop_index("ix_letter_batch_code", table_name="letter")
