"""Run the Alembic migrations from inside the installed package (`mutabakat db upgrade`).

Alembic is imported only to migrate: `upgrade` first reads the database's revision with one
query and compares it with the head revision, which is read from the migration files' own
`revision = …` / `down_revision = …` lines (no Alembic machinery); an up-to-date database
costs that query and nothing else (`mutabakat` starts faster).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

from tui_mutabakat.data.session import is_sqlite, make_engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_REVISION = re.compile(r'^revision\s*(?::[^=]*)?=\s*["\']([^"\']+)["\']', re.MULTILINE)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.MULTILINE)


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@cache
def _revision_graph() -> tuple[frozenset[str], frozenset[str]] | None:
    """Every migration file's revision and every revision named as a `down_revision`, read
    from the files' own lines; `None` when the files do not say plainly."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found, down = _REVISION.search(source), _DOWN.search(source)
        if found is None:
            continue
        if down is None:
            return None
        revisions.add(found.group(1))
        downs.update(re.findall(r"[\"']([^\"']+)[\"']", down.group(1)))
    return frozenset(revisions), frozenset(downs)


def head_revision() -> str | None:
    """The one revision no migration file names as its `down_revision`; `None` when the
    files do not say plainly (then Alembic decides)."""
    graph = _revision_graph()
    if graph is None:
        return None
    heads = graph[0] - graph[1]
    return next(iter(heads)) if len(heads) == 1 else None


def known_revisions() -> frozenset[str] | None:
    """The revisions this program's migrations know (a database at another one was
    migrated by a newer program); `None` when the files do not say plainly."""
    graph = _revision_graph()
    return None if graph is None else graph[0]


def database_revision(engine: Engine) -> str | None:
    """The revision stored in `alembic_version` (one query); `None` without the table or
    with other than one row."""
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:
        return None
    return str(rows[0][0]) if len(rows) == 1 else None


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database of `engine` to `revision`, all steps in one transaction; at the
    head already, nothing is loaded and nothing runs."""
    if revision == "head":
        head = head_revision()
        if head is not None and database_revision(engine) == head:
            return
    from alembic import command

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
