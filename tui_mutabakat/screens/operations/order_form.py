"""A sales order with its lines: new, or a draft changed; other orders open read-only, with
the editing keys hidden and a line saying why."""

from __future__ import annotations

from decimal import Decimal

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Header, Input, Label

from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.enums import OrderStatus
from tui_mutabakat.domain.errors import InvalidInput, ServiceError
from tui_mutabakat.domain.formatting import format_amount, format_day, format_money, parse_amount
from tui_mutabakat.domain.formatting import parse_day as parse_date
from tui_mutabakat.domain.money import check_amount
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.screens.base import AppAccess
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog, MessageDialog
from tui_mutabakat.screens.dialogs.lookup import ValueLookupScreen
from tui_mutabakat.screens.operations.ops_dialogs import (
    ask_due_tracking,
    cursor_key,
    plain,
    refuse_for_due_tracking,
    right,
)
from tui_mutabakat.services.accounts.cards import account_name
from tui_mutabakat.services.accounts.movements import (
    DueTrackingStop,
    DueTrackingWarning,
)
from tui_mutabakat.services.accounts.orders import (
    CODE_TITLE,
    OrderData,
    OrderLineData,
    account_by_code,
    account_codes,
    edit_refusal,
    format_quantity,
    load_order,
    parse_quantity,
    save_order,
    status_label,
)
from tui_mutabakat.widgets.fit_table import FitTable
from tui_mutabakat.widgets.footer import Footer
from tui_mutabakat.widgets.form import date_input, field_row, hint_text, parse_problem
from tui_mutabakat.widgets.tick import Tick


