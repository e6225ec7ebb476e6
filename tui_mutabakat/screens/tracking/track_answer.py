"""The answer a user types in (SPEC E3): agreed or not, their balance typed the Turkish way
(one field per currency of a letter of several, each with an optional side: `3.000,00 A`),
a note and the channel (phone or paper) — or, for an unclear reply, the user's decision with
the reply's text shown above."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from tui_mutabakat.domain.formatting import currency_label, parse_amount
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.widgets.form import parse_problem


class Choice(RadioButton):
    """A radio button whose mark shows its state without colours (like `widgets.tick`)."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # Textual reads this name
        return "●" if self.value else " "


class PickOne(RadioSet):
    """A radio group where the arrow keys choose, as in the ERP forms the users know.

    Textual's `RadioSet` only moves a highlight with the arrows and waits for Enter; a user who
    pressed Down on "Mutabık değiliz" and went on would have saved "Mutabıkız".
    """

    def action_next_button(self) -> None:
        if self.has_focus and self.pressed_button is None and self._selected is not None:
            # None chosen yet: Down chooses the first (highlighted since mount).
            self._press_highlighted()
            return
        super().action_next_button()
        # Textual also calls this on mount, to highlight the first button: no choice of the
        # user's (they press keys in a focused group), so a group opened with none chosen
        # stays so.
        if self.has_focus:
            self._press_highlighted()

    def action_previous_button(self) -> None:
        super().action_previous_button()
        self._press_highlighted()

    def action_toggle_button(self) -> None:
        self._press_highlighted()

    def _press_highlighted(self) -> None:
        if self._selected is None:
            return
        button = self._nodes[self._selected]
        if isinstance(button, RadioButton) and not button.value:
            button.value = True


@dataclass(frozen=True, slots=True)
class TypedAnswer:
    kind: str
    balance: Decimal | None
    note: str
    channel: str
    #: Their balance per currency (amount, side) for a letter of several currencies.
    balances: dict[str, tuple[Decimal, str]] | None = None
    #: The side typed after the single balance ("B", "A" or "").
    side: str = ""


_SIDE_SUFFIX = re.compile(r"\s*\b(B|A)\s*$", re.IGNORECASE)


def split_side(text: str) -> tuple[str, str]:
    """`12.345,67 A` → (`12.345,67`, `A`); no side: (`12.345,67`, ``)."""
    match = _SIDE_SUFFIX.search(text)
    if match is None:
        return text.strip(), ""
    return text[: match.start()].strip(), match.group(1).upper()


class AnswerDialog(ModalScreen[TypedAnswer | None]):
    """F2 saves, Esc cancels. `message` (an unclear reply's text) turns it into a decision."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2,ctrl+s", "save", _("Kaydet"), id="answer_save"),
        Binding("escape", "cancel", _("Vazgeç"), id="answer_cancel"),
    ]

    def __init__(
        self,
        title: str,
        message: str | None = None,
        currencies: tuple[str, ...] = (),
        *,
        subject: str = "",
        answered: str = "",
        several: str = "",
        save: Callable[[TypedAnswer], str | None] | None = None,
        chosen: str = "agreed",
    ) -> None:
        """`currencies`: those of the one letter answered, when it lists several (one
        balance field each). `subject` names the letter(s) the answer is recorded for;
        `answered` those whose answer this one overwrites. `several`: the codes of several
        letters answered at once — a balance is per letter, so one typed is refused here.
        `save` records the answer: its refusal (a text) is shown and the dialog stays open
        with what was typed. `chosen`: the answer chosen when the dialog opens ("agreed",
        "disagreed", or "" for none — a letter without a clear answer: F2 asks for one)."""
        super().__init__()
        self._chosen = chosen
        self._subject = subject
        self._answered = answered
        self._several = several
        self._save = save
        self._title = title
        self._message = message
        self._currencies = currencies if len(currencies) > 1 else ()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog track-answer"):
            yield Label(self._title, classes="dialog-title")
            if self._subject:
                yield Static(self._subject, id="answer-subject", markup=False)
            if self._answered:
                yield Static(self._answered, id="answer-answered", classes="warning", markup=False)
            if self._message is not None:
                yield Static(self._message or _("(metin yok)"), id="answer-message", markup=False)
            with PickOne(id="answer-kind"):
                yield Choice(_("Mutabıkız"), value=self._chosen == "agreed", id="kind-agreed")
                yield Choice(
                    _("Mutabık değiliz"), value=self._chosen == "disagreed", id="kind-disagreed"
                )
            if self._currencies:
                for currency in self._currencies:
                    yield Input(
                        placeholder=_("Onların {currency} bakiyesi, ör. 12.345,67 B").format(
                            currency=currency_label(currency)
                        ),
                        id=f"answer-balance-{currency}",
                        classes="answer-balance",
                    )
            else:
                yield Input(
                    placeholder=_("Onların bakiyesi, ör. 12.345,67"),
                    id="answer-balance",
                    classes="answer-balance",
                )
            yield Input(placeholder=_("Not"), id="answer-note")
            if self._message is None:
                with PickOne(id="answer-channel"):
                    yield Choice(_("Telefon"), value=True, id="channel-phone")
                    yield Choice(_("Kâğıt"), id="channel-paper")
            yield Label("", id="answer-error", classes="error")
            yield Label(_("F2: kaydet · Esc: vazgeç"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#answer-kind", RadioSet).focus()

    def action_save(self) -> None:
        kind_set = self.query_one("#answer-kind", RadioSet)
        pressed = kind_set.pressed_button
        if pressed is None:
            kind_set.focus()
            return self._refuse(_("Yanıt seçin: Mutabıkız ya da Mutabık değiliz (↑/↓)."))
        kind = "disagreed" if pressed.id == "kind-disagreed" else "agreed"
        typed: dict[str, tuple[Decimal, str]] = {}
        for control in self.query(".answer-balance").results(Input):
            text, side = split_side(control.value)
            if not text:
                continue
            try:
                amount = abs(parse_amount(text))
            except ValueError as exc:
                usual = _("Geçerli bir tutar girin (örnek: 150.000,00).")
                problem = parse_problem(exc, usual)
                self.query_one("#answer-error", Label).update(problem)
                # The line may be scrolled out of a short terminal: say it where it is seen.
                self.notify(problem, severity="error")
                control.focus()
                return
            currency = (control.id or "").removeprefix("answer-balance").lstrip("-")
            typed[currency] = (amount, side)
        balance, single_side = typed.get("", (None, ""))
        balances = {c: v for c, v in typed.items() if c} if self._currencies else None
        channel = "email"
        if self._message is None:
            chosen = self.query_one("#answer-channel", RadioSet).pressed_button
            channel = "paper" if chosen is not None and chosen.id == "channel-paper" else "phone"
        note = self.query_one("#answer-note", Input).value.strip()
        answer = TypedAnswer(kind, balance, note, channel, balances, single_side)
        if self._several and typed:
            return self._refuse(
                _(
                    "Bakiye mektup başına girilir: {letters} için ayrı ayrı yanıt girin "
                    "ya da bakiyeyi boş bırakın."
                ).format(letters=self._several)
            )
        refused = self._save(answer) if self._save is not None else None
        if refused:
            return self._refuse(refused)
        self.dismiss(answer)

    def _refuse(self, problem: str) -> None:
        """Say why the answer was not saved, in the dialog and as a toast; what was typed
        stays for the user to correct."""
        self.query_one("#answer-error", Label).update(problem)
        self.notify(problem, severity="error")

    def action_cancel(self) -> None:
        self.dismiss(None)
