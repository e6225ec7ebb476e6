"""Sales orders as the keys-only walk of the demo at 80×24 found them: what F8 offers on a
shipped order, the empty list's hint, invoicing a dispatch note through a dialog, the order
form's number hint and the ship dialog's due date under Tab."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from textual.widgets import Input, Label

from tests.ops_data import make_account
from tests.pilot_keys import press
from tests.test_ops_screens import choose
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.models import Movement
from tui_mutabakat.data.ops_models import Invoice
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.enums import OrderStatus
from tui_mutabakat.domain.formatting import format_day
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog, MessageDialog
from tui_mutabakat.screens.keys import screen_keys
from tui_mutabakat.screens.operations.dispatch_invoice import DispatchInvoiceDialog
from tui_mutabakat.screens.operations.order_form import OrderFormScreen
from tui_mutabakat.screens.operations.orders import InvoicePrintDialog, SalesOrderListScreen
from tui_mutabakat.screens.operations.shipment import ShipmentDialog
from tui_mutabakat.services.accounts.order_approval import (
    approve_order,
)
from tui_mutabakat.services.accounts.orders import (
    OrderData,
    OrderLineData,
    load_order,
    save_order,
)
from tui_mutabakat.services.accounts.shipping import ship_order
from tui_mutabakat.services.context import Actor

TODAY = local_today()
SIZE = (80, 24)


def new_order(
    database: Database, actor: Actor, account: int, *, approve: bool = False, date: dt.date = TODAY
) -> int:
    line = OrderLineData("Vida", Decimal("10"), "Adet", Decimal("12"))
    with database.unit_of_work() as session:
        order = save_order(session, actor, OrderData(account, date, lines=[line]))
        if approve:
            approve_order(session, actor, order)
    return order


def order_number(database: Database, order: int) -> str:
    with database.reader() as session:
        return load_order(session, order).number


def offered(app: MutabakatApp) -> set[str]:
    """The actions the screen's footer (and F1) offers, enabled."""
    return {key.action for key in screen_keys(app.screen) if key.enabled}


# --- 3. F8 "İptal et" on a shipped order ----------------------------------------------------


async def test_cancel_is_not_offered_on_a_shipped_order_and_f8_says_why(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor)
    draft = new_order(database, actor, account, date=TODAY - dt.timedelta(days=1))
    shipped = new_order(database, actor, account, approve=True)
    with database.unit_of_work() as session:
        ship_order(session, actor, shipped, invoice_date=TODAY, today=TODAY)
    number = order_number(database, shipped)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SalesOrderListScreen(account))
        await press(pilot)
        screen = app.screen
        assert isinstance(screen, SalesOrderListScreen) and screen.current_id() == shipped
        assert "cancel_order" not in offered(app)
        await press(pilot, "f8")  # pressed anyway: refused at once, nothing asked
        refusal = app.screen
        assert isinstance(refusal, MessageDialog)
        text = str(refusal.query_one(".question", Label).content)
        assert number in text and "sevk edildi" in text and "iptal edilemez" in text
        await press(pilot, "enter", "down")
        assert screen.current_id() == draft
        assert "cancel_order" in offered(app)
        await press(pilot, "f8")  # a draft can be cancelled: asked first
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "escape")
    with database.reader() as session:
        assert load_order(session, shipped).status is OrderStatus.SHIPPED
        assert load_order(session, draft).status is OrderStatus.DRAFT


# --- 7. the empty orders list says how to add one --------------------------------------------


async def test_the_empty_list_says_which_key_adds_an_order(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SalesOrderListScreen(account))
        await press(pilot)
        hint = app.screen.query_one("#orders-empty", Label)
        assert hint.display
        assert str(hint.content) == "Sipariş yok — F4/Ins ile yeni sipariş"
        assert "cancel_order" not in {key.action for key in screen_keys(app.screen)}
        new_order(database, actor, account)
        screen = app.screen
        assert isinstance(screen, SalesOrderListScreen)
        screen.reload()
        await press(pilot)
        assert not hint.display


# --- 2. "İrsaliyeyi faturala" asks for the invoice's number, date and due date ---------------


