"""Satış Siparişleri (SPEC C1–C3): the order list, controlled approval, shipping, printing."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Checkbox, DataTable, Header, Input, Label

from tui_mutabakat.domain.enums import OPEN_APPROVED_STATUSES, OrderStatus
from tui_mutabakat.domain.errors import ServiceError
from tui_mutabakat.domain.formatting import format_amount, format_day
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.screens.accounts.account_rows import literal
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.screens.dialogs.action_menu import ActionMenu, MenuItem
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog, MessageDialog
from tui_mutabakat.screens.keys import keys_text
from tui_mutabakat.screens.operations.dispatch_invoice import DispatchInvoiceDialog
from tui_mutabakat.screens.operations.ops_dialogs import (
    cursor_key,
    plain,
    right,
)
from tui_mutabakat.services.accounts.cards import account_name
from tui_mutabakat.services.accounts.invoices import (
    copies_default,
    dispatch_note_number,
    export_invoice,
    invoices_of_order,
)
from tui_mutabakat.services.accounts.order_approval import (
    ApprovalRefused,
    approve_order,
    record_approval_refused,
)
from tui_mutabakat.services.accounts.orders import (
    OrderRow,
    cancel_order,
    cancel_refusal,
    list_orders,
    status_label,
)
from tui_mutabakat.services.accounts.shipping import open_dispatches
from tui_mutabakat.widgets.fit_table import FitTable
from tui_mutabakat.widgets.footer import Footer
from tui_mutabakat.widgets.form import field_row
from tui_mutabakat.widgets.tick import Tick


def invoice_directory(data_dir: Path) -> Path:
    return data_dir / "faturalar"


class InvoicePrintDialog(AppAccess, ModalScreen[list[Path] | None]):
    """Write an invoice as text: the copy count starts at the account's parameter (C2)."""

    BINDINGS = [
        Binding("f2,ctrl+s", "export", _("Yazdır"), id="invoice_print"),
        Binding("escape", "dismiss(None)", _("Vazgeç"), id="invoice_print_cancel"),
    ]

    def __init__(self, invoice_id: int, account_id: int, number: str) -> None:
        super().__init__()
        self._invoice_id = invoice_id
        self._account_id = account_id
        self._number = number

    def compose(self) -> ComposeResult:
        with self.database.reader() as session:
            copies = copies_default(session, self._account_id)
        folder = invoice_directory(self.settings.data_dir)
        with Vertical(classes="dialog ops-dialog ops-form"):
            yield Label(
                _("Fatura yazdır — {number}").format(number=self._number), classes="dialog-title"
            )
            yield field_row(_("Nüsha sayısı"), Input(str(copies), id="print-copies", compact=True))
            yield field_row(_("Klasör"), Input(str(folder), id="print-folder", compact=True))
            yield Tick(_("Tüm nüshalar tek dosyada"), True, id="print-one-file", compact=True)
            yield Label("", id="print-error", classes="error-text")
            yield Label(_("F2: yazdır · Esc: vazgeç"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#print-copies", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter moves to the next field, as in the ERP forms; F2 saves."""
        event.stop()
        self.focus_next()

    def action_export(self) -> None:
        try:
            copies = int(self.query_one("#print-copies", Input).value.strip())
        except ValueError:
            self.query_one("#print-error", Label).update(_("Nüsha sayısı bir tam sayı olmalı."))
            return
        folder = Path(self.query_one("#print-folder", Input).value.strip()).expanduser()
        one_file = self.query_one("#print-one-file", Checkbox).value
        try:
            with self.database.unit_of_work() as session:
                paths = export_invoice(
                    session, self.actor, self._invoice_id, folder, copies, one_file=one_file
                )
        except (ServiceError, OSError) as error:
            self.query_one("#print-error", Label).update(str(error))
            return
        self.dismiss(paths)


class SalesOrderListScreen(AppAccess, Screen[None]):
    """All sales orders, or one account's; F9 holds "Kontrollü Onaylama" and "Sevk et"."""

    TITLE = _("Satış Siparişleri")
    BINDINGS = [
        Binding("f4,insert,ctrl+n", "new", _("Yeni"), id="orders_new"),
        Binding("enter", "open", _("Aç"), id="orders_open"),
        Binding("f8,ctrl+d", "cancel_order", _("İptal et"), id="orders_cancel"),
        Binding("f9,ctrl+o", "actions", _("İşlemler"), id="orders_actions"),
        Binding("escape", "app.pop_screen", _("Geri"), id="orders_back"),
    ]

    #: F4 opened the order form: the next reload selects the order it created.
    _new_order_open = False

    def __init__(self, account_id: int | None = None) -> None:
        super().__init__()
        self.account_id = account_id
        self._rows: dict[int, OrderRow] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Label("", id="orders-title", classes="section-title")
        # Said only while the list is empty: how to add the first order.
        yield Label("", id="orders-empty", classes="hint")
        # The title gives up its width first: the number, dates and amounts stay whole.
        yield FitTable(id="orders-table", shrink=(("title", 8),))
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[object] = self.query_one(DataTable)
        table.add_columns(_("No"), _("Tarih"), _("Hesap"), _("Durum"), _("Tutar"), _("Kalan"))
        table.add_column(_("Ünvan"), key="title")
        self.reload()
        table.focus()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self, select: int | None = None) -> None:
        table: DataTable[object] = self.query_one(DataTable)
        keep = select if select is not None else self.current_id()
        with self.database.reader() as session:
            rows = list_orders(session, self.account_id)
            account = account_name(session, self.account_id)
        before, self._rows = self._rows, {row.id: row for row in rows}
        created = set(self._rows) - set(before)
        if select is None and self._new_order_open and len(created) == 1:
            # F4 saved a new order: the cursor goes to it, so F9 acts on the order just made.
            [keep] = created
        self._new_order_open = False
        scope = account.label if account else _("Tüm hesaplar")
        self.query_one("#orders-title", Label).update(
            ngettext("{scope} · {count} sipariş", "{scope} · {count} sipariş", len(rows)).format(
                scope=scope, count=len(rows)
            )
        )
        empty = self.query_one("#orders-empty", Label)
        empty.update(
            _("Sipariş yok — {keys} ile yeni sipariş").format(keys=keys_text(self, "orders_new"))
        )
        empty.display = not rows
        table.clear()
        for row in rows:
            table.add_row(
                plain(row.number),
                format_day(row.date),
                plain(row.account_code),
                plain(status_label(row.status)),
                right(format_amount(row.total)),
                right(format_amount(row.remaining_value)),
                plain(row.account_title),
                key=str(row.id),
            )
        if keep is not None and keep in self._rows:
            table.move_cursor(row=table.get_row_index(str(keep)))
        self.refresh_bindings()

    def current_id(self) -> int | None:
        key = cursor_key(self.query_one(DataTable))
        return int(key) if key is not None else None

    def _current(self) -> OrderRow | None:
        current = self.current_id()
        return self._rows.get(current) if current is not None else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """The footer offers F8 only on an order that can be cancelled."""
        event.stop()
        self.refresh_bindings()

    def _cancel_refusal(self) -> str | None:
        row = self._current()
        return None if row is None else cancel_refusal(row.number, row.status)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_order":
            # Offered only on an order it can cancel (none on an empty list).
            return self._current() is not None and self._cancel_refusal() is None
        return True

    def on_key(self, event: events.Key) -> None:
        """F8 on an order that cannot be cancelled (not offered, so no binding runs): said at
        once, naming the order, instead of nothing happening."""
        refusal = self._cancel_refusal()
        if refusal is None:
            return
        for node, bindings in self._binding_chain:
            if node is not self:
                continue
            if any(b.id == "orders_cancel" for b in bindings.key_to_bindings.get(event.key, ())):
                event.stop()
                event.prevent_default()
                self.app.push_screen(MessageDialog(literal(refusal), title=_("İptal edilemez")))

    def action_new(self) -> None:
        from tui_mutabakat.screens.operations.order_form import OrderFormScreen

        self._new_order_open = True
        self.app.push_screen(OrderFormScreen(account_id=self.account_id))

    def action_open(self) -> None:
        from tui_mutabakat.screens.operations.order_form import OrderFormScreen

        row = self._current()
        if row is not None:
            self.app.push_screen(OrderFormScreen(order_id=row.id))

    def action_actions(self) -> None:
        row = self._current()
        items: list[MenuItem] = [("new", _("Yeni sipariş"), "F4")]
        if row is not None:
            items.append(("open", _("Siparişi aç"), "Enter"))
            if row.status is OrderStatus.DRAFT:
                items.append(("approve", _("Kontrollü Onaylama"), ""))
            if row.status in OPEN_APPROVED_STATUSES:
                items.append(("ship", _("Sevk et (faturaya / irsaliyeye aktar)"), ""))
            with self.database.reader() as session:
                dispatches = bool(open_dispatches(session, row.id))
                invoiced = bool(invoices_of_order(session, row.id))
            if dispatches:
                items.append(("invoice_dispatch", _("İrsaliyeyi faturala"), ""))
            if invoiced:  # a dispatch note alone has no invoice to print
                items.append(("print", _("Faturayı yazdır"), ""))
            if cancel_refusal(row.number, row.status) is None:
                items.append(("cancel_order", _("Siparişi iptal et"), "F8"))

        def chosen(action: str | None) -> None:
            if action is not None:
                getattr(self, f"action_{action}")()

        title = _("Sipariş İşlemleri")
        if row is not None:  # named: the order and its account
            title = _("Sipariş {number} — {code} {title}").format(
                number=literal(row.number),
                code=literal(row.account_code),
                title=literal(row.account_title),
            )
        self.app.push_screen(ActionMenu(title, items), chosen)

    def action_approve(self) -> None:
        """Controlled approval: the criteria as defaults, changeable for this approval."""
        from tui_mutabakat.screens.operations.approval import ApprovalChoice, ApprovalDialog

        row = self._current()
        if row is None:
            return

        def answered(choice: ApprovalChoice | None) -> None:
            if choice is None:
                return
            try:
                with self.database.unit_of_work() as session:
                    approve_order(
                        session,
                        self.actor,
                        row.id,
                        criteria=choice.criteria,
                        override_reason=choice.reason,
                    )
            except ApprovalRefused as refused:
                with self.database.unit_of_work() as session:
                    record_approval_refused(session, self.actor, row.id, refused.result)
                self.app.push_screen(MessageDialog(str(refused), title=_("Onaylanmadı")))
                return
            except ServiceError as error:
                self.app.push_screen(MessageDialog(str(error), title=_("Onaylanmadı")))
                return
            self.notify(_("{number} onaylandı.").format(number=row.number))
            self.reload()

        self.app.push_screen(ApprovalDialog(row.id, row.number), answered)

    def action_ship(self) -> None:
        from tui_mutabakat.screens.operations.shipment import ShipmentDialog

        row = self._current()
        if row is None:
            return

        def shipped(invoice_id: int | None) -> None:
            self.reload()
            if invoice_id is None:
                return
            with self.database.reader() as session:
                note = dispatch_note_number(session, invoice_id)
            if note is not None:
                self.notify(_("İrsaliye {number} oluşturuldu.").format(number=note))
            else:
                self._print(invoice_id)

        self.app.push_screen(ShipmentDialog(row.id), shipped)

    def action_print(self) -> None:
        row = self._current()
        if row is None:
            return
        with self.database.reader() as session:
            invoices = invoices_of_order(session, row.id)
        if not invoices:
            self.notify(_("Bu siparişin faturası yok."), severity="warning")
        elif len(invoices) == 1:
            self._print(invoices[0].id)
        else:
            items: list[MenuItem] = [
                (str(i.id), f"{i.number}  {format_day(i.date)}  {format_amount(i.total)}", "")
                for i in invoices
            ]

            def chosen(invoice: str | None) -> None:
                if invoice is not None:
                    self._print(int(invoice))

            self.app.push_screen(ActionMenu(_("Fatura seçin"), items), chosen)

    def action_invoice_dispatch(self) -> None:
        """Invoice a dispatch note not yet invoiced (asked which when there are several) in a
        dialog: the invoice's number, date and due date, filled in, editable."""
        row = self._current()
        if row is None:
            return
        with self.database.reader() as session:
            notes = [
                (note.id, f"{note.number}  {format_day(note.date)}  {format_amount(note.total)}")
                for note in open_dispatches(session, row.id)
            ]
        if len(notes) == 1:
            self._invoice_dispatch(notes[0][0])
        elif notes:
            items: list[MenuItem] = [(str(note_id), label, "") for note_id, label in notes]

            def chosen(note: str | None) -> None:
                if note is not None:
                    self._invoice_dispatch(int(note))

            self.app.push_screen(ActionMenu(_("İrsaliye seçin"), items), chosen)

    def _invoice_dispatch(self, dispatch_id: int) -> None:
        def invoiced(invoice_id: int | None) -> None:
            self.reload()
            if invoice_id is not None:
                self._print(invoice_id)

        self.app.push_screen(DispatchInvoiceDialog(dispatch_id), invoiced)

    def _print(self, invoice_id: int) -> None:
        row = self._current()
        if row is None:
            return
        with self.database.reader() as session:
            number = next(
                (i.number for i in invoices_of_order(session, row.id) if i.id == invoice_id), ""
            )

        def written(paths: list[Path] | None) -> None:
            if paths:
                self.notify(
                    _("Fatura yazıldı: {files}").format(files=", ".join(str(p) for p in paths))
                )

        self.app.push_screen(InvoicePrintDialog(invoice_id, row.account_id, number), written)

    def action_cancel_order(self) -> None:
        row = self._current()
        if row is None:
            return
        refusal = cancel_refusal(row.number, row.status)
        if refusal is not None:  # refused before the question: nothing to ask about
            self.app.push_screen(MessageDialog(literal(refusal), title=_("İptal edilemez")))
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                with self.database.unit_of_work() as session:
                    cancel_order(session, self.actor, row.id)
            except ServiceError as error:
                self.app.push_screen(MessageDialog(str(error), title=_("İptal edilemedi")))
                return
            self.reload()

        question = _("{number} numaralı sipariş iptal edilsin mi?").format(number=row.number)
        self.app.push_screen(ConfirmDialog(question, yes=_("İptal et"), danger=True), answered)
