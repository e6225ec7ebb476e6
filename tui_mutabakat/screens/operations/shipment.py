"""Sevk et: an approved order into an invoice (SPEC C1), as the account's parameter allows.

Partial shipment "no": the whole order is transferred ("Sipariş Fişi Aktar"); the quantities
shown cannot be changed and the per-line transfer is not offered. "yes": Enter (or F9 →
"Satır aktar") sets a line's quantity for this shipment; the order keeps the rest.

The number comes filled in as a real value, the next of the document's series (FT, or IR
while "İrsaliye" is ticked), as in the dispatch-invoice dialog; editable.
"""

from __future__ import annotations

from decimal import Decimal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, DataTable, Input, Label

from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.errors import ServiceError
from tui_mutabakat.domain.formatting import format_day, parse_day
from tui_mutabakat.domain.money import OutOfRange
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.screens.dialogs.action_menu import ActionMenu, MenuItem
from tui_mutabakat.screens.dialogs.confirm import MessageDialog
from tui_mutabakat.screens.operations.ops_dialogs import (
    NumberPrompt,
    ask_due_tracking,
    cursor_key,
    plain,
    refuse_for_due_tracking,
    right,
)
from tui_mutabakat.services.accounts.cards import account_name
from tui_mutabakat.services.accounts.document_numbers import next_invoice_number
from tui_mutabakat.services.accounts.movements import (
    DueTrackingStop,
    DueTrackingWarning,
)
from tui_mutabakat.services.accounts.orders import (
    format_quantity,
    parse_quantity,
)
from tui_mutabakat.services.accounts.parameters import default_due_date
from tui_mutabakat.services.accounts.shipping import ShipmentView, ship_order, shipment_view
from tui_mutabakat.widgets.fit_table import FitTable
from tui_mutabakat.widgets.form import date_input, field_row, hint_text, parse_problem
from tui_mutabakat.widgets.tick import Tick

ZERO = Decimal("0")


