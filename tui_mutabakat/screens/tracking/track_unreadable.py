"""Okunamayan iletiler (issue 10): mailbox messages intake could not apply — unreadable,
over a read limit, failing to apply, naming two letters at once, or matching no letter —
with the reason and the raw headers of the one under the cursor. Nothing here changes a letter."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Header, Label, Static

from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.screens.operations.ops_dialogs import cursor_key
from tui_mutabakat.screens.tracking.track_letters import when
from tui_mutabakat.services.tracking.tracking import unreadable_messages
from tui_mutabakat.widgets.footer import Footer


def reason_word(reason: str) -> str:
    words = {
        "error": _("Okunamadı"),
        "conflict": _("Çelişkili referans"),
        "unmatched": _("Eşleşmedi"),
    }
    return words.get(reason, reason)


class UnreadableScreen(AppAccess, Screen[None]):
    TITLE = _("Okunamayan ve eşleşmeyen iletiler")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f5,ctrl+r", "refresh", _("Yenile"), id="unreadable_refresh"),
        Binding("escape", "app.pop_screen", _("Geri"), id="unreadable_back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._text: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label(_("Okunamayan ve eşleşmeyen iletiler"), classes="section-title")
        yield DataTable(id="unreadable-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="unreadable-scroll"):
            yield Static("", id="unreadable-info", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(_("Tarih"), key="at")
        table.add_column("UID", key="uid")
        table.add_column(_("Neden"), key="reason")
        table.add_column("Message-ID", key="message_id", width=28)
        table.add_column(_("Hata"), key="error")
        table.focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        with self.database.reader() as session:
            rows = [
                (
                    str(m.id),
                    when(m.received_at),
                    str(m.uid or ""),
                    reason_word(m.reason),
                    m.message_id or "—",
                    m.error,
                    m.headers,
                    m.mailbox,
                )
                for m in unreadable_messages(session)
            ]
        self._text = {}
        for key, at, uid, reason, message_id, error, headers, mailbox in rows:
            table.add_row(at, uid, reason, message_id[:60], " ".join(error.split())[:80], key=key)
            self._text[key] = (
                f"{_('Posta kutusu')}: {mailbox}  UID: {uid or '—'}\n"
                f"Message-ID: {message_id}\n{_('Hata')}: {error}\n\n{headers}"
            )
        self._show()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show()

    def _show(self) -> None:
        key = cursor_key(self.query_one(DataTable))
        text = self._text.get(key, "") if key is not None else ""
        self.query_one("#unreadable-info", Static).update(
            text or _("Okunamayan ya da eşleşmeyen ileti yok: posta kutusundaki her ileti okundu.")
        )

    def action_refresh(self) -> None:
        self.reload()
