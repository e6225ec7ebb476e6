"""answers on the web page: the responder, where from, proof hashes, attachments

Revision ID: 0006m_portal
Revises: 0006k_letter_pdf
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006m_portal"
down_revision = "0006k_letter_pdf"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("responder", 400),
    ("client_address", 64),
    ("user_agent", 400),
    ("sent_sha256", 64),
    ("shown_sha256", 64),
)


def upgrade() -> None:
    with op.batch_alter_table("letter_answer", schema=None) as batch_op:
        for name, length in _COLUMNS:
            batch_op.add_column(
                sa.Column(name, sa.String(length=length), nullable=False, server_default="")
            )
    op.create_table(
        "answer_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["letter_answer.id"],
            name=op.f("fk_answer_attachment_answer_id_letter_answer"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_attachment")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_answer_attachment_stored_name")),
    )
    op.create_index(
        op.f("ix_answer_attachment_answer_id"), "answer_attachment", ["answer_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_answer_attachment_answer_id"), table_name="answer_attachment")
    op.drop_table("answer_attachment")
    with op.batch_alter_table("letter_answer", schema=None) as batch_op:
        for name, _length in reversed(_COLUMNS):
            batch_op.drop_column(name)
