"""sent_message_id: every Message-ID a letter was sent under (resends, reminders)

Revision ID: 0006e_message_ids
Revises: 0006g_service_sender
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006e_message_ids"
down_revision = "0006g_service_sender"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sent_message_id",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["letter.id"],
            name=op.f("fk_sent_message_id_letter_id_letter"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sent_message_id")),
        sa.UniqueConstraint("message_id", name=op.f("uq_sent_message_id_message_id")),
    )
    op.create_index(
        op.f("ix_sent_message_id_letter_id"), "sent_message_id", ["letter_id"], unique=False
    )
    # The reminders sent so far: their Message-IDs name the letter they remind of.
    op.execute(
        "INSERT INTO sent_message_id (letter_id, message_id, kind, created_at) "
        "SELECT r.letter_id, l.message_id, 'reminder', r.created_at "
        "FROM letter_reminder r JOIN letter l ON l.id = r.outbox_letter_id"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_sent_message_id_letter_id"), table_name="sent_message_id")
    op.drop_table("sent_message_id")
