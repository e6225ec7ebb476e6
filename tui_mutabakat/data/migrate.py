"""Run the Alembic migrations from inside the installed package (`mutabakat db upgrade`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine

from tui_mutabakat.data.session import is_sqlite, make_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database of `engine` to `revision`, all steps in one transaction."""
    url = engine.url.render_as_string(hide_password=False)
    config = alembic_config(url)
    migrating = make_engine(url, transactional_ddl=True) if is_sqlite(engine) else engine
    try:
        with migrating.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            if is_sqlite(engine):
                _check_foreign_keys(connection)
    finally:
        if migrating is not engine:
            migrating.dispose()


def _check_foreign_keys(connection: Connection) -> None:
    """Foreign keys are off while SQLite migrates (tables are copied): every row must still
    point at an existing one before the migration commits."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"the migration left rows without their parent rows: {broken[:5]}")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
