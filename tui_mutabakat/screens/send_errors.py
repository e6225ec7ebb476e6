"""The error list of a send (SPEC D5): the accounts that got no letter, and why.

Enter (or F4) opens the account card to fix the account; the rows saved there are marked,
and F2 sends them again — a new batch with the same options, for those rows only. What
still cannot be sent stays on the list with its new reason.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Label, Static

from tui_mutabakat.data.balance_queries import BalanceKey
from tui_mutabakat.domain.formatting import currency_label
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.services.batches import SendOptions, SkippedAccount

FIXED = "✓"


class SendErrorsScreen(AppAccess, Screen[None]):
    TITLE = _("Gönderilemeyen hesaplar")
    AUTO_FOCUS = "#send-errors-table"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", _("Kapat"), id="send_errors_back"),
        Binding("enter,f4,ctrl+k", "open_card", _("Kartı aç"), id="send_errors_card"),
        Binding("f2,ctrl+s", "send_again", _("Tekrar gönder"), id="send_errors_again"),
    ]

    def __init__(
        self,
        as_of: date,
        options: SendOptions,
        skipped: list[SkippedAccount],
        criteria: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        self.as_of = as_of
        self.options = options
        self.criteria = criteria
        self.skipped = list(skipped)
        #: Rows whose account card was saved since they were listed.
        self.fixed: set[BalanceKey] = set()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="send-errors-head", markup=False)
        yield DataTable(id="send-errors-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="send-errors-reason", markup=False)
        yield Label(
            _("Enter: kartı aç ve düzelt · F2: düzeltilenleri tekrar gönder · Esc: kapat"),
            classes="hint",
        )
        yield Footer()

    @property
    def table(self) -> DataTable[str]:
        return self.query_one("#send-errors-table", DataTable)

    def on_mount(self) -> None:
        table = self.table
        table.add_column("", width=1, key="fixed")
        table.add_column(_("Kod"), width=10, key="code")
        table.add_column(_("Ünvan"), width=20, key="title")
        table.add_column(_("Dvz"), width=3, key="currency")
        table.add_column(_("Neden"), width=80, key="reason")
        self._fill()

    def _fill(self, cursor: int = 0) -> None:
        table = self.table
        table.clear()
        for item in self.skipped:
            key = (item.account_id, item.currency)
            table.add_row(
                FIXED if key in self.fixed else "",
                item.code,
                item.title,
                currency_label(item.currency),
                item.reason,
                key=f"{item.account_id}:{item.currency}",
            )
        if self.skipped:
            table.move_cursor(row=min(cursor, len(self.skipped) - 1))
        self.query_one("#send-errors-head", Label).update(
            _("{count} hesaba mektup gönderilmedi; diğerleri gönderiliyor.").format(
                count=len(self.skipped)
            )
            if self.skipped
            else _("Hata kalmadı.")
        )
        self._show_reason()
        self.refresh_bindings()

    def current(self) -> SkippedAccount | None:
        row = self.table.cursor_row
        if not self.skipped or not 0 <= row < len(self.skipped):
            return None
        return self.skipped[row]

    @on(DataTable.RowHighlighted, "#send-errors-table")
    def _show_reason(self) -> None:
        item = self.current()
        self.query_one("#send-errors-reason", Static).update(
            f"{item.code} {item.title}: {item.reason}" if item else ""
        )

    @on(DataTable.RowSelected, "#send-errors-table")
    def _selected(self) -> None:
        self.action_open_card()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_card" and not self.skipped:
            return None
        if action == "send_again" and not self.fixed:
            return None
        return True

    def action_back(self) -> None:
        self.dismiss(None)

    def action_open_card(self) -> None:
        from tui_mutabakat.screens.account_card import AccountCardScreen

        item = self.current()
        if item is None:
            return
        key = (item.account_id, item.currency)

        def closed(saved_id: int | None) -> None:
            if saved_id is not None:
                self.fixed.add(key)
                self._fill(self.table.cursor_row)

        self.app.push_screen(AccountCardScreen(item.account_id), callback=closed)

    def action_send_again(self) -> None:
        """A new batch, same options, for the rows fixed since (the rest stay listed)."""
        from tui_mutabakat.screens.send_flow import send_with_options

        keys = [
            (s.account_id, s.currency)
            for s in self.skipped
            if (s.account_id, s.currency) in self.fixed
        ]
        if not keys:
            self.notify(_("Önce Enter ile hesap kartını açıp düzeltin."), severity="warning")
            return
        waiting = [s for s in self.skipped if (s.account_id, s.currency) not in self.fixed]
        self.fixed.clear()
        created = send_with_options(
            self, self.as_of, keys, self.options, criteria=self.criteria, show_errors=False
        )
        if created is None:
            self.fixed.update(keys)
            return
        self.skipped = waiting + created.skipped
        self._fill()
        sent = len(keys) - len(created.skipped)
        self.notify(_("{count} hesaba mektup kuyruğa alındı.").format(count=sent), timeout=4)
