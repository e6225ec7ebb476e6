"""Shared fixtures: a migrated database per test, the acting user, and the app factory."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from tui_mutabakat.app import MutabakatApp, make_app
from tui_mutabakat.config import Settings, sqlite_url
from tui_mutabakat.data import migrate
from tui_mutabakat.data.session import Database
from tui_mutabakat.i18n import set_language
from tui_mutabakat.services.context import Actor, resolve_actor

from .servers import (
    DatabaseFactory,
    PostgresServer,
    PostgresUnavailable,
    external_url,
    find_bindir,
)

set_language("tr")


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to the head, per test session (per xdist worker).

    Migrating costs a quarter of a second; a test copies this file instead. The copy is
    made with SQLite's backup, so it holds exactly what a migration leaves, WAL included."""
    path = tmp_path_factory.mktemp("migrated") / "head.sqlite3"
    db = Database.from_url(sqlite_url(path))
    migrate.upgrade(db.engine)
    db.dispose()
    return path


def _copy_sqlite(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)
    origin.close()
    copy.close()


@pytest.fixture
def database(tmp_path: Path, migrated_sqlite: Path) -> Iterator[Database]:
    """A fresh, migrated SQLite database in a temporary directory."""
    path = tmp_path / "test.sqlite3"
    _copy_sqlite(migrated_sqlite, path)
    db = Database.from_url(sqlite_url(path))
    yield db
    db.dispose()


@pytest.fixture
def actor(database: Database) -> Actor:
    with database.unit_of_work() as session:
        return resolve_actor(session, "tester")


@pytest.fixture
def settings(tmp_path: Path, database: Database) -> Settings:
    return Settings(
        data_dir=tmp_path,
        database_url=database.engine.url.render_as_string(hide_password=False),
        mail_backend="file",
        user_login="tester",
    )


@pytest.fixture
def app(settings: Settings, database: Database) -> MutabakatApp:
    return make_app(settings, database)


# --- PostgreSQL: a server per test session (per xdist worker), a database per test ---------


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _unavailable(message: str) -> NoReturn:
    """No PostgreSQL: a failure in CI (the suite must run there), a skip on a laptop."""
    if _in_ci():
        pytest.fail(f"PostgreSQL is required in CI (CI=true): {message}", pytrace=False)
    pytest.skip(f"PostgreSQL not available: {message}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that uses a PostgreSQL fixture carries the `postgres` mark."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "pg_database" in names or "postgres_factory" in names:
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def postgres_factory() -> Iterator[DatabaseFactory]:
    """Databases on this worker's PostgreSQL server (started here, stopped at the end)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    given = external_url()
    server: PostgresServer | None = None
    if given is None:
        bindir = find_bindir()
        if bindir is None:
            _unavailable(
                "no initdb/pg_ctl found (pg_config --bindir, /usr/lib/postgresql/*/bin); "
                "install Debian's `postgresql` package or run `bash scripts/test.sh` as root"
            )
        problem = ""
        try:
            server = PostgresServer.start(bindir)
        except (PostgresUnavailable, OSError, subprocess.SubprocessError) as exc:
            problem = str(exc)
        if server is None:
            # The binaries are there, so this is a fault to see, on a laptop too.
            pytest.fail(f"the PostgreSQL test server did not start: {problem}", pytrace=False)
        admin_url = server.url()
        prefix = f"test_{worker}"
    else:
        admin_url = given
        prefix = f"mutabakat_test_{worker}_{os.getpid()}"
    factory = DatabaseFactory(admin_url, prefix)
    try:
        yield factory
    finally:
        try:
            factory.close()
        finally:
            if server is not None:
                server.stop()


@pytest.fixture
def pg_database(postgres_factory: DatabaseFactory) -> Iterator[Database]:
    """A fresh, migrated PostgreSQL database of its own, dropped after the test."""
    name = postgres_factory.create_migrated()
    db = Database.from_url(postgres_factory.url(name))
    yield db
    db.dispose()
    postgres_factory.drop(name)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_database(request: pytest.FixtureRequest) -> Database:
    """The same test on a migrated SQLite and a migrated PostgreSQL database."""
    fixture = "database" if request.param == "sqlite" else "pg_database"
    db: Database = request.getfixturevalue(fixture)
    return db


@pytest.fixture
def any_actor(any_database: Database) -> Actor:
    with any_database.unit_of_work() as session:
        return resolve_actor(session, "tester")
