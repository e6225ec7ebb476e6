"""Engines and sessions. SQLite gets WAL, foreign keys and the exact `money_sum()`
aggregate (data/money.py); PostgreSQL works as it is."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from tui_mutabakat.data.money import register_sqlite_functions
from tui_mutabakat.domain.errors import DatabaseBusy, PermissionDenied
from tui_mutabakat.domain.formatting import format_moment

log = logging.getLogger("mutabakat.data")

#: WAL pages between automatic checkpoints (SQLite's default is 1000). A send rewrites the
#: same pages (letters, recipients, their indexes) over and over; a checkpoint copies only
#: the newest version of each, so a longer WAL means much less copying — measured with
#: `bench/send_throughput.py`, and the WAL file stays a few tens of megabytes.
SQLITE_WAL_AUTOCHECKPOINT = 10_000

#: How long a write waits for SQLite's lock held by another connection (a send's short
#: transactions hold it for milliseconds).
SQLITE_BUSY_TIMEOUT_MS = 10_000

#: How long an interactive write waits instead while an import holds the lock for its whole
#: file: the user is told at once that the database is busy, the screen does not freeze.
SQLITE_BRIEF_WAIT_MS = 300


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_WAL_AUTOCHECKPOINT}")
    cursor.close()


def _sqlite_patience_back(dbapi_connection: Any, record: Any) -> None:
    """A connection lent with a brief lock wait (`Database.unit_of_work`) waits the usual
    time again for its next user."""
    if record.info.pop("brief_wait", False):
        dbapi_connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


def _sqlite_driverless_transactions(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _sqlite_foreign_keys_off(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.execute("PRAGMA foreign_keys=OFF")


def _sqlite_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def _private_sqlite_file(path: Path) -> None:
    """Create the database file (and its directory) readable by its owner only: 0600 in a
    0700 directory. SQLite gives the `-wal` and `-shm` files the database file's mode."""
    if path.exists():
        return
    if not path.parent.is_dir():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.parent.chmod(0o700)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return  # another process made it first
    path.chmod(0o600)


def make_engine(url: str, *, transactional_ddl: bool = False, **kwargs: Any) -> Engine:
    """An engine for `url`.

    `transactional_ddl` (SQLite, for migrations): take transaction control from the driver,
    which otherwise commits before every DDL statement, so that a migration failing halfway
    rolls back whole instead of leaving half a schema; foreign keys are not enforced while
    it runs (SQLite alters a column by copying its table, and dropping the old copy of a
    table others refer to would fail), `migrate.upgrade` checks them all before it commits.
    The application's own engine keeps
    the driver's default, where a read holds no snapshot that a later write could conflict
    with.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_sqlite_file(Path(parsed.database))
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "connect", register_sqlite_functions)
        event.listen(engine, "checkin", _sqlite_patience_back)
        if transactional_ddl:
            event.listen(engine, "connect", _sqlite_driverless_transactions)
            event.listen(engine, "connect", _sqlite_foreign_keys_off)
            event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


class Database:
    """An engine and its session factory: one `unit_of_work()` per use case."""

    def __init__(self, engine: Engine, info: dict[str, Any] | None = None) -> None:
        self.engine = engine
        #: Given to every session as `Session.info` (the portal's link maker, say).
        self.info: dict[str, Any] = dict(info or {})
        self._sessions = sessionmaker(engine, expire_on_commit=False, info=self.info)
        #: How many units of work committed through this object: a list that remembers the
        #: number it last showed knows, when it comes back to the screen, whether to reload.
        self.commits = 0
        #: Set by the interface: while an import holds SQLite's lock, a write is refused
        #: (`DatabaseBusy`) after a moment instead of freezing the screen for the full wait.
        self.brief_wait_during_import = False

    @classmethod
    def from_url(cls, url: str, info: dict[str, Any] | None = None) -> Database:
        return cls(make_engine(url), info)

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """A session that commits when the block ends and rolls back when it raises."""
        with _privileges(self.engine), self._sessions() as session, session.begin():
            if self.brief_wait_during_import and is_sqlite(self.engine):
                _wait_briefly_while_importing(session)
            yield session
        self.commits += 1

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A session for reading only."""
        with _privileges(self.engine), self._sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


#: `import_run.outcome` of an import that has started and not finished (or was killed).
RUNNING = "running"

#: SQLSTATE of PostgreSQL's "permission denied" (insufficient_privilege).
INSUFFICIENT_PRIVILEGE = "42501"


#: SQLite's words for a write lock held by another connection past `busy_timeout`.
_SQLITE_BUSY = ("database is locked", "database table is locked")


@contextmanager
def _privileges(engine: Engine) -> Iterator[None]:
    """A statement the database refused to the connected role (the GRANTs of `mutabakat db
    roles`) becomes a `PermissionDenied` the user can read; a write that waited in vain for
    another session's lock (on SQLite an import holds it for its whole file) a
    `DatabaseBusy` that names the running import."""
    try:
        yield
    except DBAPIError as error:
        if getattr(error.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE:
            raise PermissionDenied.from_database(str(error.orig).split("\n", 1)[0]) from error
        if any(words in str(error.orig) for words in _SQLITE_BUSY):
            raise busy_error(engine) from error
        raise


def _wait_briefly_while_importing(session: Session) -> None:
    """Shorten this connection's lock wait when an import is running (a cheap read that WAL
    lets through); the pool's check-in gives it back its usual patience."""
    from tui_mutabakat.data.import_models import ImportRun

    running = session.scalar(select(ImportRun.id).where(ImportRun.outcome == RUNNING).limit(1))
    if running is None:
        return
    connection = session.connection()
    connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BRIEF_WAIT_MS}")
    connection.connection.info["brief_wait"] = True


def busy_error(engine: Engine) -> DatabaseBusy:
    """What to tell a user whose write found the database locked: the import running now
    when there is one (an `import_run` line not finished yet; WAL lets this read through)."""
    from tui_mutabakat.data.import_models import ImportRun

    try:
        with Session(engine) as session:
            running = session.execute(
                select(ImportRun.user_login, ImportRun.file_name, ImportRun.started_at)
                .where(ImportRun.outcome == RUNNING)
                .order_by(ImportRun.started_at.desc())
                .limit(1)
            ).first()
    except DBAPIError:
        running = None
    if running is None:
        return DatabaseBusy.other()
    started = format_moment(running.started_at)
    return DatabaseBusy.during_import(running.user_login, running.file_name, started)


@contextmanager
def checkpointing(engine: Engine, interval: float = 0.2) -> Iterator[None]:
    """While the block runs, checkpoint SQLite's WAL from a thread of its own.

    A burst of writes (a send) otherwise has its commits cross the automatic checkpoint
    threshold now and then, and that commit copies the WAL into the database on the
    thread that made it — for the sender, its event loop, stalled for a hundred
    milliseconds. A PASSIVE checkpoint neither waits for nor blocks anybody, and SQLite
    runs it without Python's lock, on the other core. Nothing happens on PostgreSQL.
    """
    if not is_sqlite(engine):
        yield
        return
    done = threading.Event()

    def run() -> None:
        try:
            with engine.connect() as conn:
                while not done.wait(interval):
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")
                    conn.commit()
        except Exception:
            # Only speed is lost: commits go back to checkpointing now and then.
            log.exception("the WAL checkpoint thread stopped")

    thread = threading.Thread(target=run, name="mutabakat-checkpoint", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