class OrderLineDialog(ModalScreen[OrderLineData | None]):
    """One order line: item, quantity, unit, unit price. F2 or Enter on the last field saves."""

    BINDINGS = [
        Binding("f2,ctrl+s", "save", _("Tamam"), id="order_line_save"),
        Binding("escape", "dismiss(None)", _("Vazgeç"), id="order_line_cancel"),
    ]

    def __init__(self, line: OrderLineData | None = None) -> None:
        super().__init__()
        self._line = line or OrderLineData()

    def compose(self) -> ComposeResult:
        line = self._line
        quantity = format_quantity(line.quantity) if line.quantity else ""
        price = format_amount(line.unit_price) if line.item else ""
        with Vertical(classes="dialog ops-dialog ops-form"):
            yield Label(_("Sipariş satırı"), classes="dialog-title")
            yield field_row(_("Malzeme"), Input(line.item, id="l-item", compact=True))
            yield field_row(_("Miktar"), Input(quantity, id="l-quantity", compact=True))
            yield field_row(_("Birim"), Input(line.unit, id="l-unit", compact=True))
            yield field_row(_("Birim fiyat"), Input(price, id="l-price", compact=True))
            yield Label("", id="l-error", classes="error-text")
            yield Label(_("F2: tamam · Esc: vazgeç"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#l-item", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "l-price":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        def text(name: str) -> str:
            return self.query_one(f"#{name}", Input).value

        try:
            quantity = parse_quantity(text("l-quantity"))
            price = parse_amount(text("l-price"))
            check_amount(quantity * price)  # the line's amount
        except (ValueError, ArithmeticError) as exc:
            usual = _("Miktar ve birim fiyat sayı olmalı.")
            self.query_one("#l-error", Label).update(parse_problem(exc, usual))
            return
        line = OrderLineData(text("l-item").strip(), quantity, text("l-unit").strip(), price)
        if not line.item or not line.unit or quantity <= 0 or price < 0:
            self.query_one("#l-error", Label).update(
                _("Malzeme ve birim dolu, miktar sıfırdan büyük, fiyat negatif olmamalı.")
            )
            return
        line.id = self._line.id
        self.dismiss(line)


class OrderFormScreen(AppAccess, Screen[None]):
    """F2 saves; Ins/F4 adds a line, Enter changes it, F8 removes it; F10 looks up the account."""

    TITLE = _("Satış Siparişi")
    BINDINGS = [
        Binding("f2,ctrl+s", "save", _("Kaydet"), id="order_save"),
        Binding("f4,insert,ctrl+n", "add_line", _("Satır ekle"), id="order_add_line"),
        Binding("f8,ctrl+d", "delete_line", _("Satır sil"), id="order_delete_line"),
        # The lines table takes Enter itself (RowSelected); this names it in F1 and Ctrl+P.
        Binding("enter", "edit_line", _("Satırı düzelt"), id="order_edit_line"),
        Binding("f10,ctrl+l", "lookup", _("Hesap listesi"), id="order_lookup"),
        Binding("escape", "leave", _("Geri"), id="order_back"),
    ]

    def __init__(self, *, order_id: int | None = None, account_id: int | None = None) -> None:
        super().__init__()
        self._order_id = order_id
        self._account_id = account_id
        self.lines: list[OrderLineData] = []
        self.editable = True
        self._clean: tuple[object, ...] = ()
        self._heading = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="order-form-head", classes="ops-form"):
            yield Label("", id="order-form-title", classes="section-title", markup=False)
            # Why the order cannot be changed (shown only then: the editing keys are hidden).
            yield Label("", id="order-read-only", classes="hint", markup=False)
            yield field_row(
                _("Hesap kodu"),
                Input(id="o-account", placeholder=hint_text(_("F10: liste")), compact=True),
            )
            # A hint, in brackets and dim: empty gives the SS series' next number on save.
            yield field_row(
                _("Sipariş no"),
                Input(
                    id="o-number",
                    placeholder=hint_text(_("boş: kaydedilince otomatik verilir")),
                    compact=True,
                ),
            )
            yield field_row(_("Tarih"), date_input(id="o-date"))
            yield field_row(_("Açıklama"), Input(id="o-description", compact=True))
            yield field_row(
                _("Ödemeli"),
                Tick(_("Evet (vade takibi yapılır)"), id="o-paid", compact=True),
            )
        # The item's name gives up its width first: the quantities and amounts stay whole.
        yield FitTable(id="order-lines", shrink=(("item", 10),))
        yield Label("", id="order-total", classes="section-title")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[object] = self.query_one(DataTable)
        table.add_column(_("Malzeme"), key="item")
        table.add_columns(_("Miktar"), _("Birim"), _("Birim Fiyat"), _("Tutar"), _("Sevk"))
        status = OrderStatus.DRAFT
        if self._order_id is not None:
            with self.database.reader() as session:
                data = load_order(session, self._order_id)
                self._account_id = data.account_id
            self._value("o-number", data.number)
            self._value("o-date", format_day(data.date))
            self._value("o-description", data.description)
            self.query_one("#o-paid", Tick).value = data.paid
            self.lines = data.lines
            status = data.status
        else:
            self._value("o-date", format_day(local_today()))
        if self._account_id is not None:
            with self.database.reader() as session:
                account = account_name(session, self._account_id)
            if account is not None:
                self._value("o-account", account.code)
        refusal = edit_refusal(status)
        self.editable = refusal is None
        read_only = self.query_one("#order-read-only", Label)
        read_only.update(refusal or "")
        read_only.display = refusal is not None
        self.refresh_bindings()  # the editing keys leave the footer
        for control in self.query(Input):
            control.disabled = not self.editable
        self.query_one("#o-paid", Tick).disabled = not self.editable
        self._heading = _("Yeni sipariş") if self._order_id is None else status_label(status)
        self._show_account()
        self._fill()
        self._clean = self._snapshot()
        if self.editable:
            self.query_one("#o-account" if self._order_id is None else "#o-date").focus()
        else:
            table.focus()

    @on(Input.Changed, "#o-account")
    def _show_account(self) -> None:
        """The heading names the account the typed code is, or says there is none."""
        code = self._text("o-account").strip()
        named = ""
        if code:
            with self.database.reader() as session:
                found = account_by_code(session, code)
            named = (
                f"{code} {found[1]}"
                if found
                else _("{code}: böyle bir hesap yok").format(code=code)
            )
        heading = f"{self._heading} — {named}" if named else self._heading
        self.query_one("#order-form-title", Label).update(heading)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter moves to the next field, as in the ERP forms; F2 saves."""
        event.stop()
        self.focus_next()

    def _value(self, name: str, value: str) -> None:
        self.query_one(f"#{name}", Input).value = value

    def _text(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value

    def _snapshot(self) -> tuple[object, ...]:
        """What the user can change, to ask before leaving unsaved changes."""
        fields = (*(control.value for control in self.query(Input)), self._paid())
        lines = tuple((ln.item, ln.quantity, ln.unit, ln.unit_price) for ln in self.lines)
        return fields + lines

    def _fill(self, select: int | None = None) -> None:
        table: DataTable[object] = self.query_one(DataTable)
        table.clear()
        for index, line in enumerate(self.lines):
            table.add_row(
                plain(line.item),
                right(format_quantity(line.quantity)),
                plain(line.unit),
                right(format_amount(line.unit_price)),
                right(format_amount(line.amount)),
                right(format_quantity(line.shipped)),
                key=str(index),
            )
        if select is not None and self.lines:
            table.move_cursor(row=min(select, len(self.lines) - 1))
        total = sum((line.amount for line in self.lines), Decimal("0"))
        self.query_one("#order-total", Label).update(
            ngettext(
                "{count} satır · toplam {total}", "{count} satır · toplam {total}", len(self.lines)
            ).format(count=len(self.lines), total=format_money(total))
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A read-only order hides the editing keys (a dimmed key is lost on a monochrome
        terminal; the line under the title says why)."""
        if (
            action in ("save", "add_line", "edit_line", "delete_line", "lookup")
            and not self.editable
        ):
            return False
        return True

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit_line()

    def action_edit_line(self) -> None:
        """Enter: change the line under the cursor."""
        key = cursor_key(self.query_one(DataTable))
        if not self.editable or key is None:
            return
        index = int(key)

        def changed(line: OrderLineData | None) -> None:
            if line is not None:
                self.lines[index] = line
                self._fill(index)

        self.app.push_screen(OrderLineDialog(self.lines[index]), changed)

    def action_add_line(self) -> None:
        def added(line: OrderLineData | None) -> None:
            if line is not None:
                self.lines.append(line)
                self._fill(len(self.lines) - 1)
                self.query_one(DataTable).focus()

        self.app.push_screen(OrderLineDialog(), added)

    def action_delete_line(self) -> None:
        key = cursor_key(self.query_one(DataTable))
        if key is not None:
            del self.lines[int(key)]
            self._fill(int(key))

    def action_lookup(self) -> None:
        def load(prefix: str) -> list[str]:
            with self.database.reader() as session:
                return account_codes(session, prefix)

        def chosen(entry: str | None) -> None:
            if entry:
                self._value("o-account", entry.split(CODE_TITLE, 1)[0])
                self.query_one("#o-date", Input).focus()

        title = _("Cari hesap seçin")
        self.app.push_screen(ValueLookupScreen(title, load, self._text("o-account")), chosen)

    def _paid(self) -> bool:
        return self.query_one("#o-paid", Tick).value

    def action_save(self) -> None:
        with self.database.reader() as session:
            found = account_by_code(session, self._text("o-account"))
        if found is None:
            self.app.push_screen(MessageDialog(_("Bu kodda bir cari hesap yok. F10: liste")))
            return
        try:
            date = parse_date(self._text("o-date"))
        except ValueError as exc:
            usual = _("Tarih geçersiz (31.12.2026 gibi yazın).")
            self.app.push_screen(MessageDialog(parse_problem(exc, usual)))
            return
        data = OrderData(
            found[0],
            date,
            self._text("o-number"),
            self._text("o-description"),
            list(self.lines),
            self._order_id,
            paid=self._paid(),
        )
        self._save(data, confirmed=False)

    def _save(self, data: OrderData, *, confirmed: bool) -> None:
        try:
            with self.database.unit_of_work() as session:
                self._order_id = save_order(session, self.actor, data, confirmed=confirmed)
        except DueTrackingWarning as warning:
            what = f"sales_order_paid {data.number}"
            account = data.account_id or 0
            ask_due_tracking(self, warning, account, what, lambda: self._save(data, confirmed=True))
            return
        except DueTrackingStop as stop:
            account = data.account_id or 0
            refuse_for_due_tracking(self, stop, account, f"sales_order_paid {data.number}")
            return
        except (InvalidInput, ServiceError) as error:
            self.app.push_screen(MessageDialog(str(error), title=_("Kaydedilemedi")))
            return
        self.notify(_("Sipariş kaydedildi."))
        self.app.pop_screen()

    def action_leave(self) -> None:
        if not self.editable or self._snapshot() == self._clean:
            self.app.pop_screen()
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.app.pop_screen()

        question = _("Değişiklikler kaydedilmedi. Çıkılsın mı?")
        self.app.push_screen(ConfirmDialog(question, yes=_("Çık"), danger=True), answered)
