"""Dialogs and helpers shared by the movement, settle and order screens.

`TableDialog` shows a decision with the items behind it (the overdue items of due-date
tracking, the pairs FIFO would close over the limit, the criteria of an approval) and either
asks to go on (E) or back (H/Esc), or only informs. `NumberPrompt` asks for one amount.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label

from tui_mutabakat.domain.formatting import format_day
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.screens.base import AppAccess, refusal_told
from tui_mutabakat.services.accounts.cards import account_name
from tui_mutabakat.services.accounts.movements import (
    DueCheck,
    DueTrackingStop,
    DueTrackingWarning,
    doc_type_label,
    record_declined,
    record_refusal,
)
from tui_mutabakat.services.accounts.rule_log import document_text
from tui_mutabakat.widgets.form import field_row, parse_problem


def cursor_key(table: DataTable[object]) -> str | None:
    """The row key under the cursor of `table`, or `None` when it is empty."""
    if table.row_count == 0:
        return None
    return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value


def plain(value: str) -> Text:
    """A cell with the user's own text, never read as markup."""
    return Text(value)


def right(value: str) -> Text:
    return Text(value, justify="right")


class TableDialog(ModalScreen[bool]):
    """A decision with its items: `confirm` set → E goes on (True), H/Esc goes back."""

    BINDINGS = [
        Binding("e,y", "answer(True)", _("Evet"), id="table_dialog_yes"),
        Binding("h,n,escape", "answer(False)", _("Geri dön"), id="table_dialog_no"),
    ]

    def __init__(
        self,
        title: str,
        text: str,
        columns: Sequence[str] = (),
        rows: Sequence[Sequence[str | Text]] = (),
        *,
        footer: str = "",
        confirm: str | None = None,
        error: bool = False,
    ) -> None:
        super().__init__()
        self._title = title
        self._text = text
        self._columns = columns
        self._rows = rows
        self._footer = footer
        self._confirm = confirm
        self._error = error

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog ops-dialog" + (" -error" if self._error else "")):
            yield Label(self._title, classes="dialog-title", id="table-dialog-title")
            yield Label(self._text, classes="question", id="table-dialog-text", markup=False)
            if self._columns:
                yield DataTable(id="table-dialog-items", cursor_type="row", zebra_stripes=True)
            if self._footer:
                yield Label(self._footer, id="table-dialog-footer", markup=False)
            with Horizontal(classes="buttons"):
                if self._confirm is not None:
                    yield Button(
                        _("{label} (E)").format(label=self._confirm), id="yes", variant="warning"
                    )
                    yield Button(_("Geri dön (H)"), id="no", variant="primary")
                else:
                    yield Button(_("Tamam"), id="no", variant="primary")

    def on_mount(self) -> None:
        if self._columns:
            table: DataTable[object] = self.query_one(DataTable)
            table.add_columns(*self._columns)
            for row in self._rows:
                # a cell of two lines (a foreign amount over its TL equivalent) gets both
                lines = max(str(cell).count("\n") + 1 for cell in row) if row else 1
                table.add_row(*row, height=lines)
            table.can_focus = False
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value and self._confirm is not None)


def decision_subject(screen: AppAccess, account_id: int, what: str) -> str:
    """ "120.01.001 Akın Medikal A.Ş. · Satış Faturası FT-1": what a decision acts on."""
    with screen.database.reader() as session:
        account = account_name(session, account_id)
    document = document_text(what)
    return f"{account.label} · {document}" if account is not None else document


def due_tracking_dialog(check: DueCheck, *, stop: bool, subject: str = "") -> TableDialog:
    """The overdue items behind a due-tracking decision: warn asks, stop only tells.
    `subject` names the account and the document first."""
    lead = f"{subject}\n" if subject else ""
    rows = [
        (
            plain(line.doc_no),
            doc_type_label(line.doc_type),
            format_day(line.date),
            format_day(line.due_date),
            right(str(line.days_overdue)),
            right(line.amount_text),
        )
        for line in check.lines
    ]
    columns = (_("Belge No"), _("Tür"), _("Tarih"), _("Vade"), _("Gün"), _("Açık Tutar"))
    footer = ngettext(
        "{count} kalem, toplam {total}", "{count} kalem, toplam {total}", len(check.lines)
    ).format(count=len(check.lines), total=check.total_text)
    if stop:
        return TableDialog(
            _("Vade Takibi — İşlem Durduruldu"),
            lead + _("Kayıt yapılmadı. {text}").format(text=check.result.text),
            columns,
            rows,
            footer=footer,
            error=True,
        )
    return TableDialog(
        _("Vade Takibi — Uyarı"),
        lead + _("{text} Yine de kaydedilsin mi?").format(text=check.result.text),
        columns,
        rows,
        footer=footer,
        confirm=_("Kaydet"),
    )


class NumberPrompt(ModalScreen[Decimal | None]):
    """Ask for one number; `parse` turns the text into a value or raises `ValueError`."""

    BINDINGS = [Binding("escape", "dismiss(None)", _("Vazgeç"), id="number_prompt_cancel")]

    def __init__(
        self, title: str, label: str, initial: str, parse: Callable[[str], Decimal]
    ) -> None:
        super().__init__()
        self._title = title
        self._label = label
        self._initial = initial
        self._parse = parse

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog ops-dialog"):
            yield Label(self._title, classes="dialog-title")
            yield field_row(self._label, Input(self._initial, id="number-prompt", compact=True))
            yield Label("", id="number-prompt-error", classes="error-text")
            yield Label(_("Enter: tamam · Esc: vazgeç"), classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def _checked(self, text: str) -> Decimal | None:
        """The value, or `None` with the problem shown under the field."""
        error = self.query_one("#number-prompt-error", Label)
        try:
            value = self._parse(text)
        except (ValueError, ArithmeticError) as exc:
            error.update(parse_problem(exc, _("Geçerli bir sayı girin.")))
            return None
        error.update("")
        return value

    def on_input_changed(self, event: Input.Changed) -> None:
        """Checked as it is typed: a quantity above what remains is refused at once."""
        event.stop()
        if event.value.strip():
            self._checked(event.value)
        else:
            self.query_one("#number-prompt-error", Label).update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = self._checked(event.value)
        if value is not None:
            self.dismiss(value)


def ask_due_tracking(
    screen: AppAccess,
    warning: DueTrackingWarning,
    account_id: int,
    what: str,
    on_yes: Callable[[], None],
) -> None:
    """A due-tracking warning: show the overdue items and ask; "yes" runs `on_yes` (which
    saves confirmed, and the save logs the decision), "no" is logged here."""

    def answered(yes: bool | None) -> None:
        if yes:
            on_yes()
            return
        with refusal_told(screen), screen.database.unit_of_work() as session:
            record_declined(session, screen.actor, account_id, warning.check, what)

    subject = decision_subject(screen, account_id, what)
    screen.mutabakat.push_screen(
        due_tracking_dialog(warning.check, stop=False, subject=subject), answered
    )


def refuse_for_due_tracking(
    screen: AppAccess, stop: DueTrackingStop, account_id: int, what: str
) -> None:
    """A save stopped by due-date tracking: log the refusal (the refused save itself was rolled
    back, so in a unit of work of its own) and show the overdue items behind it."""
    with refusal_told(screen), screen.database.unit_of_work() as session:
        record_refusal(session, screen.actor, account_id, stop.check, what)
    subject = decision_subject(screen, account_id, what)
    screen.mutabakat.push_screen(due_tracking_dialog(stop.check, stop=True, subject=subject))
