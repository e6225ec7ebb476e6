"""The main menu: every area of the product by a function key, a digit, or Enter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Header, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.widgets.footer import Footer


@dataclass(frozen=True, slots=True)
class MenuEntry:
    id: str
    label: str
    keys: str
    admin_only: bool
    open: Callable[[], Screen[Any]]


def _accounts() -> Screen[Any]:
    from tui_mutabakat.screens.accounts.account_list import AccountListScreen

    return AccountListScreen()


def _send() -> Screen[Any]:
    from tui_mutabakat.screens.sending.send_criteria import SendCriteriaScreen

    return SendCriteriaScreen()


def _tracking() -> Screen[Any]:
    from tui_mutabakat.screens.tracking.track_batches import TrackBatchesScreen

    return TrackBatchesScreen()


def _dashboard() -> Screen[Any]:
    from tui_mutabakat.screens.tracking.dashboard import DashboardScreen

    return DashboardScreen()


def _templates() -> Screen[Any]:
    from tui_mutabakat.screens.settings.templates_editor import TemplateListScreen

    return TemplateListScreen()


def _orders() -> Screen[Any]:
    from tui_mutabakat.screens.operations.orders import SalesOrderListScreen

    return SalesOrderListScreen()


def _working_settings() -> Screen[Any]:
    from tui_mutabakat.screens.settings.working_settings import WorkingSettingsScreen

    return WorkingSettingsScreen()


def _company() -> Screen[Any]:
    from tui_mutabakat.screens.settings.company import CompanyScreen

    return CompanyScreen()


def _mail_settings() -> Screen[Any]:
    from tui_mutabakat.screens.settings.mail_settings import MailSettingsScreen

    return MailSettingsScreen()


def _users() -> Screen[Any]:
    from tui_mutabakat.screens.settings.users import UsersScreen

    return UsersScreen()


def _import() -> Screen[Any]:
    from tui_mutabakat.screens.accounts.import_screen import ImportScreen

    return ImportScreen()


MENU: tuple[MenuEntry, ...] = (
    MenuEntry("accounts", _("Cari Hesaplar"), "f3,ctrl+k", False, _accounts),
    MenuEntry("send", _("e-Mutabakat Gönder"), "f4,ctrl+e", False, _send),
    MenuEntry("tracking", _("Gönderilmiş e-Mutabakatlar"), "f2,ctrl+y", False, _tracking),
    MenuEntry("orders", _("Satış Siparişleri"), "f5,ctrl+r", False, _orders),
    MenuEntry("working_settings", _("Çalışma Bilgileri"), "f6,ctrl+w", True, _working_settings),
    MenuEntry("company", _("Firma Bilgileri"), "f7,ctrl+f", True, _company),
    MenuEntry("templates", _("Mektup Şablonları"), "f8,ctrl+t", True, _templates),
    MenuEntry("mail_settings", _("Posta Ayarları"), "f9,ctrl+o", False, _mail_settings),
    MenuEntry("users", _("Kullanıcılar"), "f10,ctrl+u", True, _users),
    MenuEntry("import", _("Veri Aktarımı"), "f11,ctrl+d", False, _import),
    MenuEntry("dashboard", _("Gösterge Paneli"), "f12,ctrl+b", False, _dashboard),
)


def _digit(number: int) -> str:
    """The number key of the `number`th menu entry: 1–9, 0 for the tenth, none after."""
    return f"{number % 10}. " if number <= 10 else "   "


class MainScreen(AppAccess, Screen[None]):
    TITLE = _("Ana Menü")
    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(entry.keys, f"open('{entry.id}')", entry.label, id=f"menu_{entry.id}")
            for entry in MENU
        ),
        *(
            # 1–9, then 0 for the tenth entry, as on a keyboard's number row.
            Binding(str(number % 10), f"open('{entry.id}')", show=False)
            for number, entry in enumerate(MENU[:10], start=1)
        ),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main-body"):
            with Vertical(id="main-menu-box"):
                yield Label(_("Menü"), classes="section-title")
                yield OptionList(
                    *(
                        Option(
                            f"{_digit(n)}{entry.label}  [dim]({self._key_of(entry)})[/]",
                            id=entry.id,
                        )
                        for n, entry in enumerate(MENU, start=1)
                    ),
                    id="main-menu",
                )
            yield Static(id="main-status")
        yield Footer()

    def _key_of(self, entry: MenuEntry) -> str:
        return entry.keys.split(",")[0].upper()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_screen_resume(self) -> None:
        # The menu is drawn first; the status (its queries and the models they load)
        # right after: `mutabakat` shows its first frame sooner (issue 14.4).
        self.call_after_refresh(self._refresh_status)

    def show_start(self) -> None:
        """The app opened the database behind the menu, or could not: the keys and the
        status say which."""
        self.refresh_bindings()
        self._refresh_status()

    def _refresh_status(self) -> None:
        if not self.is_attached:
            return
        if not self.services_ready:
            status = self.query_one("#main-status", Static)
            status.set_class(self.start_error is not None, "-start-error")
            # Plain text: a database's message may hold brackets.
            status.update(Content(self.start_error or _("Veritabanı açılıyor…")))
            return
        from tui_mutabakat.services.accounts.cards import count_accounts
        from tui_mutabakat.services.sending.doubt import in_doubt_total
        from tui_mutabakat.services.settings.working_settings import get_company
        from tui_mutabakat.services.tracking.unseen import unseen_counts

        self.query_one("#main-status", Static).remove_class("-start-error")
        with self.database.reader() as session:
            company = get_company(session)
            accounts = count_accounts(session)
            answers, bounces = unseen_counts(session)
            in_doubt = in_doubt_total(session)
        actor = self.actor
        role = _("yönetici") if actor.is_admin else _("muhasebeci")
        lines = [
            f"[b]{company.title or _('(firma bilgileri girilmemiş)')}[/b]",
            "",
            f"{_('Kullanıcı')}: {actor.login} ({role})",
            f"{_('Cari hesap sayısı')}: {accounts}",
        ]
        if answers or bounces:
            lines.append(
                f"[b]{_('Görülmemiş yanıt')}: {answers} · {_('geri dönen')}: {bounces}[/b]"
            )
        if in_doubt:
            lines.append(
                "[b yellow]"
                + _("⚠ Teslimi belirsiz alıcı: {count} — kararınızı bekliyor (F2)").format(
                    count=in_doubt
                )
                + "[/]"
            )
        self.query_one("#main-status", Static).update("\n".join(lines))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.action_open(event.option.id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open" and not self.services_ready:
            return None  # shown, dimmed: they work once the database is open
        if action == "open" and parameters:
            entry = next((e for e in MENU if e.id == parameters[0]), None)
            if entry and entry.admin_only and not self.actor.is_admin:
                return None
        return True

    def action_open(self, entry_id: str) -> None:
        if not self.services_ready:
            self.notify(
                self.start_error or _("Veritabanı açılıyor; bir an bekleyin."),
                severity="error" if self.start_error else "information",
            )
            return
        entry = next(e for e in MENU if e.id == entry_id)
        if entry.admin_only and not self.actor.is_admin:
            self.notify(_("Bu bölümü yalnızca yönetici açabilir."), severity="warning")
            return
        self.app.push_screen(entry.open())
