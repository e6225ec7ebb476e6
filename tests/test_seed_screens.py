"""Pilot tests of issue 11 (A, B) at 80×24: values look like values, hints like hints, lists
stay current, and seed 004's rules where a user meets them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from textual.widgets import DataTable, Input, Label, Static

from tests.ops_data import add_movement, audit, make_account, movement_count
from tests.pilot_keys import press
from tests.test_ops_screens import (
    choose,
    enter_invoice,
    gap_account,
    mark_and_match,
    menu_ids,
    tracked,
)
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.models import Movement
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.enums import DocumentType, OrderStatus, RuleAction
from tui_mutabakat.domain.formatting import format_day, parse_amount, parse_day
from tui_mutabakat.screens.accounts.account_list import AccountListScreen
from tui_mutabakat.screens.accounts.account_lookup import AccountLookupScreen
from tui_mutabakat.screens.operations.approval import ApprovalDialog
from tui_mutabakat.screens.operations.dispatch_invoice import DispatchInvoiceDialog
from tui_mutabakat.screens.operations.movements import MovementDialog, MovementListScreen
from tui_mutabakat.screens.operations.ops_dialogs import TableDialog
from tui_mutabakat.screens.operations.order_form import OrderFormScreen
from tui_mutabakat.screens.operations.orders import InvoicePrintDialog, SalesOrderListScreen
from tui_mutabakat.screens.operations.parameters import AccountParametersScreen
from tui_mutabakat.screens.operations.rule_decisions import RuleDecisionsScreen
from tui_mutabakat.screens.operations.shipment import ShipmentDialog
from tui_mutabakat.services.accounts.cards import AccountData, save_account
from tui_mutabakat.services.accounts.order_approval import (
    approve_order,
)
from tui_mutabakat.services.accounts.orders import (
    OrderData,
    OrderLineData,
    load_order,
    save_order,
)
from tui_mutabakat.services.context import Actor
from tui_mutabakat.widgets.paged_table import PagedTable

TODAY = local_today()
SIZE = (80, 24)


def looks_like_a_value(text: str) -> bool:
    """Whether a placeholder could be read as something typed: a date or an amount."""
    for parse in (parse_day, parse_amount):
        try:
            parse(text)
        except (ValueError, ArithmeticError):
            continue
        return True
    return False


async def test_movement_due_date_default_is_a_real_value(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor, payment_days=30)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(MovementListScreen(account))
        await press(pilot)
        await press(pilot, "f4")
        dialog = app.screen
        assert isinstance(dialog, MovementDialog)
        due = dialog.query_one("#m-due-date", Input)
        assert due.value == format_day(TODAY + dt.timedelta(days=30))
        for control in dialog.query(Input):
            assert not looks_like_a_value(control.placeholder), control.placeholder
        # a new document date moves the default along while the user has not typed over it
        date = dialog.query_one("#m-date", Input)
        date.value = format_day(TODAY - dt.timedelta(days=1))
        await press(pilot)
        assert due.value == format_day(TODAY + dt.timedelta(days=29))
        date.value = format_day(TODAY)
        await press(pilot)
        await press(pilot, "tab", *"FT-1", "tab", "tab", "tab", *"250", "f2")
        assert isinstance(app.screen, MovementListScreen)
    assert movement_count(database, account) == 1
    with database.reader() as session:
        [row] = session.query(Movement).all()
        assert row.due_date == TODAY + dt.timedelta(days=30)
        assert row.debit == Decimal("250")


async def test_without_a_payment_term_the_due_date_is_the_document_date(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(MovementListScreen(account))
        await press(pilot)
        await press(pilot, "f4")
        assert app.screen.query_one("#m-due-date", Input).value == format_day(TODAY)


# --- 11.2: every currency's balance in the lists ---------------------------------------------


def _eur_account_with_tl_balance(database: Database, actor: Actor) -> int:
    with database.unit_of_work() as session:
        account = save_account(
            session, actor, AccountData(code="120.77", title="Avro Hesaplı", currency="EUR")
        )
    add_movement(database, account, credit="10041.52", date=TODAY)
    return account


def _cells(app: MutabakatApp, selector: str) -> list[tuple[str, ...]]:
    table = app.screen.query_one(selector, PagedTable)
    rows = [table.row_at(i) for i in range(table.row_count)]
    return [row.cells for row in rows if row is not None]


async def test_lists_show_the_balance_in_the_currency_it_is_in(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = _eur_account_with_tl_balance(database, actor)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(AccountListScreen())
        await press(pilot)
        [cells] = _cells(app, "#account-table")
        assert cells[4:6] == ("10.041,52 A", "TL")
        add_movement(database, account, debit="5", currency="USD", fx_rate="40", date=TODAY)
        add_movement(database, account, debit="7", currency="EUR", fx_rate="45", date=TODAY)
        app.pop_screen()
        app.push_screen(AccountListScreen())
        await press(pilot)
        [cells] = _cells(app, "#account-table")
        # the account's own currency first, then the others counted
        assert cells[4:6] == ("7,00 B", "EUR +2")
        status = str(app.screen.query_one("#account-status", Static).content)
        assert "10.041,52 A TL" in status and "5,00 B USD" in status and "7,00 B EUR" in status
        app.pop_screen()
        app.push_screen(AccountLookupScreen())
        await press(pilot)
        [cells] = _cells(app, PagedTable.__name__)
        assert "7,00 B" in cells and "EUR +2" in cells


# --- 11.3: a list shows what was saved while it was covered ----------------------------------


async def test_movement_list_shows_the_invoice_of_an_order_shipped_from_its_menu(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor)
    line = OrderLineData("Vida", Decimal("10"), "Adet", Decimal("12"))
    with database.unit_of_work() as session:
        order = save_order(session, actor, OrderData(account, TODAY, lines=[line]))
        approve_order(session, actor, order)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(MovementListScreen(account))
        await press(pilot)
        assert app.screen.query_one(DataTable).row_count == 0
        await press(pilot, "f9")
        await choose(pilot, "orders")
        assert isinstance(app.screen, SalesOrderListScreen)
        await press(pilot, "f9")
        await choose(pilot, "ship")
        assert isinstance(app.screen, ShipmentDialog)
        # 11.1: the invoice's due date is filled in (no payment term: the invoice date)
        assert app.screen.query_one("#s-due", Input).value == format_day(TODAY)
        await press(pilot, "f2")
        assert isinstance(app.screen, InvoicePrintDialog)
        await press(pilot, "escape", "escape")
        assert isinstance(app.screen, MovementListScreen)
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        assert "120,00" in " ".join(str(cell) for cell in table.get_row_at(0))


# --- 11.9: the form says exactly what an empty day count does --------------------------------


async def test_parameters_hint_says_what_empty_fields_do(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(AccountParametersScreen(account))
        await press(pilot)
        hint = app.screen.query_one("#due-tracking-hint", Label)
        text = str(hint.content)
        assert "ertesinden itibaren" in text and "gün 0" in text and "kontrol yapılmaz" in text
        assert hint.size.height > 1  # wrapped at 80 columns, not cut
        days = app.screen.query_one("#f-due_track_days", Input)
        assert "0 gün" in days.placeholder and not looks_like_a_value(days.placeholder)
        amount = app.screen.query_one("#f-due_track_amount", Input)
        assert not looks_like_a_value(amount.placeholder)


# --- 11.4: the order form's paid flag, checked on F2 -----------------------------------------


async def test_order_form_paid_flag_goes_through_due_tracking(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(
        database,
        actor,
        due_track_types=frozenset({DocumentType.SALES_ORDER_PAID}),
        due_track_days=0,
        due_track_action=RuleAction.STOP,
    )
    add_movement(database, account, debit="80", date=TODAY - dt.timedelta(days=3), doc_no="FT-1")
    line = OrderLineData("Vida", Decimal("10"), "Adet", Decimal("12"))
    with database.unit_of_work() as session:
        order = save_order(session, actor, OrderData(account, TODAY, lines=[line]))
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(OrderFormScreen(order_id=order))
        await press(pilot)
        await press(pilot, "tab", "tab", "space", "f2")  # date → description → Ödemeli
        assert isinstance(app.screen, TableDialog)
        assert "FT-1" in " ".join(str(c) for c in app.screen.query_one(DataTable).get_row_at(0))
        await press(pilot, "escape")
        assert isinstance(app.screen, OrderFormScreen)
    with database.reader() as session:
        assert load_order(session, order).paid is False
    [refused] = audit(database, "due_tracking_stop")
    assert "sales_order_paid" in refused.detail


# --- 11.8: every decision logged and shown on the account ------------------------------------


async def test_decisions_yes_and_no_are_logged_and_shown(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = tracked(database, actor, RuleAction.WARN)
    async with app.run_test(size=SIZE) as pilot:
        await enter_invoice(pilot, account)
        assert isinstance(app.screen, TableDialog)
        await press(pilot, "h")  # no: nothing saved, the answer logged
        assert isinstance(app.screen, MovementDialog)
        await press(pilot, "f2", "e")  # yes: saved
        assert isinstance(app.screen, MovementListScreen)
        await press(pilot, "f7")
        assert isinstance(app.screen, RuleDecisionsScreen)
        rows = [
            " | ".join(str(c) for c in app.screen.query_one(DataTable).get_row_at(i))
            for i in range(app.screen.query_one(DataTable).row_count)
        ]
        assert len(rows) == 2
        # short words in the table (80 columns), in full under it
        assert "| Vade | Uyarı: evet |" in rows[0]
        assert "| Vade | Uyarı: hayır |" in rows[1] and "FT-YENI" in rows[1]
        detail = str(app.screen.query_one("#decisions-detail", Label).content)
        assert "Vade takibi — Uyarı — evet (kaydedildi)" in detail
        assert "gecikmiş toplam 5.000,00 TL" in detail and "=" not in detail  # in words
    [declined] = audit(database, "due_tracking_declined")
    assert declined.entity_id == str(account) and "outcome=warn" in declined.detail


# --- 11.6: approval criteria are defaults; an admin may approve despite one, with a reason ---


async def test_approval_criteria_are_defaults_and_an_admin_may_override(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    assert actor.is_admin
    account = make_account(
        database, actor, risk_limit=Decimal("500"), approve_by_risk=True, approve_by_due_date=True
    )
    add_movement(database, account, debit="450", date=TODAY - dt.timedelta(days=9))
    line = OrderLineData("Vida", Decimal("10"), "Adet", Decimal("10"))
    with database.unit_of_work() as session:
        first = save_order(session, actor, OrderData(account, TODAY, lines=[line]))
        second = save_order(session, actor, OrderData(account, TODAY, lines=[line]))
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SalesOrderListScreen(account))
        await press(pilot)
        await press(pilot, "f9")
        await choose(pilot, "approve")
        dialog = app.screen
        assert isinstance(dialog, ApprovalDialog)
        assert "Risk kriteri: KALDI" in str(dialog.query_one("#approval-text", Label).content)
        await press(pilot, "space", "tab", "space")  # untick risk and due date for this one
        # both fail: unticking them is bypassing them — an override, with a reason
        text = str(dialog.query_one("#approval-text", Label).content)
        assert "Risk kriteri: KALDI; işareti kaldırmak yönetici onayı ister" in text
        assert "onaylanamaz" in str(dialog.query_one("#approval-verdict", Label).content)
        reason = dialog.query_one("#approval-reason", Input)
        assert reason.display
        await press(pilot, "f2")
        assert app.screen is dialog and app.screen.focused is reason  # no reason: not approved
        await press(pilot, *"Söz verdi", "f2")
        assert isinstance(app.screen, SalesOrderListScreen)
        await press(pilot, "down", "f9")
        await choose(pilot, "approve")
        dialog = app.screen
        assert isinstance(dialog, ApprovalDialog)
        reason = dialog.query_one("#approval-reason", Input)
        assert reason.display
        reason.value = "Müdür onayı, tel. 12.06"
        await press(pilot, "f2")
        assert isinstance(app.screen, SalesOrderListScreen)
    with database.reader() as session:
        assert load_order(session, first).status is OrderStatus.APPROVED
        assert load_order(session, second).status is OrderStatus.APPROVED
    assert audit(database, "approve") == []
    overrides = {e.entity_id: e.detail for e in audit(database, "approval_override")}
    assert set(overrides) == {str(first), str(second)}
    [untick] = [d for d in overrides.values() if "changed=-" not in d]
    assert "changed=risk:on->off due_date:on->off" in untick and "risk=bypassed:fail" in untick
    assert untick.endswith("reason=Söz verdi")
    [override] = [d for d in overrides.values() if "changed=-" in d]
    assert "reason=Müdür onayı, tel. 12.06" in override and "risk=ticked:fail" in override


# --- 11.7: ship as a dispatch note, invoice it later, by keys --------------------------------


async def test_ship_a_dispatch_note_then_invoice_it(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor, payment_days=15)
    line = OrderLineData("Vida", Decimal("10"), "Adet", Decimal("12"))
    with database.unit_of_work() as session:
        order = save_order(session, actor, OrderData(account, TODAY, lines=[line]))
        approve_order(session, actor, order)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SalesOrderListScreen(account))
        await press(pilot)
        await press(pilot, "f9")
        await choose(pilot, "ship")
        assert isinstance(app.screen, ShipmentDialog)
        await press(pilot, "tab", "tab", "tab", "tab", "space", "f2")
        assert isinstance(app.screen, SalesOrderListScreen)  # a dispatch note: nothing to print
        assert movement_count(database, account) == 0
        await press(pilot, "f9")
        await choose(pilot, "invoice_dispatch")
        assert isinstance(app.screen, DispatchInvoiceDialog)
        await press(pilot, "f2")  # the number, date and due date as filled in
        assert isinstance(app.screen, InvoicePrintDialog)
        await press(pilot, "escape", "f9")
        assert "invoice_dispatch" not in menu_ids(app)
    with database.reader() as session:
        [debit] = session.query(Movement).filter(Movement.account_id == account).all()
        assert debit.debit == Decimal("120") and debit.due_date == TODAY + dt.timedelta(days=15)
        assert "İrsaliye IR-" in debit.description


async def test_debt_closing_stop_is_logged_and_shown(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account, _debit, _credit = gap_account(database, actor, RuleAction.STOP)
    async with app.run_test(size=SIZE) as pilot:
        await mark_and_match(pilot, account)
        await press(pilot, "escape", "escape")
        app.push_screen(RuleDecisionsScreen(account))
        await press(pilot)
        [row] = [
            " | ".join(str(c) for c in app.screen.query_one(DataTable).get_row_at(i))
            for i in range(app.screen.query_one(DataTable).row_count)
        ]
        assert "| Kapama | Durduruldu |" in row
        detail = str(app.screen.query_one("#decisions-detail", Label).content)
        assert "Borç kapama vade kontrolü — Durduruldu" in detail
    [stopped] = audit(database, "closing_stop")
    assert stopped.entity_id == str(account) and "gap=55" in stopped.detail
