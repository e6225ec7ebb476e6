"""A user's mail settings ("Posta Ayarları", SPEC A2, E4): the sender identity, the SMTP
server letters go out through, and the IMAP mailbox answers are read from.

Passwords are never typed here: each server takes a *password source* — `env:NAME`,
`file:/path` (mode 0600) or `cmd:command` — read when the server is used. F5 tries both
servers as saved. An admin switches to another user with F10.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Header, Input, Label, Select, Static

from tui_mutabakat.domain.enums import SmtpSecurity
from tui_mutabakat.domain.errors import InvalidInput, ServiceError
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.form_screen import FormScreen
from tui_mutabakat.services.settings.mail_servers import ServerCheck, check_servers
from tui_mutabakat.services.settings.users import (
    ImapSettings,
    SmtpSettings,
    UserMail,
    load_user_mail,
    save_user_mail,
    user_logins,
)
from tui_mutabakat.widgets.footer import Footer
from tui_mutabakat.widgets.form import (
    clear_errors,
    field_row,
    input_text,
    optional_int,
    show_email_check,
    show_invalid,
    text_input,
)


def _security_choices() -> list[tuple[str, SmtpSecurity]]:
    return [
        (_("STARTTLS"), SmtpSecurity.STARTTLS),
        (_("TLS (SSL)"), SmtpSecurity.TLS),
        (_("Şifresiz (yalnız bu bilgisayar)"), SmtpSecurity.NONE),
    ]


def _security(value: SmtpSecurity) -> Select[SmtpSecurity]:
    return Select(_security_choices(), value=value, allow_blank=False, compact=True)


class MailSettingsScreen(FormScreen[None]):
    TITLE = _("Posta Ayarları")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5,ctrl+r", "try_servers", _("Bağlantıyı dene"), id="mail_try"),
        Binding("f10,ctrl+l", "choose_user", _("Kullanıcı seç"), id="mail_user"),
    ]

    def __init__(self, login: str | None = None) -> None:
        super().__init__()
        self.login = login

    def compose(self) -> ComposeResult:
        login = self.login or self.actor.login
        with self.database.reader() as session:
            mail = load_user_mail(session, login)
        self.login = mail.login
        smtp, imap = mail.smtp, mail.imap
        yield Header()
        yield Label(
            _(
                "Kullanıcı: {login} · parola yerine kaynağı: env:AD, file:/yol ya da cmd:komut"
            ).format(login=mail.login),
            id="mail-user",
            classes="form-heading",
            markup=False,
        )
        if mail.send_via:
            yield Label(
                _(
                    "Mektuplar {service} kullanıcısının SMTP sunucusu ve parolasıyla, onun "
                    "'mutabakat worker' süreciyle gider (yönetici ayarı)."
                ).format(service=mail.send_via),
                id="mail-send-via",
                classes="hint",
                markup=False,
            )
        rows: list[tuple[str, Input | Select[SmtpSecurity], str]] = [
            (_("Ad"), text_input(smtp.display_name, max_length=120), "display_name"),
            (_("Gönderen"), text_input(smtp.from_address, max_length=254), "from_address"),
            (_("SMTP sunucu"), text_input(smtp.host, max_length=200), "smtp_host"),
            (_("SMTP port"), text_input(_port(smtp.port)), "smtp_port"),
            (_("SMTP güvenlik"), _security(smtp.security), "smtp_security"),
            (_("SMTP kullanıcı"), text_input(smtp.login, max_length=200), "smtp_login"),
            (_("SMTP parola"), text_input(smtp.password_ref), "smtp_password_ref"),
            (_("IMAP sunucu"), text_input(imap.host, max_length=200), "imap_host"),
            (_("IMAP port"), text_input(_port(imap.port)), "imap_port"),
            (_("IMAP güvenlik"), _security(imap.security), "imap_security"),
            (_("IMAP kullanıcı"), text_input(imap.login, max_length=200), "imap_login"),
            (_("IMAP parola"), text_input(imap.password_ref), "imap_password_ref"),
        ]
        with VerticalScroll(id="mail-scroll", can_focus=False):
            for label, control, name in rows:
                yield field_row(label, control, name)
            yield Static("", id="mail-check", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.call_after_refresh(self._ready)

    def _ready(self) -> None:
        self.mark_clean()
        self.query_one("#f-display_name").focus()
        self._check_from()

    def leave_result(self) -> None:
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "choose_user":
            return self.actor.is_admin
        return True

    @on(Input.Changed, "#f-from_address")
    def _check_from(self) -> None:
        show_email_check(self, "from_address")

    def _security_of(self, name: str) -> SmtpSecurity:
        value = self.query_one(f"#f-{name}", Select).value
        return value if isinstance(value, SmtpSecurity) else SmtpSecurity.STARTTLS

    def _value(self) -> UserMail:
        assert self.login is not None
        smtp = SmtpSettings(
            input_text(self, "smtp_host"),
            optional_int(self, "smtp_port"),
            self._security_of("smtp_security"),
            input_text(self, "smtp_login"),
            input_text(self, "smtp_password_ref"),
            input_text(self, "from_address"),
            input_text(self, "display_name"),
        )
        imap = ImapSettings(
            input_text(self, "imap_host"),
            optional_int(self, "imap_port"),
            self._security_of("imap_security"),
            input_text(self, "imap_login"),
            input_text(self, "imap_password_ref"),
        )
        return UserMail(self.login, smtp, imap)

    def action_save(self) -> None:
        try:
            mail = self._value()
            with self.database.unit_of_work() as session:
                save_user_mail(session, self.actor, mail)
        except InvalidInput as error:
            clear_errors(self)
            if not show_invalid(self, error):
                self.refuse(error)
            return
        except ServiceError as error:
            self.refuse(error)
            return
        clear_errors(self)
        self._check_from()
        self.mark_clean()
        self.app.notify(_("Posta ayarları kaydedildi."))

    def action_try_servers(self) -> None:
        if self.is_dirty:
            self.app.notify(_("Önce kaydedin (F2): kayıtlı ayarlar denenir."), severity="warning")
            return
        self.query_one("#mail-check", Static).update(_("Sunucular deneniyor…"))
        self._try(self.login or self.actor.login)

    @work(thread=True, exclusive=True, group="mail-check")
    def _try(self, login: str) -> None:
        results = check_servers(self.database, self.settings, login)
        self.app.call_from_thread(self._show_checks, results)

    def _show_checks(self, results: list[ServerCheck]) -> None:
        lines = [f"{'✓' if r.ok else '✗'} {r.what}: {r.detail}" for r in results]
        self.query_one("#mail-check", Static).update("\n".join(lines))

    def action_choose_user(self) -> None:
        from tui_mutabakat.screens.dialogs.lookup import ValueLookupScreen

        with self.database.reader() as session:
            logins = user_logins(session, self.actor)

        def chosen(login: str | None) -> None:
            if login and login != self.login:
                self.app.switch_screen(MailSettingsScreen(login))

        def matching(prefix: str) -> list[str]:
            return [login for login in logins if login.startswith(prefix)]

        self.app.push_screen(ValueLookupScreen(_("Kullanıcılar"), matching), chosen)


def _port(port: int | None) -> str:
    return str(port) if port else ""