async def test_invoicing_a_dispatch_note_asks_number_date_and_due_date(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor, payment_days=30)
    order = new_order(database, actor, account, approve=True)
    with database.unit_of_work() as session:
        ship_order(session, actor, order, invoice_date=TODAY, today=TODAY)  # FT-000001
    other = new_order(database, actor, account, approve=True)
    with database.unit_of_work() as session:
        note = ship_order(session, actor, other, invoice_date=TODAY, today=TODAY, dispatch=True)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SalesOrderListScreen(account))
        await press(pilot)
        screen = app.screen
        assert isinstance(screen, SalesOrderListScreen) and screen.current_id() == other
        await press(pilot, "f9")
        await choose(pilot, "invoice_dispatch")
        dialog = app.screen
        assert isinstance(dialog, DispatchInvoiceDialog)
        number = dialog.query_one("#d-number", Input)
        date = dialog.query_one("#d-date", Input)
        due = dialog.query_one("#d-due", Input)
        # real values, not hints: the FT series' next number, today, today + 30 days
        assert number.value == "FT-000002"
        assert date.value == format_day(TODAY)
        assert due.value == format_day(TODAY + dt.timedelta(days=30))
        assert number.has_focus
        await press(pilot, "tab")  # a new invoice date moves the due date along
        assert date.has_focus
        await press(pilot, *["backspace"] * 10, *format_day(TODAY + dt.timedelta(days=1)))
        assert due.value == format_day(TODAY + dt.timedelta(days=31))
        await press(pilot, "tab", *["backspace"] * 10, *format_day(TODAY + dt.timedelta(days=45)))
        await press(pilot, "f2")
        assert isinstance(app.screen, InvoicePrintDialog)
        await press(pilot, "escape")
    with database.reader() as session:
        invoice = session.scalars(select(Invoice).where(Invoice.billed_by_id.is_(None))).all()
        [made] = [i for i in invoice if i.kind == "invoice" and i.number == "FT-000002"]
        assert made.date == TODAY + dt.timedelta(days=1)
        assert made.due_date == TODAY + dt.timedelta(days=45)
        billed = session.get(Invoice, note)
        assert billed is not None and billed.billed_by_id == made.id
        debit = session.get(Movement, made.movement_id)
        assert debit is not None and debit.due_date == TODAY + dt.timedelta(days=45)


async def test_a_taken_invoice_number_is_said_in_the_dialog(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor)
    order = new_order(database, actor, account, approve=True)
    with database.unit_of_work() as session:
        ship_order(session, actor, order, invoice_date=TODAY, today=TODAY, dispatch=True)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SalesOrderListScreen(account))
        await press(pilot)
        await press(pilot, "f9")
        await choose(pilot, "invoice_dispatch")
        dialog = app.screen
        assert isinstance(dialog, DispatchInvoiceDialog)
        dialog.query_one("#d-number", Input).value = "IR-000001"  # the note's own number
        await press(pilot, "f2")
        assert app.screen is dialog
        assert "IR-000001" in str(dialog.query_one("#d-error", Label).content)


# --- 5. the order form's automatic number is a hint, not a value -----------------------------


async def test_the_automatic_order_number_reads_as_a_hint(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SalesOrderListScreen(account))
        await press(pilot, "f4")
        form = app.screen
        assert isinstance(form, OrderFormScreen)
        number = form.query_one("#o-number", Input)
        assert number.value == ""
        # worded and bracketed as the other hints (widgets/form.py `hint_text`), saying when
        assert number.placeholder == "(boş: kaydedilince otomatik verilir)"


# --- 6. Tab into a date puts the cursor after it, selecting nothing --------------------------


async def test_tab_into_the_ship_dialogs_due_date_keeps_the_date(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor, payment_days=10)
    new_order(database, actor, account, approve=True)
    due_day = format_day(TODAY + dt.timedelta(days=10))
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SalesOrderListScreen(account))
        await press(pilot, "f9")
        await choose(pilot, "ship")
        dialog = app.screen
        assert isinstance(dialog, ShipmentDialog)
        await press(pilot, "tab", "tab", "tab")
        due = dialog.query_one("#s-due", Input)
        assert due.has_focus and due.value == due_day
        assert due.selection.is_empty and due.cursor_position == len(due_day)
        await press(pilot, "backspace", "9")  # the next key edits the date, not wipes it
        assert due.value == due_day[:-1] + "9"


