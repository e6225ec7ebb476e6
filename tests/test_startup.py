"""`mutabakat` draws its main menu before it imports SQLAlchemy, then opens the database
behind it (issue 14.4): the menu's keys wait for that, and whatever keeps the database from
opening is said on the menu in Turkish."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from textual.widgets import Static

from tests.pilot_keys import press, wait_for
from tui_mutabakat import cli
from tui_mutabakat.app import MutabakatApp, make_app
from tui_mutabakat.config import Settings, sqlite_url
from tui_mutabakat.data import migrate, roles
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import Role
from tui_mutabakat.screens.accounts.account_list import AccountListScreen
from tui_mutabakat.screens.main import MainScreen
from tui_mutabakat.services import startup
from tui_mutabakat.services.context import Actor, resolve_actor
from tui_mutabakat.services.settings.user_admin import set_active

ROOT = Path(__file__).resolve().parent.parent
DATABASE_MODULES = ("sqlalchemy", "alembic", "tui_mutabakat.data", "psycopg")


def _loaded(code: str) -> list[str]:
    """The database modules a fresh interpreter holds after `code`, printed by it."""
    script = (
        "import sys\n"
        f"{code}\n"
        f"print(sorted(m for m in sys.modules if m.startswith({DATABASE_MODULES!r})))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [line for line in result.stdout.splitlines() if line.startswith("[")]


def test_the_command_line_the_app_and_the_menu_import_no_database_layer() -> None:
    code = (
        "from tui_mutabakat.cli import _parser\n"
        "_parser()\n"
        "import tui_mutabakat.app, tui_mutabakat.screens.main"
    )
    assert _loaded(code) == ["[]"]


def test_the_first_frame_is_drawn_before_the_database_layer_is_imported(tmp_path: Path) -> None:
    """The real start: the menu is drawn (headless) with no SQLAlchemy in the process; then
    the database, at the head already, opens behind it without Alembic."""
    url = sqlite_url(tmp_path / "db.sqlite3")
    database = Database.from_url(url)
    migrate.upgrade(database.engine)
    database.dispose()
    code = f"""
import asyncio
from tui_mutabakat.app import make_app
from tui_mutabakat.config import Settings
from tui_mutabakat.i18n import set_language

set_language("tr")
seen = []

async def main():
    app = make_app(Settings(data_dir={str(tmp_path)!r}, database_url={url!r}, user_login="ali"))
    opening = app._open_database

    def watched():
        # called after the first frame: what the process held while drawing it
        seen.append(sorted(m for m in sys.modules if m.startswith({DATABASE_MODULES!r})))
        seen.append(type(app.screen).__name__)
        opening()

    app._open_database = watched
    async with app.run_test() as pilot:
        for _ in range(400):
            if app.ready or app.start_error:
                break
            await pilot.pause(0.05)
        print(app.ready, app.start_error, app.actor.login)

asyncio.run(main())
print(seen[0]); print(seen[1])
print(sorted(m for m in sys.modules if m.split(".")[0] == "alembic"))
"""
    script = "import sys\n" + code
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    ready, first_frame_modules, screen, alembic = result.stdout.splitlines()[-4:]
    assert ready == "True None ali"
    assert first_frame_modules == "[]"
    assert screen == "MainScreen"
    assert alembic == "[]"


def _status(app: MutabakatApp) -> str:
    return str(app.screen.query_one("#main-status", Static).render())


def _menu_key_enabled(app: MutabakatApp, key: str) -> bool:
    entry = app.screen.active_bindings[key]
    return entry.enabled


@pytest.fixture
def held_open(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The opening of the database waits until the test sets the event."""
    release = threading.Event()
    real = startup.open_for_interface

    def held(settings: Settings) -> startup.Opened:
        release.wait(10)
        return real(settings)

    monkeypatch.setattr(startup, "open_for_interface", held)
    yield release
    release.set()


async def test_the_menu_keys_wait_for_the_database(
    settings: Settings, database: Database, held_open: threading.Event
) -> None:
    app = make_app(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert not app.ready
        assert "Veritabanı açılıyor" in _status(app)
        assert not _menu_key_enabled(app, "f3")
        await press(pilot, "f3")
        await press(pilot, "enter")  # the first entry, chosen in the list
        assert isinstance(app.screen, MainScreen)
        held_open.set()
        await wait_for(pilot, lambda: app.ready)
        await pilot.pause()
        assert _menu_key_enabled(app, "f3")
        assert app.sub_title == "tester"
        assert "tester (yönetici)" in _status(app)
        await press(pilot, "f3")
        assert isinstance(app.screen, AccountListScreen)
    app.database.dispose()


async def _start_error(app: MutabakatApp) -> str:
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.start_error is not None)
        await pilot.pause()
        assert not app.ready
        shown = _status(app)
        assert shown == app.start_error
        assert app.screen.query_one("#main-status").has_class("-start-error")
        await press(pilot, "f3")
        assert isinstance(app.screen, MainScreen)  # nothing opens
        assert not _menu_key_enabled(app, "f3")
    return shown


async def test_a_database_of_a_newer_program_is_said_on_the_menu(
    settings: Settings, database: Database
) -> None:
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099z_future'"))
    shown = await _start_error(make_app(settings))
    assert "0099z_future" in shown and "daha yeni" in shown
    assert migrate.database_revision(database.engine) == "0099z_future"  # left alone


async def test_a_deactivated_user_is_told_on_the_menu(
    settings: Settings, database: Database, actor: Actor
) -> None:
    with database.unit_of_work() as session:
        resolve_actor(session, "ayse")
        set_active(session, actor, "ayse", False)
    shown = await _start_error(make_app(replace(settings, user_login="ayse")))
    assert "ayse kullanıcısı devre dışı" in shown


async def test_an_unreachable_database_is_said_on_the_menu(tmp_path: Path) -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/yok"  # nothing listens on port 1
    app = make_app(Settings(data_dir=tmp_path, database_url=url, user_login="ali"))
    shown = await _start_error(app)
    assert shown.startswith("Veritabanına bağlanılamadı")


async def test_a_new_database_is_migrated_behind_the_menu(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "new.sqlite3")
    app = make_app(Settings(data_dir=tmp_path, database_url=url, user_login="ali"))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.ready)
        assert app.actor == Actor("ali", Role.ADMIN)
        assert migrate.database_revision(app.database.engine) == migrate.head_revision()
    app.database.dispose()


def _as(database: Database, login: str) -> str:
    url = make_url(database.engine.url.render_as_string(hide_password=False))
    return url.set(username=login).render_as_string(hide_password=False)


async def test_a_login_the_database_does_not_know_as_a_user_is_told_on_the_menu(
    pg_database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MUTABAKAT_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("MUTABAKAT_DATA_DIR", str(tmp_path / "data"))
    owner = pg_database.engine.url.render_as_string(hide_password=False)
    assert cli.main(["--db", owner, "db", "roles"]) == 0  # the groups and their grants
    with pg_database.engine.begin() as connection:
        roles.add_login(connection, "yeni_kisi", Role.ACCOUNTANT)  # no application user
    settings = Settings(
        data_dir=tmp_path, database_url=_as(pg_database, "yeni_kisi"), user_login="yeni_kisi"
    )
    shown = await _start_error(make_app(settings))
    assert shown.startswith("yeni_kisi bu veritabanında bir kullanıcı değil")
