"""Shared fixtures: a migrated database per test, the acting user, and the app factory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tui_mutabakat.app import MutabakatApp, make_app
from tui_mutabakat.config import Settings, sqlite_url
from tui_mutabakat.data import migrate
from tui_mutabakat.data.session import Database
from tui_mutabakat.i18n import set_language
from tui_mutabakat.services.context import Actor, resolve_actor

set_language("tr")


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    """A fresh, migrated SQLite database in a temporary directory."""
    db = Database.from_url(sqlite_url(tmp_path / "test.sqlite3"))
    migrate.upgrade(db.engine)
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
