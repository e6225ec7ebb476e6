"""The rule decisions of one account (issue 11.8): every continue, warning answered yes or
no, stop and approval the account's parameters decided, newest first."""

from __future__ import annotations

import datetime as dt

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label

from tui_mutabakat.domain.formatting import format_moment, local_moment
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.screens.operations.ops_dialogs import cursor_key, plain
from tui_mutabakat.services.accounts.cards import account_name
from tui_mutabakat.services.accounts.rule_log import Decision, list_decisions
from tui_mutabakat.widgets.fit_table import FitTable
from tui_mutabakat.widgets.footer import Footer


def _short_time(at: dt.datetime, this_year: int) -> str:
    """The table's time: `06.12 14:05` this year, `06.12.25` before (in full below it)."""
    local = local_moment(at)
    return local.strftime("%d.%m %H:%M") if local.year == this_year else local.strftime("%d.%m.%y")


class RuleDecisionsScreen(AppAccess, Screen[None]):
    """The decisions, a row each; the line under the table shows the document and the
    figures of the row."""

    TITLE = _("Kural Kararları")
    BINDINGS = [
        Binding("f5,ctrl+r", "reload", _("Yenile"), id="decisions_reload"),
        Binding("escape", "app.pop_screen", _("Geri"), id="decisions_back"),
    ]

    def __init__(self, account_id: int) -> None:
        super().__init__()
        self.account_id = account_id
        self._rows: list[Decision] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="decisions-title", classes="section-title")
        # Short words for the rule and the decision; the user, then those give up width so
        # the document stays whole at 80 columns (the line under the table says all in full).
        yield FitTable(
            id="decisions-table",
            shrink=(("user", 0), ("decision", 8), ("rule", 4), ("document", 12)),
        )
        yield Label("", id="decisions-detail", classes="hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[object] = self.query_one(DataTable)
        table.add_column(_("Zaman"))
        table.add_column(_("Kullanıcı"), key="user")
        table.add_column(_("Kural"), key="rule")
        table.add_column(_("Karar"), key="decision")
        table.add_column(_("Belge"), key="document")
        self.action_reload()
        table.focus()

    def action_reload(self) -> None:
        with self.database.reader() as session:
            account = account_name(session, self.account_id)
            self._rows = list_decisions(session, self.account_id)
        who = account.label if account else "?"
        if self._rows:
            title = _("{account} · {count} karar").format(account=who, count=len(self._rows))
        else:
            title = _("{account} · henüz kural kararı yok").format(account=who)
        self.query_one("#decisions-title", Label).update(plain(title))
        table: DataTable[object] = self.query_one(DataTable)
        table.clear()
        this_year = dt.datetime.now().astimezone().year
        for index, row in enumerate(self._rows):
            table.add_row(
                _short_time(row.at, this_year),
                plain(row.login),
                plain(row.rule_short or row.rule),
                plain(row.decision_short or row.decision),
                plain(row.document),
                key=str(index),
            )
        self._show_detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        key = cursor_key(self.query_one(DataTable))
        row = self._rows[int(key)] if key is not None and self._rows else None
        detail = ""
        if row is not None:
            # The document first; the rule and the decision, which the table says short, in
            # full after the detail; then who and when (the user's column gives way at 80).
            when = format_moment(row.at)
            parts = (
                row.document,
                row.detail,
                f"{row.rule} — {row.decision}",
                f"{row.login}, {when}",
            )
            detail = " · ".join(part for part in parts if part)
        self.query_one("#decisions-detail", Label).update(detail)
