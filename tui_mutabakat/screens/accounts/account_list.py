"""The list of accounts (SPEC B4): incremental search, sort, filters, create/edit/delete.

The table pages from the database (`AccountSource`), so the screen is as quick with
100 000 accounts as with 10. The filter the user builds lives in `self.filter`; every change
makes a new source and refreshes the table, keeping the cursor on the same account where
that makes sense.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import ClassVar

from babel.numbers import format_decimal
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Header, Input

from tui_mutabakat.data.account_queries import (
    AccountFilter,
    AccountSort,
    balances_for,
    count_accounts,
    distinct_values,
)
from tui_mutabakat.domain.errors import NotFound, Refused
from tui_mutabakat.domain.formatting import LOCALE, currency_label
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.screens.accounts.account_rows import (
    FULL_CURRENCY_CELL,
    AccountSource,
    AccountTable,
    balance_text,
    full_columns,
    literal,
    redirect_typing,
)
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.screens.dialogs.action_menu import ActionMenu, MenuItem
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog, MessageDialog
from tui_mutabakat.screens.dialogs.lookup import ValueLookupScreen
from tui_mutabakat.screens.operations.movements import ACCOUNT_ACTIONS, open_for_account
from tui_mutabakat.services.accounts.cards import check_deletable, delete_account
from tui_mutabakat.widgets.debounced_search import DebouncedSearch
from tui_mutabakat.widgets.footer import Footer
from tui_mutabakat.widgets.paged_table import Column, PagedTable, TableRow
from tui_mutabakat.widgets.status_line import StatusLine

#: The order F6 walks through; the n-th sort is the n-th column of the table.
SORT_ORDER: tuple[AccountSort, ...] = (
    AccountSort.CODE,
    AccountSort.TITLE,
    AccountSort.CITY,
    AccountSort.GROUP,
)
_SORT_COLUMN = {sort: index for index, sort in enumerate(SORT_ORDER)}


def _number(value: int) -> str:
    """`100000` → `100.000`."""
    return format_decimal(value, locale=LOCALE)


def _narrows(flt: AccountFilter) -> bool:
    """Whether the filter hides some accounts (sorting alone does not)."""
    return bool(flt.search or flt.only_active or flt.city or flt.group_code)


def _all_values() -> str:
    """The first entry of the city/group lookups while a filter is set: it removes the filter."""
    return _("(tümü — süzgeci kaldır)")


class AccountListScreen(AppAccess, Screen[None]):
    TITLE = _("Cari Hesaplar")
    AUTO_FOCUS = "#account-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", _("Geri"), id="accounts_back"),
        Binding("insert,f4,ctrl+n", "new_account", _("Yeni"), key_display="Ins", id="accounts_new"),
        Binding("f9,ctrl+o", "row_actions", _("İşlemler"), id="accounts_actions"),
        Binding("f8,ctrl+d", "delete_account", _("Sil"), id="accounts_delete"),
        Binding("f5,ctrl+r", "reload", _("Yenile"), id="accounts_reload"),
        Binding("f6,ctrl+e", "next_sort", _("Sırala"), id="accounts_sort"),
        Binding("f7,ctrl+t", "toggle_direction", _("Ters sıra"), id="accounts_direction"),
        Binding("f10,ctrl+l", "pick_city", _("Şehir süz"), id="accounts_city"),
        Binding("f11,ctrl+w", "pick_group", _("Grup süz"), id="accounts_group"),
        Binding("f12,ctrl+y", "toggle_active", _("Yalnız aktif"), id="accounts_active"),
        Binding("down", "focus_table", show=False, id="accounts_focus_table"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter = AccountFilter()
        self._total: int | None = None
        self._searching = DebouncedSearch(self, lambda: self.search, self._search_for)
        self._columns = full_columns()
        self._has_rows = False
        #: `Database.commits` when the rows were last read: a return from a screen that saved
        #: something (movements, orders, Borç Takip …) reads them again, balances and all.
        self._seen = -1

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            placeholder=_("Ara: kod, ünvan veya vergi no (yazdıkça süzülür; Esc temizler)"),
            id="account-search",
        )
        yield AccountTable(
            self._columns,
            empty_text=_("Kayıt yok — Ins ile yeni hesap ekleyin"),
            id="account-table",
        )
        yield StatusLine(id="account-status")
        yield Footer()

    @property
    def table(self) -> AccountTable:
        return self.query_one("#account-table", AccountTable)

    @property
    def search(self) -> Input:
        return self.query_one("#account-search", Input)

    def on_mount(self) -> None:
        self._reload(reset=True)

    # --------------------------------------------------------------- search

    @on(Input.Changed, "#account-search")
    def _search_changed(self) -> None:
        self._searching.changed()

    @on(Input.Submitted, "#account-search")
    def _search_submitted(self) -> None:
        """Enter: the search runs now; when it leaves one account its card opens, else the
        cursor goes to the table (Enter there opens the row's card)."""
        self._searching.now()
        self.table.focus()
        table = self.table
        if table.row_count == 1 and (row := table.row_at(0)) is not None:
            self._open_card(row.key)

    def _search_for(self, text: str) -> None:
        if text != self.filter.search:
            self._set_filter(replace(self.filter, search=text), reset=True)

    def on_key(self, event: events.Key) -> None:
        redirect_typing(event, self.table, self.search)

    def action_focus_table(self) -> None:
        self._searching.now()
        self.table.focus()

    # ------------------------------------------------------ sort and filter

    def action_next_sort(self) -> None:
        index = SORT_ORDER.index(self.filter.sort)
        sort = SORT_ORDER[(index + 1) % len(SORT_ORDER)]
        self._set_filter(replace(self.filter, sort=sort, descending=False))

    def action_toggle_direction(self) -> None:
        self._set_filter(replace(self.filter, descending=not self.filter.descending))

    def action_toggle_active(self) -> None:
        self._set_filter(replace(self.filter, only_active=not self.filter.only_active))

    def action_pick_city(self) -> None:
        self._pick("city", _("Şehir seçin"), self.filter.city)

    def action_pick_group(self) -> None:
        self._pick("group_code", _("Grup kodu seçin"), self.filter.group_code)

    def _pick(self, column: str, title: str, current: str) -> None:
        def load(prefix: str) -> list[str]:
            with self.database.reader() as session:
                values = distinct_values(session, column, prefix)
            return [_all_values(), *values] if current else values

        self.app.push_screen(ValueLookupScreen(title, load), callback=partial(self._picked, column))

    def _picked(self, column: str, value: str | None) -> None:
        if value is None:
            return
        chosen = "" if value == _all_values() else value
        if column == "city":
            self._set_filter(replace(self.filter, city=chosen), reset=True)
        else:
            self._set_filter(replace(self.filter, group_code=chosen), reset=True)

    def _set_filter(self, flt: AccountFilter, *, reset: bool = False) -> None:
        keep = None if reset else self.table.cursor_id
        self.filter = flt
        self._reload(keep_id=keep, reset=reset)

    # ------------------------------------------------------------- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Delete is greyed out while the list is empty."""
        if action in ("delete_account", "row_actions") and not self._has_rows:
            return None
        return True

    def action_back(self) -> None:
        if self.search.has_focus and self.search.value:
            self.search.value = ""
            self._searching.now()
            return
        self.dismiss(None)

    def action_reload(self) -> None:
        self._total = None
        self._reload(keep_id=self.table.cursor_id)
        self.notify(_("Liste yenilendi."), timeout=2)

    @on(PagedTable.RowSelected, "#account-table")
    def _row_selected(self, event: PagedTable.RowSelected) -> None:
        self._open_card(event.key)

    def action_new_account(self) -> None:
        self._open_card(None)

    def action_row_actions(self) -> None:
        """F9: the action menu of the account under the cursor (Mikro's right-click menu)."""
        row = self.table.row_at(self.table.cursor_row)
        if row is None:
            return
        items: list[MenuItem] = [
            ("card", _("Kartı aç"), "Enter"),
            *ACCOUNT_ACTIONS,
            ("delete", _("Sil"), "F8"),
        ]
        title = f"{literal(row.cells[0])} — {literal(row.cells[1])}"
        self.app.push_screen(
            ActionMenu(title, items), callback=partial(self._row_action_chosen, row.key)
        )

    def _row_action_chosen(self, account_id: int, action_id: str | None) -> None:
        if action_id == "card":
            self._open_card(account_id)
        elif action_id == "delete":
            self.action_delete_account()
        elif action_id is not None:
            open_for_account(self.app, action_id, account_id)

    def _open_card(self, account_id: int | None) -> None:
        from tui_mutabakat.screens.accounts.account_card import AccountCardScreen

        self.app.push_screen(AccountCardScreen(account_id), callback=self._card_closed)

    def _card_closed(self, saved_id: int | None) -> None:
        self._total = None
        keep = saved_id if saved_id is not None else self.table.cursor_id
        self._reload(keep_id=keep)
        if saved_id is not None and self.table.cursor_id != saved_id:
            self.notify(_("Kaydedilen hesap şu anki arama/süzgeçle listede görünmüyor."), timeout=4)

    def action_delete_account(self) -> None:
        table = self.table
        row = table.row_at(table.cursor_row)
        if row is None:
            self.notify(_("Silinecek hesap yok."), severity="warning")
            return
        code, title = row.cells[0], row.cells[1]
        try:  # what cannot be deleted is refused before the question
            with self.database.reader() as session:
                check_deletable(session, row.key)
        except Refused as exc:
            self.app.push_screen(MessageDialog(literal(str(exc)), title=_("Hesap silinemez")))
            return
        except NotFound as exc:
            self.notify(literal(str(exc)), severity="warning")
            return
        question = _("{code} — {title}\nhesabı silinsin mi? Bu işlem geri alınamaz.").format(
            code=literal(code), title=literal(title)
        )
        self.app.push_screen(
            ConfirmDialog(question, yes=_("Sil"), danger=True),
            callback=partial(self._delete_confirmed, row.key, code),
        )

    def _delete_confirmed(self, account_id: int, code: str, confirmed: bool | None) -> None:
        if not confirmed:
            return
        try:
            with self.database.unit_of_work() as session:
                delete_account(session, self.actor, account_id)
        except Refused as exc:
            self.app.push_screen(MessageDialog(literal(str(exc)), title=_("Hesap silinemez")))
            return
        except NotFound as exc:
            self.notify(literal(str(exc)), severity="warning")
        else:
            self.notify(_("{code} silindi.").format(code=literal(code)))
        self._total = None
        self._reload()

    # ------------------------------------------------------------ refreshing

    def on_screen_resume(self) -> None:
        """Back on the list: when anything was saved meanwhile, the rows (their balances) are
        read again, the cursor kept on the same account."""
        if self.database.commits != self._seen:
            self._total = None
            self._reload(keep_id=self.table.cursor_id)

    def _reload(self, *, keep_id: int | None = None, reset: bool = False) -> None:
        self._seen = self.database.commits
        table = self.table
        table.columns = self._marked_columns()
        table.source = AccountSource(self.database, self.filter)
        table.refresh_data(keep_id=keep_id, reset=reset)
        self._show_status()

    def _marked_columns(self) -> tuple[Column, ...]:
        """The columns, the sorted one marked with ▲ or ▼ (and never left out)."""
        marked = _SORT_COLUMN[self.filter.sort]
        arrow = " ▼" if self.filter.descending else " ▲"
        return tuple(
            replace(column, title=column.title + arrow, drop=0) if index == marked else column
            for index, column in enumerate(self._columns)
        )

    @on(PagedTable.CursorMoved, "#account-table")
    def _cursor_moved(self) -> None:
        self._show_status()

    def _every_balance(self, row: TableRow | None) -> list[str]:
        """The balance of the account under the cursor — every currency's when it has several
        (its row shows the first and `+N`)."""
        if row is None:
            return []
        if "+" not in row.cells[FULL_CURRENCY_CELL]:
            amount = row.cells[FULL_CURRENCY_CELL - 1]
            if not amount:
                return []
            balance = f"{amount} {row.cells[FULL_CURRENCY_CELL]}"
            return [_("Bakiye: {balances}").format(balances=literal(balance))]
        with self.database.reader() as session:
            found = balances_for(session, [row.key])
        balances = [
            f"{balance_text(amount)} {currency_label(currency)}"
            for (_id, currency), amount in sorted(found.items())
            if amount
        ]
        if balances:
            balances[0] = _("Bakiye: {balances}").format(balances=balances[0])
        return balances

    def _show_status(self) -> None:
        table = self.table
        if not _narrows(self.filter):
            self._total = table.row_count
        elif self._total is None:
            with self.database.reader() as session:
                self._total = count_accounts(session, AccountFilter())
        parts = [
            ngettext("{shown} / {total} hesap", "{shown} / {total} hesap", self._total or 0).format(
                shown=_number(table.row_count), total=_number(self._total or 0)
            ),
        ]
        if table.row_count:
            parts.insert(0, _("Satır {row}").format(row=_number(table.cursor_row + 1)))
            parts.extend(self._every_balance(table.row_at(table.cursor_row)))
        flt = self.filter
        if flt.city:
            parts.append(_("Şehir: {city}").format(city=literal(flt.city)))
        if flt.group_code:
            parts.append(_("Grup: {group}").format(group=literal(flt.group_code)))
        if flt.only_active:
            parts.append(_("yalnız aktif"))
        self.query_one("#account-status", StatusLine).show(parts)
        if self._has_rows != bool(table.row_count):
            self._has_rows = bool(table.row_count)
            self.refresh_bindings()
