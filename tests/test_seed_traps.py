"""Pilot tests of the small traps a keys-only walk of seed 004 found (issue 11), at 80×24: a
hint that follows the focus, amounts that say their currency, a dispatch note called by its
name, no invoice print without an invoice, FIFO's skipped pairs in the decisions, a list
that is current on return, and a movement form that does not drop what was typed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from textual.widgets import DataTable, Input, Label

from tests.ops_data import add_movement, audit, make_account, movement_count
from tests.pilot_keys import press
from tests.test_ops_screens import choose, enter_invoice, menu_ids, table_rows
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.ops_models import SalesOrder
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.enums import DocumentType, RuleAction
from tui_mutabakat.domain.rules.order_approval import risk_criterion
from tui_mutabakat.screens.accounts.account_list import AccountListScreen
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog
from tui_mutabakat.screens.operations.approval import ApprovalDialog
from tui_mutabakat.screens.operations.dispatch_invoice import DispatchInvoiceDialog
from tui_mutabakat.screens.operations.movements import MovementDialog, MovementListScreen
from tui_mutabakat.screens.operations.ops_dialogs import TableDialog
from tui_mutabakat.screens.operations.orders import InvoicePrintDialog, SalesOrderListScreen
from tui_mutabakat.screens.operations.rule_decisions import RuleDecisionsScreen
from tui_mutabakat.screens.operations.settle import SettleScreen
from tui_mutabakat.screens.operations.shipment import ShipmentDialog
from tui_mutabakat.services.accounts.invoices import invoices_of_order
from tui_mutabakat.services.accounts.movements import MovementData, save_movement
from tui_mutabakat.services.accounts.order_approval import (
    approve_order,
)
from tui_mutabakat.services.accounts.orders import (
    OrderData,
    OrderLineData,
    save_order,
)
from tui_mutabakat.services.accounts.rule_log import list_decisions
from tui_mutabakat.services.accounts.settlement import settle_fifo
from tui_mutabakat.services.accounts.shipping import ship_order
from tui_mutabakat.services.context import Actor
from tui_mutabakat.widgets.paged_table import PagedTable

TODAY = local_today()
SIZE = (80, 24)


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def approved_order(database: Database, actor: Actor, account: int) -> int:
    line = OrderLineData("Vida", Decimal("10"), "Adet", Decimal("12"))
    with database.unit_of_work() as session:
        order = save_order(session, actor, OrderData(account, TODAY, lines=[line]))
        approve_order(session, actor, order)
    return order


# --- 1. the approval dialog's key line follows the focus -------------------------------------


async def test_approval_hint_follows_the_focus(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    assert actor.is_admin  # the reason field shows for an admin under a failed criterion
    account = make_account(database, actor, risk_limit=Decimal("50"), approve_by_risk=True)
    line = OrderLineData("Vida", Decimal("10"), "Adet", Decimal("10"))
    with database.unit_of_work() as session:
        save_order(session, actor, OrderData(account, TODAY, lines=[line]))
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SalesOrderListScreen(account))
        await press(pilot)
        await press(pilot, "f9")
        await choose(pilot, "approve")
        dialog = app.screen
        assert isinstance(dialog, ApprovalDialog)
        hint = dialog.query_one("#approval-hint", Label)
        reason = dialog.query_one("#approval-reason", Input)
        assert reason.display
        assert "Boşluk: kriter" in str(hint.content)
        await press(pilot, "tab", "tab", "tab")
        assert dialog.focused is reason
        assert "Boşluk" not in str(hint.content) and "F2: onayla" in str(hint.content)
        await press(pilot, "space")  # in the reason field Space types a space, nothing else
        assert reason.value == " "
        await press(pilot, "shift+tab")
        assert "Boşluk: kriter" in str(hint.content)


# --- 2, 3. amounts say their currency --------------------------------------------------------


async def test_due_tracking_dialog_shows_a_foreign_item_in_its_currency(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(
        database,
        actor,
        due_track_types=frozenset({DocumentType.SALES_INVOICE}),
        due_track_days=30,
        due_track_amount=Decimal("1000"),
        due_track_action=RuleAction.WARN,
    )
    add_movement(
        database,
        account,
        debit="1250",
        currency="USD",
        fx_rate="32",
        date=ago(90),
        due_date=ago(60),
        doc_no="FT-USD",
    )
    async with app.run_test(size=SIZE) as pilot:
        await enter_invoice(pilot, account)
        assert isinstance(app.screen, TableDialog)
        [row] = table_rows(app, "#table-dialog-items")
        assert "FT-USD" in row and "1.250,00 USD" in row and "40.000,00 TL" in row
        footer = str(app.screen.query_one("#table-dialog-footer", Label).content)
        assert "40.000,00 TL" in footer


def test_the_risk_line_says_tl() -> None:
    limited = risk_criterion(True, Decimal("500"), Decimal("450"), Decimal("0"), Decimal("100"))
    assert "450,00 TL" in limited.text and "risk limiti 500,00 TL" in limited.text
    unlimited = risk_criterion(True, None, Decimal("450"), Decimal("0"), Decimal("100"))
    assert "550,00 TL" in unlimited.text


# --- 4. a dispatch note is called an irsaliye in the ship dialog ----------------------------


def visible_labels(screen: ShipmentDialog) -> list[str]:
    return [str(label.content) for label in screen.query(Label) if label.display]


async def test_ship_dialog_names_the_dispatch_note(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor, partial_shipment=False)
    approved_order(database, actor, account)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SalesOrderListScreen(account))
        await press(pilot)
        await press(pilot, "f9")
        await choose(pilot, "ship")
        dialog = app.screen
        assert isinstance(dialog, ShipmentDialog)
        assert "Fatura no" in visible_labels(dialog)
        await press(pilot, "tab", "tab", "tab", "tab", "space")
        assert dialog.dispatch
        labels = visible_labels(dialog)
        assert "İrsaliye no" in labels and "İrsaliye tarihi" in labels
        assert not any("fatura" in text.lower() for text in labels), labels
        assert any("irsaliyeye aktarılır" in text for text in labels)
        assert not dialog.query_one(".s-due-row").display  # an irsaliye has no due date
        await press(pilot, "space")  # back to an invoice: its words come back
        labels = visible_labels(dialog)
        assert "Fatura no" in labels and "Vade tarihi" in labels


# --- 5. no invoice print for an order shipped with a dispatch note only ---------------------


async def test_print_is_offered_only_when_an_invoice_exists(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor)
    order = approved_order(database, actor, account)
    with database.unit_of_work() as session:
        ship_order(session, actor, order, invoice_date=TODAY, dispatch=True)
    with database.reader() as session:
        assert invoices_of_order(session, order) == []
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SalesOrderListScreen(account))
        await press(pilot)
        await press(pilot, "f9")
        assert "invoice_dispatch" in menu_ids(app) and "print" not in menu_ids(app)
        await choose(pilot, "invoice_dispatch")
        assert isinstance(app.screen, DispatchInvoiceDialog)
        await press(pilot, "f2")
        assert isinstance(app.screen, InvoicePrintDialog)
        await press(pilot, "escape", "f9")
        assert "print" in menu_ids(app)
    with database.reader() as session:
        [invoice] = invoices_of_order(session, order)
        assert invoice.number.startswith("FT")


# --- 6. FIFO's skipped pairs are rule decisions ---------------------------------------------


def gap_pair(database: Database, actor: Actor, action: RuleAction) -> int:
    """A debit due 60 days ago and a credit due 5 days ago: 55 days apart, the limit 10."""
    account = make_account(database, actor, close_check_days=10, close_check_action=action)
    add_movement(database, account, debit="1000", date=ago(70), due_date=ago(60), doc_no="FT-9")
    add_movement(
        database,
        account,
        credit="400",
        date=ago(5),
        due_date=ago(5),
        doc_type=DocumentType.BANK,
        doc_no="BNK-4",
    )
    return account


def decision_rows(app: MutabakatApp) -> list[str]:
    table: DataTable[object] = app.screen.query_one(DataTable)
    return [" | ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


async def test_fifo_logs_the_pairs_the_gap_control_stopped(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = gap_pair(database, actor, RuleAction.STOP)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SettleScreen(account))
        await press(pilot)
        await press(pilot, "f6")
        assert table_rows(app, "#settle-matches") == []
        await press(pilot, "escape")
        app.push_screen(RuleDecisionsScreen(account))
        await press(pilot)
        [row] = decision_rows(app)
        assert "| FIFO | Atlandı | FT-9 ↔ BNK-4" in row
        detail = str(app.screen.query_one("#decisions-detail", Label).content)
        assert "Borç kapama vade kontrolü — Durduruldu — FIFO atladı" in detail
        assert detail.startswith("FT-9 ↔ BNK-4 · FIFO eşleme") and "vade farkı 55 gün" in detail
    [stopped] = audit(database, "closing_stop")
    assert stopped.entity_id == str(account) and stopped.detail.startswith("fifo ")


def test_fifo_service_logs_every_skipped_pair(database: Database, actor: Actor) -> None:
    account = gap_pair(database, actor, RuleAction.STOP)
    add_movement(database, account, debit="50", date=ago(80), due_date=ago(70))  # no number
    with database.unit_of_work() as session:
        outcome = settle_fifo(session, actor, account)
    assert outcome.count == 0 and outcome.stopped == 2
    logged = audit(database, "closing_stop")
    assert len(logged) == 2 and all(e.detail.startswith("fifo ") for e in logged)
    documents = sorted(e.detail.split("refused=")[1] for e in logged)
    assert documents[1] == "FT-9 ↔ BNK-4" and documents[0].startswith("#")
    with database.reader() as session:
        decisions = list_decisions(session, account)
    assert {d.decision for d in decisions} == {"Durduruldu — FIFO atladı"}


async def test_fifo_warning_answered_no_is_logged(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = gap_pair(database, actor, RuleAction.WARN)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SettleScreen(account))
        await press(pilot)
        await press(pilot, "f6")
        assert isinstance(app.screen, TableDialog)
        await press(pilot, "h")
        assert table_rows(app, "#settle-matches") == []
    [declined] = audit(database, "closing_declined")
    assert "declined=FT-9 ↔ BNK-4" in declined.detail and "amount=400" in declined.detail


# --- 7. the account list is current on return ------------------------------------------------


async def test_account_list_balance_follows_new_movements(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f3")
        assert isinstance(app.screen, AccountListScreen)
        table = app.screen.query_one("#account-table", PagedTable)
        row = table.row_at(table.cursor_row)
        assert row is not None and row.key == account
        assert not any("250,00" in cell for cell in row.cells)
        fetched = table.page_fetches
        await press(pilot, "f9")
        await choose(pilot, "movements")
        assert isinstance(app.screen, MovementListScreen)
        await press(pilot, "escape")  # nothing saved: the page is not read again
        assert table.page_fetches == fetched
        await press(pilot, "f9")
        await choose(pilot, "movements")
        await press(pilot, "f4", "tab", *"FT-1", "tab", "tab", "tab", *"250", "f2")
        assert isinstance(app.screen, MovementListScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, AccountListScreen)
        row = table.row_at(table.cursor_row)
        assert row is not None and row.key == account
        assert "250,00 B" in row.cells, row.cells


# --- 8. Esc in the movement form asks before dropping what was typed -------------------------


async def test_escape_on_a_dirty_movement_form_asks(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(MovementListScreen(account))
        await press(pilot)
        await press(pilot, "f4", "escape")  # nothing typed: closes at once
        assert isinstance(app.screen, MovementListScreen)
        await press(pilot, "f4", "tab", *"FT-7", "escape")
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "h")  # stay: what was typed is still there
        dialog = app.screen
        assert isinstance(dialog, MovementDialog)
        assert dialog.query_one("#m-doc-no", Input).value == "FT-7"
        await press(pilot, "escape", "e")
        assert isinstance(app.screen, MovementListScreen)
    assert movement_count(database, account) == 0


# --- 8. the decisions name documents by their numbers ---------------------------------------


def test_an_override_decision_names_the_order_and_no_empty_change(
    database: Database, actor: Actor
) -> None:
    assert actor.is_admin
    account = make_account(database, actor, risk_limit=Decimal("50"), approve_by_risk=True)
    line = OrderLineData("Vida", Decimal("10"), "Adet", Decimal("10"))
    with database.unit_of_work() as session:
        order = save_order(session, actor, OrderData(account, TODAY, lines=[line]))
        approve_order(session, actor, order, override_reason="Söz verdi")
    with database.reader() as session:
        [decision] = list_decisions(session, account)
        number = session.get(SalesOrder, order).number  # type: ignore[union-attr]
    assert decision.decision == "Kritere rağmen onaylandı"
    assert number.startswith("SS-") and decision.document == f"Satış siparişi {number}"
    assert "değiştirilen" not in decision.detail and "→" not in decision.detail
    assert decision.detail.endswith("gerekçe: Söz verdi")


def test_movement_and_settlement_decisions_name_their_documents(
    database: Database, actor: Actor
) -> None:
    account = make_account(
        database,
        actor,
        due_track_types=frozenset({DocumentType.SALES_INVOICE}),
        due_track_days=30,
        due_track_amount=Decimal("100"),
        due_track_action=RuleAction.WARN,
        close_check_days=10,
        close_check_action=RuleAction.WARN,
    )
    add_movement(database, account, debit="1000", date=ago(70), due_date=ago(60), doc_no="FT-9")
    add_movement(
        database,
        account,
        credit="400",
        date=ago(5),
        due_date=ago(5),
        doc_type=DocumentType.BANK,
        doc_no="BNK-4",
    )
    data = MovementData(
        account_id=account,
        doc_type=DocumentType.SALES_INVOICE,
        date=TODAY,
        doc_no="FT-000002",
        description="Yeni fatura",
        debit=Decimal("500"),
        due_date=TODAY + dt.timedelta(days=30),
    )
    with database.unit_of_work() as session:
        save_movement(session, actor, data, confirmed=True)
    with database.unit_of_work() as session:
        settle_fifo(session, actor, account, confirmed=True)
    with database.reader() as session:
        decisions = list_decisions(session, account)
    documents = {d.rule: d.document for d in decisions}
    assert documents["Vade takibi"] == "Satış Faturası FT-000002"
    assert documents["Borç kapama vade kontrolü"] == "Borç kapama FT-9 ↔ BNK-4"
    [closing] = [d for d in decisions if d.rule == "Borç kapama vade kontrolü"]
    assert "borç belgesi FT-9" in closing.detail and "alacak belgesi BNK-4" in closing.detail
    assert "#" not in closing.detail
