"""A yes/no question, answered from the keyboard (E = evet, H = hayır, Esc = hayır)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from tui_mutabakat.i18n import gettext as _


class ConfirmDialog(ModalScreen[bool]):
    BINDINGS = [
        Binding("e,y", "answer(True)", _("Evet"), id="confirm_yes"),
        Binding("h,n,escape", "answer(False)", _("Hayır"), id="confirm_no"),
    ]

    def __init__(self, question: str, *, yes: str | None = None, danger: bool = False) -> None:
        super().__init__()
        self._question = question
        self._yes = yes or _("Evet")
        self._danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self._question, classes="question")
            with Horizontal(classes="buttons"):
                yield Button(
                    _("{label} (E)").format(label=self._yes),
                    id="yes",
                    variant="error" if self._danger else "primary",
                )
                yield Button(_("Vazgeç (H)"), id="no")

    def on_mount(self) -> None:
        self.query_one("#no" if self._danger else "#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class MessageDialog(ModalScreen[None]):
    """A message the user must acknowledge (a refusal, an error)."""

    BINDINGS = [Binding("escape,enter", "dismiss", _("Tamam"), id="message_ok")]

    def __init__(self, message: str, *, title: str = "") -> None:
        super().__init__()
        self._message = message
        self._title = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            if self._title:
                yield Label(self._title, classes="dialog-title")
            yield Label(self._message, classes="question")
            with Horizontal(classes="buttons"):
                yield Button(_("Tamam"), id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def on_button_pressed(self, _event: Button.Pressed) -> None:
        self.dismiss(None)
