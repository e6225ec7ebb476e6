"""intake on hostile input: unreadable messages, the sender of every message and answer

Revision ID: 0006f_intake
Revises: 0006i_batch_send_options
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006f_intake"
down_revision = "0006i_batch_send_options"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unreadable_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_key", sa.String(length=255), nullable=False),
        sa.Column("mailbox", sa.String(length=400), nullable=False),
        sa.Column("uid", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("headers", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unreadable_message")),
        sa.UniqueConstraint("message_key", name=op.f("uq_unreadable_message_message_key")),
    )
    with op.batch_alter_table("processed_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("from_address", sa.String(length=254), nullable=False, server_default="")
        )
    with op.batch_alter_table("letter_answer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("foreign_sender", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("letter_answer", schema=None) as batch_op:
        batch_op.drop_column("foreign_sender")
    with op.batch_alter_table("processed_message", schema=None) as batch_op:
        batch_op.drop_column("from_address")
    op.drop_table("unreadable_message")
