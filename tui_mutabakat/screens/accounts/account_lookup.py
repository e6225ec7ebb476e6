"""F10 on a field that takes an account: search, pick with Enter, cancel with Esc.

It pages from the database like the account list, so it opens at once at 100 000 accounts.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from tui_mutabakat.data.account_queries import AccountFilter
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.accounts.account_rows import (
    AccountSource,
    AccountTable,
    compact_columns,
    redirect_typing,
)
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.widgets.debounced_search import DebouncedSearch
from tui_mutabakat.widgets.paged_table import PagedTable


class PickTable(AccountTable):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", _("Seç"), id="account_lookup_pick"),
    ]


class AccountLookupScreen(AppAccess, ModalScreen[int | None]):
    """Dismisses with the chosen account's id, or `None` when the user cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", _("Vazgeç"), id="account_lookup_cancel"),
        Binding("down", "focus_table", show=False, id="account_lookup_focus_table"),
    ]

    def __init__(self, initial: str = "") -> None:
        super().__init__()
        self._initial = initial
        self._searching = DebouncedSearch(self, lambda: self.search, self._search_for)
        self._searched = initial.strip()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog account-lookup"):
            yield Label(_("Cari hesap seçin"), classes="dialog-title")
            yield Input(
                value=self._initial,
                placeholder=_("Kod, ünvan veya vergi no"),
                id="account-lookup-search",
            )
            yield PickTable(
                compact_columns(),
                empty_text=_("Eşleşen hesap yok"),
                page_size=100,
                id="account-lookup-table",
            )
            yield Label(_("Enter: seç · Esc: vazgeç · ↓: listeye geç"), classes="hint")

    @property
    def table(self) -> PickTable:
        return self.query_one("#account-lookup-table", PickTable)

    @property
    def search(self) -> Input:
        return self.query_one("#account-lookup-search", Input)

    def on_mount(self) -> None:
        self._load()
        self.search.focus()

    def _load(self) -> None:
        flt = AccountFilter(search=self._searched)
        self.table.source = AccountSource(self.database, flt, compact=True)
        self.table.refresh_data(reset=True)

    @on(Input.Changed, "#account-lookup-search")
    def _changed(self) -> None:
        self._searching.changed()

    def _search_for(self, text: str) -> None:
        if text != self._searched:
            self._searched = text
            self._load()

    @on(Input.Submitted, "#account-lookup-search")
    def _submitted(self) -> None:
        self._searching.now()
        picked = self.table.cursor_id
        if picked is not None:
            self.dismiss(picked)

    @on(PagedTable.RowSelected, "#account-lookup-table")
    def _selected(self, event: PagedTable.RowSelected) -> None:
        self.dismiss(event.key)

    def on_key(self, event: events.Key) -> None:
        redirect_typing(event, self.table, self.search)

    def action_focus_table(self) -> None:
        self._searching.now()
        self.table.focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
