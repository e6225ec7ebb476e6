"""the account title's Turkish sort key: sorting by title is "Akın" before "Aksoy"

Revision ID: 0007y_title_key
Revises: 0007l_letter_list
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from tui_mutabakat.domain.text import sort_key

revision = "0007y_title_key"
down_revision = "0007l_letter_list"
branch_labels = None
depends_on = None

_BATCH = 5000


def upgrade() -> None:
    key_type = sa.String(length=400).with_variant(
        sa.String(length=400, collation="C"), "postgresql"
    )
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title_key", key_type, nullable=False, server_default=""))
    account = sa.table(
        "account",
        sa.column("id", sa.Integer),
        sa.column("title", sa.String),
        sa.column("title_key", sa.String),
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
            .values(title_key=sa.bindparam("key")),
            [{"row_id": r.id, "key": sort_key(r.title)} for r in rows],
        )
        last_id = rows[-1].id
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_account_title_key"), ["title_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("account", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_account_title_key"))
        batch_op.drop_column("title_key")
