"""The F9 action menu of a row (Mikro/Logo's right-click menu), as a keyboard list."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tui_mutabakat.i18n import gettext as _

#: One entry: the action id the menu returns, its label, and the key that does it directly.
MenuItem = tuple[str, str, str]


class ActionMenu(ModalScreen[str | None]):
    """Dismisses with the chosen action id, or `None` (Esc / F9 again)."""

    BINDINGS = [Binding("escape,f9,ctrl+o", "dismiss(None)", _("Kapat"), id="action_menu_close")]

    def __init__(self, title: str, items: list[MenuItem]) -> None:
        super().__init__()
        self._title = title
        self._items = items

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog action-menu"):
            yield Label(self._title, classes="dialog-title", markup=False)
            yield OptionList(
                *(
                    Option(f"{label}  [dim]{hint}[/]" if hint else label, id=action_id)
                    for action_id, label, hint in self._items
                ),
                id="action-menu-list",
            )
            yield Label(_("Enter: seç · Esc: kapat"), classes="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)
