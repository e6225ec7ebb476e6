"""Alembic environment: the models' metadata is the target; the URL comes from the caller."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import tui_mutabakat.data.import_models  # noqa: F401  (import runs, saved mappings)
import tui_mutabakat.data.ops_models  # noqa: F401  (orders, invoices, settlements)
from tui_mutabakat.data import models, outbox_models, tracking_models  # noqa: F401  (tables)
from tui_mutabakat.data.base import Base
from tui_mutabakat.data.session import make_engine

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transactional_ddl=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    config = context.config
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


run_migrations_online()
