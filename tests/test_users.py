"""Users for admins (issue 10, point 7; SPEC A2, A3): the checks in the service, and the
users screen driven from the keyboard."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.pilot_keys import press, type_text, wait_for
from tui_mutabakat.app import MutabakatApp, make_app
from tui_mutabakat.config import Settings, load_settings, os_login
from tui_mutabakat.data.models import AuditEvent, User
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import Role
from tui_mutabakat.domain.errors import InvalidInput, PermissionDenied, Refused
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog
from tui_mutabakat.screens.dialogs.lookup import ValueLookupScreen
from tui_mutabakat.screens.main import MainScreen
from tui_mutabakat.screens.settings.users import AddUserDialog, UsersScreen
from tui_mutabakat.services.context import Actor, resolve_actor
from tui_mutabakat.services.settings.user_admin import (
    add_user,
    list_users,
    set_active,
    set_role,
    set_send_via,
)
from tui_mutabakat.services.settings.users import SmtpSettings, set_smtp


def _users(database: Database) -> dict[str, User]:
    with database.reader() as session:
        return {u.login: u for u in session.scalars(select(User))}


def test_only_an_admin_manages_users(database: Database, actor: Actor) -> None:
    with database.unit_of_work() as session:
        ayse = resolve_actor(session, "ayse")
    assert actor.is_admin and not ayse.is_admin
    calls = [
        lambda s: list_users(s, ayse),
        lambda s: add_user(s, ayse, "mehmet", Role.ADMIN),
        lambda s: set_role(s, ayse, "ayse", Role.ADMIN),
        lambda s: set_active(s, ayse, "tester", False),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied, match="yalnızca yönetici"):
            with database.unit_of_work() as session:
                call(session)
    assert _users(database)["ayse"].role is Role.ACCOUNTANT
    assert "mehmet" not in _users(database)


def test_an_admin_adds_sets_roles_and_deactivates(database: Database, actor: Actor) -> None:
    with database.unit_of_work() as session:
        add_user(session, actor, "mehmet", Role.ACCOUNTANT, "Mehmet Kaya")
    for bad in ("Mehmet Kaya", "", "1abc", "a" * 40, "kötü"):
        with pytest.raises(InvalidInput):
            with database.unit_of_work() as session:
                add_user(session, actor, bad, Role.ACCOUNTANT)
    with pytest.raises(InvalidInput, match="zaten var"):
        with database.unit_of_work() as session:
            add_user(session, actor, "mehmet", Role.ADMIN)
    # the last admin stays an active admin, and nobody deactivates themselves
    with pytest.raises(Refused, match="Son yönetici"):
        with database.unit_of_work() as session:
            set_role(session, actor, "tester", Role.ACCOUNTANT)
    with pytest.raises(Refused, match="Kendinizi"):
        with database.unit_of_work() as session:
            set_active(session, actor, "tester", False)
    with database.unit_of_work() as session:
        set_role(session, actor, "mehmet", Role.ADMIN)
        set_active(session, actor, "mehmet", False)
        rows = {row.login: row for row in list_users(session, actor)}
    assert (rows["mehmet"].role, rows["mehmet"].active, rows["mehmet"].full_name) == (
        Role.ADMIN,
        False,
        "Mehmet Kaya",
    )
    # a deactivated user cannot act any more
    with pytest.raises(Refused, match="devre dışı"):
        with database.unit_of_work() as session:
            resolve_actor(session, "mehmet")
    with database.reader() as session:
        actions = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-3:] == ["create", "set_role", "deactivate"]


def test_a_deactivated_login_cannot_open_the_program(
    database: Database, settings: Settings, actor: Actor
) -> None:
    with database.unit_of_work() as session:
        resolve_actor(session, "ayse")
        set_active(session, actor, "ayse", False)
    with pytest.raises(Refused):
        make_app(replace(settings, user_login="ayse"), database)


async def test_the_users_screen_from_the_keyboard(app: MutabakatApp, database: Database) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.sub_title == "tester"
        status = str(app.screen.query_one("#main-status").render())
        assert "tester (yönetici)" in status
        await press(pilot, "f10")
        assert isinstance(app.screen, UsersScreen)
        await press(pilot, "f4")
        assert isinstance(app.screen, AddUserDialog)
        await type_text(pilot, "Kötü Ad")
        await press(pilot, "f2")
        assert isinstance(app.screen, AddUserDialog)  # refused, the reason shown
        assert "oturum adı" in str(app.screen.query_one("#user-error").render())
        app.screen.query_one("#user-login").value = ""  # type: ignore[attr-defined]
        await type_text(pilot, "mehmet")
        await press(pilot, "enter")
        assert isinstance(app.screen, UsersScreen)
        assert _users(database)["mehmet"].role is Role.ACCOUNTANT
        table = app.screen.query_one("#users-table")
        assert table.row_count == 2  # type: ignore[attr-defined]
        await press(pilot, "f5")  # the cursor is on the new row
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "e")
        await wait_for(pilot, lambda: _users(database)["mehmet"].role is Role.ADMIN)
        await press(pilot, "ctrl+d")
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "h")  # no: nothing changes
        assert _users(database)["mehmet"].active
        await press(pilot, "f8", "e")
        await wait_for(pilot, lambda: not _users(database)["mehmet"].active)
        await press(pilot, "escape")
        assert isinstance(app.screen, MainScreen)
        await press(pilot, "ctrl+u")
        assert isinstance(app.screen, UsersScreen)


async def test_an_accountant_sees_who_she_is_and_no_users_screen(
    settings: Settings, database: Database, actor: Actor
) -> None:
    with database.unit_of_work() as session:
        resolve_actor(session, "ayse")
    accountant = make_app(replace(settings, user_login="ayse"), database)
    async with accountant.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert accountant.sub_title == "ayse"
        status = str(accountant.screen.query_one("#main-status").render())
        assert "ayse (muhasebeci)" in status
        await press(pilot, "f10")
        await press(pilot, "ctrl+u")
        assert isinstance(accountant.screen, MainScreen)
        # pushed anyway, the service refuses to list
        accountant.push_screen(UsersScreen())
        await pilot.pause()
        await pilot.pause()
        assert "yalnızca yönetici" in str(accountant.screen.query_one(".question").render())


async def test_the_service_sender_is_chosen_with_f6(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    with database.unit_of_work() as session:
        resolve_actor(session, "ayse")
        resolve_actor(session, "servis")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await press(pilot, "f10")
        assert isinstance(app.screen, UsersScreen)  # the cursor on the first row, ayse
        await press(pilot, "f6")
        assert isinstance(app.screen, ValueLookupScreen)
        await type_text(pilot, "serv")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: _users(database)["ayse"].send_via == "servis")
        await press(pilot, "ctrl+b")
        await press(pilot, "enter")  # the first choice: her own server again
        await wait_for(pilot, lambda: _users(database)["ayse"].send_via == "")


def test_no_variable_makes_a_login_the_admin(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The probe of issue 10: a login naming the admin in every variable still acts as
    itself, an accountant, and cannot change the admin's mail settings."""
    with database.unit_of_work() as session:
        resolve_actor(session, "yonetici")  # the first login: the admin
    for name in ("MUTABAKAT_USER", "LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(name, "yonetici")
    monkeypatch.setenv("MUTABAKAT_CONFIG", str(tmp_path / "none.toml"))
    url = database.engine.url.render_as_string(hide_password=False)
    settings = load_settings().with_database(url)
    app = make_app(settings, database)
    assert app.actor == Actor(os_login(), Role.ACCOUNTANT)
    with pytest.raises(Refused, match="yönetici"):
        with database.unit_of_work() as session:
            set_smtp(session, app.actor, "yonetici", SmtpSettings("kotu.example", 25))
    assert _users(database)["yonetici"].smtp_host == ""


async def test_a_user_sees_her_service_sender_in_her_mail_settings(
    settings: Settings, database: Database, actor: Actor
) -> None:
    with database.unit_of_work() as session:
        resolve_actor(session, "ayse")
        resolve_actor(session, "servis")
        set_send_via(session, actor, "ayse", "servis")
    ayse = make_app(replace(settings, user_login="ayse"), database)
    async with ayse.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await press(pilot, "f9")
        note = str(ayse.screen.query_one("#mail-send-via").render())
        assert "servis" in note and "mutabakat worker" in note
