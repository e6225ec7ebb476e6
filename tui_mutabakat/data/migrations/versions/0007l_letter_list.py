"""the letter list of a batch: pages in account-code order from an index, and searches a
folded copy of the title (issue 16.4)

Revision ID: 0007l_letter_list
Revises: 0006n_seed_rules
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tui_mutabakat.domain.text import fold

revision = "0007l_letter_list"
down_revision = "0006n_seed_rules"
branch_labels = None
depends_on = None

_BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("title_folded", sa.String(length=300), nullable=False, server_default="")
        )
    op.create_index("ix_letter_batch_code", "letter", ["batch_id", "account_code", "id"])
    letter = sa.table(
        "letter",
        sa.column("id", sa.Integer),
        sa.column("account_title", sa.String),
        sa.column("title_folded", sa.String),
    )
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(letter.c.id, letter.c.account_title)
            .where(letter.c.id > last_id)
            .order_by(letter.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            letter.update()
            .where(letter.c.id == sa.bindparam("row_id"))
            .values(title_folded=sa.bindparam("text")),
            [{"row_id": r.id, "text": fold(r.account_title)} for r in rows],
        )
        last_id = rows[-1].id


def downgrade() -> None:
    op.drop_index("ix_letter_batch_code", table_name="letter")
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.drop_column("title_folded")
