"""F10 lookups: pick a value from a list that narrows as you type."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from tui_mutabakat.i18n import gettext as _


class ValueLookupScreen(ModalScreen[str | None]):
    """A lookup of plain values (cities, group codes, …). Dismisses with the value or `None`.

    `load(prefix)` returns the values that start with what the user typed.
    """

    BINDINGS = [
        Binding("escape", "dismiss(None)", _("Vazgeç"), id="lookup_cancel"),
        Binding("down", "focus_list", show=False),
    ]

    def __init__(self, title: str, load: Callable[[str], list[str]], initial: str = "") -> None:
        super().__init__()
        self._title = title
        self._load = load
        self._initial = initial

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog lookup"):
            yield Label(self._title, classes="dialog-title")
            yield Input(value=self._initial, placeholder=_("Aramak için yazın"), id="lookup-search")
            yield OptionList(id="lookup-list")
            yield Label(_("Enter: seç · Esc: vazgeç"), classes="hint")

    def on_mount(self) -> None:
        self._fill(self._initial)
        self.query_one(Input).focus()

    @on(Input.Changed, "#lookup-search")
    def _search_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#lookup-search")
    def _search_submitted(self) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            index = options.highlighted if options.highlighted is not None else 0
            self.dismiss(str(options.get_option_at_index(index).id))

    @on(OptionList.OptionSelected, "#lookup-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_focus_list(self) -> None:
        self.query_one(OptionList).focus()

    def _fill(self, prefix: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        values = self._load(prefix)
        options.add_options([Option(value, id=value) for value in values])
        if values:
            options.highlighted = 0
        else:
            options.add_option(Option(_("(eşleşen kayıt yok)"), disabled=True))
