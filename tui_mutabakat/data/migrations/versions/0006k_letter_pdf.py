"""the batch remembers whether its letters carry the letter as a PDF attachment

Revision ID: 0006k_letter_pdf
Revises: 0006h_import
Create Date: 2026-12-05

Sending again from a batch's error list attaches the PDF as the batch's letters did.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006k_letter_pdf"
down_revision = "0006h_import"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reconciliation_batch") as batch:
        batch.add_column(
            sa.Column("attach_pdf", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("reconciliation_batch") as batch:
        batch.drop_column("attach_pdf")
