"""The balance list of "e-Mutabakat Gönder" (SPEC D2, D3): select rows, then send.

One row per account and currency as of the date, paged from the database: the keys of the
list are read once when it opens (and on F5), a page is their slice with its balances read
for it (`send_rows.BalanceSource`), and "select all" takes the same keys. Space ticks the
row under the cursor and moves down; `+`, `-` and `*` select all, none, and invert. The
status line always shows the count and the sums of the selection (summed in the database).
F9 opens the action menu of the row or the selection; F2 sends the selection at once.
"""

from __future__ import annotations

from dataclasses import asdict
from functools import partial
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Header, Static

from tui_mutabakat.data.balance_queries import (
    BalanceCriteria,
    BalanceFilter,
    BalanceKey,
    BalanceSums,
    list_sums,
    selection_sums,
)
from tui_mutabakat.domain.formatting import currency_label, format_amount, format_day
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.accounts.account_rows import literal
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.screens.dialogs.action_menu import ActionMenu, MenuItem
from tui_mutabakat.screens.operations.movements import open_for_account
from tui_mutabakat.screens.sending.send_flow import start_sending
from tui_mutabakat.screens.sending.send_rows import (
    BalanceSource,
    BalanceTable,
    KeyNumbers,
    Selection,
    balance_columns,
    subtract_sums,
    sums_parts,
)
from tui_mutabakat.services.sending.send_guard import live_letter_batches, newest_batch
from tui_mutabakat.widgets.footer import Footer
from tui_mutabakat.widgets.paged_table import PagedTable
from tui_mutabakat.widgets.status_line import StatusLine


def criteria_text(criteria: BalanceCriteria) -> str:
    """One line saying what the list holds."""
    parts = [_("{day} itibarıyla").format(day=format_day(criteria.as_of))]
    if criteria.code_from or criteria.code_to:
        parts.append(_("kod {start}…{end}").format(start=criteria.code_from, end=criteria.code_to))
    for label, value in (
        (_("grup"), criteria.group_code),
        (_("sektör"), criteria.sector_code),
        (_("bölge"), criteria.region_code),
        (_("döviz"), currency_label(criteria.currency) if criteria.currency else ""),
    ):
        if value:
            parts.append(f"{label} {value}")
    filters = {
        BalanceFilter.NON_ZERO: _("bakiyesi olanlar"),
        BalanceFilter.DEBIT: _("borç bakiyeli"),
        BalanceFilter.CREDIT: _("alacak bakiyeli"),
        BalanceFilter.ABOVE: _("{amount} üstü").format(amount=format_amount(criteria.amount)),
    }
    if criteria.balance_filter in filters:
        parts.append(filters[criteria.balance_filter])
    if criteria.only_valid_recipients:
        parts.append(_("yalnız geçerli alıcılar"))
    return literal(" · ".join(parts))


