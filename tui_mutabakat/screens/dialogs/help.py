"""F1: the keys of the screen the user was on."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Label

from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.keys import key_label, screen_keys


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,f1,q", "dismiss", _("Kapat"), id="help_close")]

    def __init__(self, shown_over: Screen[object]) -> None:
        super().__init__()
        self._over = shown_over

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="dialog"):
            yield Label(
                _("Tuşlar — {screen}").format(screen=self._over.title or ""), id="help-title"
            )
            yield DataTable(id="help-keys", cursor_type="row", zebra_stripes=True)
            yield Label(_("Esc: kapat · Ctrl+P: komut paleti"), classes="hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(_("Tuş"), _("İşlem"))
        for entry in screen_keys(self._over):
            table.add_row(" / ".join(key_label(k) for k in entry.keys), entry.description)
        table.focus()
