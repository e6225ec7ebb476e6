"""The question between the send dialog and the send (SPEC D5): some of the accounts
already have a live letter for the date. Skip them (the default, Enter or A), send them
again (Y), or go back (Esc)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Literal

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext

#: The answer: leave those accounts out, or write them a letter again.
Choice = Literal["skip", "again"]


class DuplicateDialog(ModalScreen[Choice | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "answer('skip')", _("Atla"), id="duplicates_skip"),
        Binding("y", "answer('again')", _("Yine gönder"), id="duplicates_again"),
        Binding("escape", "answer('')", _("Vazgeç"), id="duplicates_cancel"),
    ]

    def __init__(self, accounts: int, selected: int, named: Sequence[str] = ()) -> None:
        """`named`: a line for each of the first accounts — its code, title and the letter
        it already has; more than those are counted."""
        super().__init__()
        self.accounts = accounts
        self.selected = selected
        self.named = tuple(named)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(_("Bu tarih için mektubu olan hesaplar"), classes="dialog-title")
            yield Label(
                ngettext(
                    "Seçilen {selected} hesaptan {count} hesabın bu mutabakat tarihi için "
                    "gönderilmiş ya da bekleyen mektubu var. Onlar atlansın mı, yoksa "
                    "yine gönderilsin mi?",
                    "Seçilen {selected} hesaptan {count} hesabın bu mutabakat tarihi için "
                    "gönderilmiş ya da bekleyen mektubu var. Onlar atlansın mı, yoksa "
                    "yine gönderilsin mi?",
                    self.accounts,
                ).format(selected=self.selected, count=self.accounts),
                classes="question",
                id="duplicates-question",
            )
            if self.named:
                lines = list(self.named)
                if self.accounts > len(lines):
                    more = self.accounts - len(lines)
                    lines.append(
                        ngettext("… ve {count} hesap daha", "… ve {count} hesap daha", more).format(
                            count=more
                        )
                    )
                yield Label("\n".join(lines), id="duplicates-accounts", markup=False)
            with Horizontal(classes="buttons"):
                yield Button(_("Atla (A)"), id="duplicates-skip-button", variant="primary")
                yield Button(_("Yine gönder (Y)"), id="duplicates-again-button")
                yield Button(_("Vazgeç (Esc)"), id="duplicates-cancel-button")

    def on_mount(self) -> None:
        self.query_one("#duplicates-skip-button", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        answers: dict[str | None, Choice] = {
            "duplicates-skip-button": "skip",
            "duplicates-again-button": "again",
        }
        self.dismiss(answers.get(event.button.id))

    def action_answer(self, choice: str) -> None:
        if choice == "skip":
            self.dismiss("skip")
        elif choice == "again":
            self.dismiss("again")
        else:
            self.dismiss(None)