class SendListScreen(AppAccess, Screen[None]):
    TITLE = _("e-Mutabakat Gönder")
    AUTO_FOCUS = "#send-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2,ctrl+s", "send", _("Gönder"), id="send_list_send"),
        Binding("escape", "back", _("Kriterler"), id="send_list_back"),
        Binding("space", "toggle_row", _("Seç"), key_display=_("Boşluk"), id="send_list_toggle"),
        Binding("plus,ctrl+a", "select_all", _("Tümü"), key_display="+", id="send_list_all"),
        Binding("minus,ctrl+u", "select_none", _("Hiçbiri"), key_display="-", id="send_list_none"),
        Binding("asterisk,ctrl+x", "invert", _("Ters seç"), key_display="*", id="send_list_invert"),
        Binding("f9,ctrl+o", "actions", _("İşlemler"), id="send_list_actions"),
        # The table takes Enter itself (RowSelected); this names it in F1 and Ctrl+P.
        Binding("enter", "actions", _("İşlemler"), id="send_list_open"),
        Binding("f5,ctrl+r", "reload", _("Yenile"), id="send_list_reload"),
    ]

    def __init__(self, criteria: BalanceCriteria) -> None:
        super().__init__()
        self.criteria = criteria
        self.selection = Selection()
        self.numbers = KeyNumbers()
        #: The list's rows, read once when the list opens (and again on F5).
        self.source: BalanceSource | None = None
        #: Every key of the list, read when first needed ("select all", "invert").
        self._every: list[BalanceKey] | None = None
        self._sums: list[BalanceSums] = []
        #: Sums of the whole list, read when most of it is selected.
        self._list_sums: list[BalanceSums] | None = None
        #: `Database.commits` when the rows were last read: back on the list after anything
        #: was saved (an address fixed on a card, letters sent), the rows are read again.
        self._seen = -1
        #: The newest batch when the list last looked: the accounts that got a letter in a
        #: later one (sent from here or from the error list) leave the selection.
        self._since_batch = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(criteria_text(self.criteria), id="send-criteria-line")
        yield BalanceTable(
            balance_columns(),
            self._ticked,
            empty_text=_("Bu kriterlere uyan hesap yok — Esc ile kriterlere dönün"),
            id="send-table",
        )
        yield StatusLine(id="send-status")
        yield Footer()

    @property
    def table(self) -> BalanceTable:
        return self.query_one("#send-table", BalanceTable)

    def on_mount(self) -> None:
        with self.database.reader() as session:
            self._since_batch = newest_batch(session)
        self._reload(reset=True)

    def on_screen_resume(self) -> None:
        """Back on the list: when anything was saved meanwhile, the accounts that got a
        letter since are unticked and the rows read again (the Posta column of an address
        fixed on the card, say), the cursor kept on its row."""
        if self.source is None or self.database.commits == self._seen:
            return
        self._forget_sent()
        self._refresh()

    def _ticked(self, number: int) -> bool:
        return self.numbers.key(number) in self.selection

    def cursor_key(self) -> BalanceKey | None:
        number = self.table.cursor_id
        return None if number is None else self.numbers.key(number)

    # ------------------------------------------------------------ selection

    def action_toggle_row(self) -> None:
        key = self.cursor_key()
        if key is None:
            return
        self.selection.toggle(key)
        self.table.action_cursor_down()
        self._selection_changed()

    def every_key(self) -> list[BalanceKey]:
        """Every key of the list in its order: those the list read when it opened."""
        if self._every is None:
            self._every = [] if self.source is None else list(self.source.keys())
        return self._every

    def action_select_all(self) -> None:
        self.selection.set_all(self.every_key())
        self._selection_changed()

    def action_select_none(self) -> None:
        self.selection.clear()
        self._selection_changed()

    def action_invert(self) -> None:
        self.selection.invert(self.every_key())
        self._selection_changed()

    def _selection_changed(self) -> None:
        self._sums = self._selection_sums()
        self.table.refresh()
        self._show_status()

    def _selection_sums(self) -> list[BalanceSums]:
        """Summed in the database: the selected rows, or — when most rows are selected —
        the whole list minus the rows left out, so a key press costs little either way."""
        keys = self.selection.keys
        if not keys:
            return []
        every = self._every
        with self.database.reader() as session:
            if every is None or len(keys) <= len(every) // 2:
                return selection_sums(session, self.criteria.as_of, keys)
            if self._list_sums is None:
                self._list_sums = list_sums(session, self.criteria)
            left_out = [key for key in every if key not in self.selection]
            if not left_out:
                return self._list_sums
            return subtract_sums(
                self._list_sums, selection_sums(session, self.criteria.as_of, left_out)
            )

    # --------------------------------------------------------------- status

    @on(PagedTable.CursorMoved, "#send-table")
    def _cursor_moved(self) -> None:
        self._show_status()

    def _show_status(self) -> None:
        table = self.table
        parts = []
        if table.row_count:
            parts.append(
                _("Satır {row}/{count}").format(row=table.cursor_row + 1, count=table.row_count)
            )
        keys = self.selection.keys
        accounts = len({account for account, _currency in keys})
        parts.extend(sums_parts(len(keys), self._sums, accounts))
        self.query_one("#send-status", StatusLine).show([literal(part) for part in parts])

    # -------------------------------------------------------------- actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("toggle_row", "actions", "send", "select_all", "invert"):
            if not self.is_mounted or not self.table.row_count:
                return None
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    def action_reload(self) -> None:
        self._refresh()
        self.notify(_("Liste yenilendi."), timeout=2)

    def _refresh(self) -> None:
        """The rows read again (keys, figures, addresses), cursor and ticks kept."""
        self._every = None
        self._list_sums = None
        self._reload(keep_id=self.table.cursor_id)
        if self.selection:
            self.selection.keep_only(self.every_key())
        self._selection_changed()

    def _forget_sent(self) -> None:
        """Untick the accounts that got a letter for the date since the list last looked."""
        with self.database.reader() as session:
            if self.selection:
                accounts = {account for account, _currency in self.selection.keys}
                since = self._since_batch
                sent = live_letter_batches(
                    session, self.criteria.as_of, accounts, since_batch=since
                )
                self.selection.keep_only(k for k in self.selection.keys if k[0] not in sent)
            self._since_batch = newest_batch(session)

    @on(PagedTable.RowSelected, "#send-table")
    def _row_selected(self) -> None:
        self.action_actions()

    def action_actions(self) -> None:
        key = self.cursor_key()
        row = self.table.row_at(self.table.cursor_row)
        if key is None or row is None:
            return
        items: list[MenuItem] = []
        if self.selection:
            label = _("Seçilenlere mutabakat gönder ({count})").format(count=len(self.selection))
            items.append(("send_selected", label, "F2"))
        items += [
            ("send_one", _("Bu hesaba gönder"), ""),
            ("card", _("Cari kartı aç"), ""),
            ("movements", _("Hareketleri göster"), ""),
            ("toggle", _("Seç / bırak"), _("Boşluk")),
        ]
        title = f"{literal(row.cells[1])} — {literal(row.cells[2])}"
        self.app.push_screen(ActionMenu(title, items), callback=partial(self._chosen, key))

    def _chosen(self, key: BalanceKey, action_id: str | None) -> None:
        if action_id == "send_selected":
            self.action_send()
        elif action_id == "send_one":
            self._send([key])
        elif action_id == "card":
            from tui_mutabakat.screens.accounts.account_card import AccountCardScreen

            self.app.push_screen(AccountCardScreen(key[0]), callback=self._card_closed)
        elif action_id == "movements":
            open_for_account(self.app, "movements", key[0])
        elif action_id == "toggle":
            self.action_toggle_row()

    def _card_closed(self, saved_id: int | None) -> None:
        if saved_id is not None:
            self.action_reload()

    def action_send(self) -> None:
        keys = self.selection.keys
        if not keys:
            key = self.cursor_key()
            if key is None:
                return
            keys = [key]
        self._send(keys)

    def _send(self, keys: list[BalanceKey]) -> None:
        start_sending(
            self, self.criteria.as_of, keys, criteria=asdict(self.criteria), done=self._sent
        )

    def _sent(self, queued: list[BalanceKey]) -> None:
        """Letters were queued for these rows: they leave the selection."""
        for key in queued:
            if key in self.selection:
                self.selection.toggle(key)
        self._selection_changed()

    # ------------------------------------------------------------ refreshing

    def _reload(self, *, keep_id: int | None = None, reset: bool = False) -> None:
        self._seen = self.database.commits
        table = self.table
        self.source = BalanceSource(self.database, self.criteria, self.numbers)
        table.source = self.source
        table.refresh_data(keep_id=keep_id, reset=reset)
        self._show_status()
        self.refresh_bindings()