async def test_the_due_tracking_question_names_the_invoice_and_its_dispatch_note(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    from tests.test_ops_screens import dialog_text, tracked
    from tui_mutabakat.domain.enums import RuleAction
    from tui_mutabakat.screens.operations.ops_dialogs import TableDialog

    account = tracked(database, actor, RuleAction.WARN)
    order = new_order(database, actor, account, approve=True)
    with database.unit_of_work() as session:
        ship_order(session, actor, order, invoice_date=TODAY, today=TODAY, dispatch=True)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SalesOrderListScreen(account))
        await press(pilot)
        await press(pilot, "f9")
        await choose(pilot, "invoice_dispatch")
        assert isinstance(app.screen, DispatchInvoiceDialog)
        await press(pilot, "f2")
        assert isinstance(app.screen, TableDialog)
        assert dialog_text(app).startswith(
            "120.01 Test Ticaret 120.01 · Satış Faturası FT-000001 (irsaliye IR-000001)\n"
        )


async def test_the_order_form_names_the_account_of_the_typed_code(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    make_account(database, actor)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SalesOrderListScreen())
        await press(pilot)
        await press(pilot, "f4")
        form = app.screen
        assert isinstance(form, OrderFormScreen)
        heading = form.query_one("#order-form-title", Label)
        assert str(heading.content) == "Yeni sipariş"
        await press(pilot, *"120.0")
        assert str(heading.content) == "Yeni sipariş — 120.0: böyle bir hesap yok"
        await press(pilot, "1")
        assert str(heading.content) == "Yeni sipariş — 120.01 Test Ticaret 120.01"


# --- a read-only order hides its editing keys and says why -----------------------------------


def footer_actions(app: MutabakatApp) -> set[str]:
    """The actions the screen's footer shows."""
    from textual.widgets._footer import FooterKey

    return {key.action for key in app.screen.query(FooterKey)}


EDITING = {"save", "add_line", "delete_line"}


async def test_a_read_only_order_hides_the_editing_keys_and_says_why(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    """The walk found "f2 Kaydet f4 Satır ekle f8 Satır sil" on an approved or shipped order,
    keys that did nothing, with nothing saying why."""
    account = make_account(database, actor, partial_shipment=True)
    draft = new_order(database, actor, account, date=TODAY - dt.timedelta(days=2))
    approved = new_order(database, actor, account, approve=True, date=TODAY - dt.timedelta(days=1))
    partial = new_order(database, actor, account, approve=True)
    with database.reader() as session:
        first_line = load_order(session, partial).lines[0].id
    assert first_line is not None
    with database.unit_of_work() as session:
        ship_order(session, actor, partial, {first_line: Decimal("4")}, invoice_date=TODAY)
    expected = {
        approved: "Onaylı sipariş değiştirilemez.",
        partial: "Kısmen sevk edilmiş sipariş değiştirilemez.",
    }
    async with app.run_test(size=SIZE) as pilot:
        for order, why in expected.items():
            app.push_screen(OrderFormScreen(order_id=order))
            await press(pilot)
            form = app.screen
            assert isinstance(form, OrderFormScreen)
            line = form.query_one("#order-read-only", Label)
            assert line.display and str(line.content) == why
            assert not footer_actions(app) & EDITING, footer_actions(app)
            assert not offered(app) & EDITING  # nor in F1's list
            await press(pilot, "f4", "f8", "f2")
            assert app.screen is form and len(form.lines) == 1  # nothing happened
            await press(pilot, "escape")
        app.push_screen(OrderFormScreen(order_id=draft))
        await press(pilot)
        form = app.screen
        assert isinstance(form, OrderFormScreen)
        assert not form.query_one("#order-read-only", Label).display
        assert EDITING <= footer_actions(app)
