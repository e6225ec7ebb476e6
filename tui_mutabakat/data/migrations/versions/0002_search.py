"""account search text: the folded title, for case- and Turkish-letter-blind search

Revision ID: 0002_search
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tui_mutabakat.domain.text import search_key

revision = "0002_search"
down_revision = "0001"
branch_labels = None
depends_on = None

_BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_text", sa.String(length=300), nullable=False, server_default="")
        )
    account = sa.table(
        "account",
        sa.column("id", sa.Integer),
        sa.column("title", sa.String),
        sa.column("search_text", sa.String),
    )
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(account.c.id, account.c.title)
            .where(account.c.id > last_id)
            .order_by(account.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            account.update()
            .where(account.c.id == sa.bindparam("row_id"))
            .values(search_text=sa.bindparam("text")),
            [{"row_id": r.id, "text": search_key(r.title)} for r in rows],
        )
        last_id = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_column("search_text")
