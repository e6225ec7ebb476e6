"""Users (SPEC A2, A3), for admins: the list, add a login, set the role, deactivate.

The screen only shows and asks; `services/settings/user_admin.py` decides (an accountant is refused
there too) and on PostgreSQL moves the login's database role with the application role.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Header, Input, Label, RadioButton, RadioSet

from tui_mutabakat.domain.enums import Role
from tui_mutabakat.domain.errors import ServiceError
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog, MessageDialog
from tui_mutabakat.screens.dialogs.lookup import ValueLookupScreen
from tui_mutabakat.screens.operations.ops_dialogs import cursor_key, plain
from tui_mutabakat.services.settings.user_admin import (
    UserRow,
    add_user,
    list_users,
    set_active,
    set_role,
    set_send_via,
)
from tui_mutabakat.widgets.footer import Footer


def role_name(role: Role) -> str:
    return _("yönetici") if role is Role.ADMIN else _("muhasebeci")


class UsersScreen(AppAccess, Screen[None]):
    TITLE = _("Kullanıcılar")
    AUTO_FOCUS = "#users-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", _("Geri"), id="users_back"),
        Binding("f4,ctrl+n", "add", _("Kullanıcı ekle"), id="users_add"),
        Binding("f5,ctrl+r", "toggle_role", _("Rolü değiştir"), id="users_role"),
        Binding("f6,ctrl+b", "send_via", _("Gönderici hesabı"), id="users_send_via"),
        Binding("f8,ctrl+d", "toggle_active", _("Devre dışı/etkin"), id="users_active"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[str, UserRow] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="users-table", cursor_type="row")
        yield Label(
            _("F4 ekle · F5 rol · F6 gönderici hesabı · F8 devre dışı/etkin · Esc geri"),
            classes="hint",
        )
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[object] = self.query_one(DataTable)
        table.add_column(_("Kullanıcı"), width=16, key="login")
        table.add_column(_("Ad"), width=18, key="name")
        table.add_column(_("Rol"), width=11, key="role")
        table.add_column(_("Durum"), width=10, key="active")
        table.add_column(_("Gönderen adresi"), width=24, key="from")
        table.add_column(_("Gönderici hesabı"), width=16, key="send_via")
        self._fill()

    def _fill(self, select: str | None = None) -> None:
        table: DataTable[object] = self.query_one(DataTable)
        try:
            with self.database.reader() as session:
                rows = list_users(session, self.actor)
        except ServiceError as error:
            self.app.push_screen(MessageDialog(str(error)))
            return
        self._rows = {row.login: row for row in rows}
        table.clear()
        for row in rows:
            table.add_row(
                plain(row.login),
                plain(row.full_name),
                role_name(row.role),
                _("etkin") if row.active else _("devre dışı"),
                plain(row.from_address),
                plain(row.send_via or "—"),
                key=row.login,
            )
        if select in self._rows:
            table.move_cursor(row=table.get_row_index(select))

    def _current(self) -> UserRow | None:
        login = cursor_key(self.query_one(DataTable))
        return self._rows.get(login) if login else None

    def _change(self, login: str, change: str, role: Role | None = None, via: str = "") -> None:
        """One checked change in its own transaction; a refusal is shown, not raised."""
        try:
            with self.database.unit_of_work() as session:
                if change == "role" and role is not None:
                    set_role(session, self.actor, login, role)
                elif change == "send_via":
                    set_send_via(session, self.actor, login, via)
                else:
                    set_active(session, self.actor, login, change == "activate")
        except ServiceError as error:
            self.app.push_screen(MessageDialog(str(error)))
            return
        self._fill(login)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_add(self) -> None:
        def added(login: str | None) -> None:
            if login:
                self._fill(login)
                self.notify(_("{login} eklendi.").format(login=login))

        self.app.push_screen(AddUserDialog(), added)

    def action_toggle_role(self) -> None:
        row = self._current()
        if row is None:
            return
        role = Role.ACCOUNTANT if row.role is Role.ADMIN else Role.ADMIN
        question = _("{login} kullanıcısının rolü '{role}' olsun mu?").format(
            login=row.login, role=role_name(role)
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._change(row.login, "role", role)

        self.app.push_screen(ConfirmDialog(question), answered)

    def action_send_via(self) -> None:
        """Whose SMTP server and password send this user's letters: a service sender's
        (its own worker sends them), or their own."""
        row = self._current()
        if row is None:
            return
        own = _("(kendi sunucusu)")
        logins = [r.login for r in self._rows.values() if r.active and r.login != row.login]

        def matching(prefix: str) -> list[str]:
            found = [login for login in logins if login.startswith(prefix)]
            return found if prefix else [own, *found]

        def chosen(value: str | None) -> None:
            if value is not None:
                self._change(row.login, "send_via", via="" if value == own else value)

        title = _("{login}: mektuplar kimin sunucusuyla gitsin?").format(login=row.login)
        self.app.push_screen(ValueLookupScreen(title, matching), chosen)

    def action_toggle_active(self) -> None:
        row = self._current()
        if row is None:
            return
        if row.active:
            question = _(
                "{login} devre dışı bırakılsın mı? Programı bir daha açamaz (geçmişi kalır)."
            ).format(login=row.login)
            change, yes_label = "deactivate", _("Devre dışı bırak")
        else:
            question = _("{login} yeniden etkinleştirilsin mi?").format(login=row.login)
            change, yes_label = "activate", _("Etkinleştir")

        def answered(yes: bool | None) -> None:
            if yes:
                self._change(row.login, change)

        danger = change == "deactivate"
        self.app.push_screen(ConfirmDialog(question, yes=yes_label, danger=danger), answered)


class AddUserDialog(AppAccess, ModalScreen[str | None]):
    """A new user: the login (as the operating system knows it), a name, the role."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2,ctrl+s", "save", _("Kaydet"), id="user_add_save"),
        Binding("escape", "cancel", _("Vazgeç"), id="user_add_cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Yeni kullanıcı"), classes="dialog-title")
            yield Label(_("Oturum adı (işletim sistemindeki)"))
            yield Input(id="user-login", max_length=32)
            yield Label(_("Ad soyad"))
            yield Input(id="user-name", max_length=120)
            with RadioSet(id="user-role"):
                yield RadioButton(role_name(Role.ACCOUNTANT), value=True, id="role-accountant")
                yield RadioButton(role_name(Role.ADMIN), id="role-admin")
            yield Label("", id="user-error", classes="error-text")
            with Horizontal(classes="buttons"):
                yield Button(_("Kaydet (F2)"), id="save", variant="primary")
                yield Button(_("Vazgeç (Esc)"), id="cancel")

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        login = self.query_one("#user-login", Input).value
        name = self.query_one("#user-name", Input).value
        admin = self.query_one("#role-admin", RadioButton).value
        role = Role.ADMIN if admin else Role.ACCOUNTANT
        try:
            with self.database.unit_of_work() as session:
                row = add_user(session, self.actor, login, role, name)
        except ServiceError as error:
            self.query_one("#user-error", Label).update(str(error))
            self.query_one("#user-login", Input).focus()
            return
        self.dismiss(row.login)