class ShipmentDialog(AppAccess, ModalScreen[int | None]):
    """Dismisses with the new invoice's id, or `None` when nothing was shipped."""

    BINDINGS = [
        Binding("f2,ctrl+s", "ship", _("Sevk et"), id="shipment_ship"),
        Binding("f9,ctrl+o", "actions", _("İşlemler"), id="shipment_actions"),
        # The lines table takes Enter itself (RowSelected); this names it in F1 and Ctrl+P.
        Binding("enter", "line", _("Satır miktarı"), id="shipment_line"),
        Binding("escape", "dismiss(None)", _("Vazgeç"), id="shipment_cancel"),
    ]

    def __init__(self, order_id: int) -> None:
        super().__init__()
        self._order_id = order_id
        self.view: ShipmentView | None = None
        #: Line id → quantity to ship now; for partial "no" always all that remains.
        self.requested: dict[int, Decimal] = {}
        #: The number last filled in as the series' next (FT, or IR for a dispatch note):
        #: switched with the document until the user types another.
        self._auto_number = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog ops-dialog ops-form shipment"):
            yield Label("", id="shipment-title", classes="dialog-title")
            yield Label("", id="shipment-note")
            # The item's name gives up its width first: the quantities stay whole.
            yield FitTable(id="shipment-lines", shrink=(("item", 10),))
            yield field_row(
                _("Fatura no"),
                Input(
                    id="s-number",
                    placeholder=hint_text(_("boş: otomatik numara")),
                    compact=True,
                    select_on_focus=False,
                ),
                classes="s-number-row",
            )
            yield field_row(_("Fatura tarihi"), date_input(id="s-date"), classes="s-date-row")
            yield field_row(
                _("Vade tarihi"),
                date_input(id="s-due", placeholder=_("boş: fatura tarihinde vadeli")),
                classes="s-due-row",
            )
            yield field_row(
                _("Belge"),
                Tick(_("İrsaliye (faturası sonra kesilir)"), id="s-dispatch", compact=True),
            )
            yield Label("", id="s-error", classes="error-text")
            yield Label(_("F2: sevk et · F9: işlemler · Esc: vazgeç"), classes="hint")

    def on_mount(self) -> None:
        with self.database.reader() as session:
            self.view = shipment_view(session, self._order_id)
            account = account_name(session, self.view.account_id)
        view = self.view
        who = account.label if account else ""
        self.query_one("#shipment-title", Label).update(
            _("Sevk et — {number} · {who}").format(number=view.number, who=who)
        )
        self._name_document()
        self._propose_number()
        self.requested = {line.line_id: line.remaining for line in view.lines if line.remaining}
        table: DataTable[object] = self.query_one(DataTable)
        table.add_column(_("Malzeme"), key="item")
        table.add_columns(_("Sipariş"), _("Sevk edilen"), _("Kalan"), _("Birim"))
        table.add_column(_("Bu sevk"), key="now")
        for line in view.lines:
            table.add_row(
                plain(line.item),
                right(format_quantity(line.quantity)),
                right(format_quantity(line.shipped)),
                right(format_quantity(line.remaining)),
                plain(line.unit),
                right(format_quantity(self.requested.get(line.line_id, ZERO))),
                key=str(line.line_id),
            )
        today = local_today()
        self.query_one("#s-date", Input).value = format_day(today)
        with self.database.reader() as session:
            due = default_due_date(session, view.account_id, today)
        self.query_one("#s-due", Input).value = format_day(due)
        table.focus()

    @property
    def dispatch(self) -> bool:
        """Whether this shipment makes a dispatch note ("irsaliye") rather than an invoice."""
        return self.query_one("#s-dispatch", Tick).value

    @on(Checkbox.Changed, "#s-dispatch")
    def _document_changed(self) -> None:
        self._name_document()
        self._propose_number()

    def _propose_number(self) -> None:
        """Fill in the next number of the document's series (IR for a dispatch note, FT for
        an invoice) as a real value, as the dispatch-invoice dialog does; a number the user
        typed stays. The save checks it again (a number taken meanwhile is refused)."""
        number = self.query_one("#s-number", Input)
        if number.value.strip() and number.value != self._auto_number:
            return
        with self.database.reader() as session:
            self._auto_number = next_invoice_number(
                session, "IR" if self.dispatch else "FT", saving=False
            )
        number.value = self._auto_number

    def _name_document(self) -> None:
        """Every label names the document this shipment makes: an irsaliye has its own
        number and date, and no due date (it debits nothing; its invoice, cut later, gets
        one when it is cut)."""
        view = self.view
        if view is None:
            return
        dispatch = self.dispatch
        if view.partial_allowed:
            note = _("Parçalı sevkiyat: Enter ile satırın bu sevkteki miktarını değiştirin.")
        elif dispatch:
            note = _(
                "Parçalı sevkiyat yapılmaz: sipariş bütün olarak, miktar ve birim "
                "değiştirilmeden irsaliyeye aktarılır."
            )
        else:
            note = _(
                "Parçalı sevkiyat yapılmaz: sipariş bütün olarak, miktar ve birim "
                "değiştirilmeden faturaya aktarılır."
            )
        self.query_one("#shipment-note", Label).update(note)
        labels = {
            "s-number-row": _("İrsaliye no") if dispatch else _("Fatura no"),
            "s-date-row": _("İrsaliye tarihi") if dispatch else _("Fatura tarihi"),
        }
        for row, text in labels.items():
            self.query_one(f".{row} .field-label", Label).update(text)
        self.query_one(".s-due-row").display = not dispatch

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter moves to the next field, as in the ERP forms; F2 saves."""
        event.stop()
        self.focus_next()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_line()

    def action_line(self) -> None:
        """Set the quantity of the line under the cursor (partial shipment "yes" only)."""
        view = self.view
        if view is None:
            return
        if not view.partial_allowed:
            self.notify(
                _("Bu hesapta parçalı sevkiyat yapılmaz; miktar ve birim değiştirilemez."),
                severity="warning",
            )
            return
        key = cursor_key(self.query_one(DataTable))
        line = next((ln for ln in view.lines if str(ln.line_id) == key), None)
        if line is None:
            return
        current = self.requested.get(line.line_id, ZERO)

        def entered(quantity: Decimal | None) -> None:
            if quantity is not None:
                self._set(line.line_id, quantity)

        title = _("{item}: bu sevkte miktar (kalan {remaining} {unit})").format(
            item=line.item, remaining=format_quantity(line.remaining), unit=line.unit
        )
        remaining, unit = line.remaining, line.unit

        def within(text: str) -> Decimal:
            """The typed quantity, refused above what remains (no over-shipment)."""
            quantity = parse_quantity(text)
            if quantity > remaining:
                raise OutOfRange(
                    _("Kalandan fazla sevk edilemez: en çok {remaining} {unit}.").format(
                        remaining=format_quantity(remaining), unit=unit
                    )
                )
            if quantity < ZERO:
                raise OutOfRange(_("Miktar eksi olamaz."))
            return quantity

        prompt = NumberPrompt(title, _("Miktar"), format_quantity(current), within)
        self.app.push_screen(prompt, entered)

    def _set(self, line_id: int, quantity: Decimal) -> None:
        self.requested[line_id] = quantity
        self.query_one(DataTable).update_cell(str(line_id), "now", right(format_quantity(quantity)))

    def action_actions(self) -> None:
        view = self.view
        if view is None:
            return
        items: list[MenuItem] = [("ship", _("Sipariş fişi aktar (sevk et)"), "F2")]
        if view.partial_allowed:
            items += [
                ("line", _("Sipariş hareketi aktar (satır miktarı)"), "Enter"),
                ("all", _("Tüm kalanları aktar"), ""),
                ("none", _("Hiçbir satırı aktarma"), ""),
            ]

        def chosen(action: str | None) -> None:
            if action == "ship":
                self.action_ship()
            elif action == "line":
                self.action_line()
            elif action in ("all", "none"):
                for line in view.lines:
                    if line.remaining:
                        self._set(line.line_id, line.remaining if action == "all" else ZERO)

        self.app.push_screen(ActionMenu(_("Sevk İşlemleri"), items), chosen)

    def action_ship(self) -> None:
        self._ship(confirmed=False)

    def _ship(self, *, confirmed: bool) -> None:
        view = self.view
        if view is None:
            return
        error = self.query_one("#s-error", Label)
        try:
            date = parse_day(self.query_one("#s-date", Input).value)
            due_text = "" if self.dispatch else self.query_one("#s-due", Input).value
            due = parse_day(due_text) if due_text.strip() else None
        except ValueError as exc:
            error.update(parse_problem(exc, _("Tarih geçersiz (31.12.2026 gibi yazın).")))
            return
        requested = dict(self.requested) if view.partial_allowed else None
        number = self.query_one("#s-number", Input).value
        try:
            with self.database.unit_of_work() as session:
                invoice_id = ship_order(
                    session,
                    self.actor,
                    view.order_id,
                    requested,
                    invoice_date=date,
                    due_date=due,
                    number=number,
                    confirmed=confirmed,
                    dispatch=self.dispatch,
                )
        except DueTrackingWarning as warning:
            what = f"sales_invoice order={view.number}"
            ask_due_tracking(
                self, warning, view.account_id, what, lambda: self._ship(confirmed=True)
            )
            return
        except DueTrackingStop as stop:
            refuse_for_due_tracking(
                self, stop, view.account_id, f"sales_invoice order={view.number}"
            )
            return
        except ServiceError as failure:
            self.app.push_screen(MessageDialog(str(failure), title=_("Sevk edilemedi")))
            return
        self.dismiss(invoice_id)
