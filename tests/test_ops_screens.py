"""Pilot tests: the account parameters at work, from the keyboard, at 80×24 (SPEC C1–C5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Label, OptionList

from tests.ops_data import add_movement, audit, make_account, movement, movement_count
from tests.pilot_keys import press
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.models import Movement
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.enums import DocumentType, OrderStatus, RuleAction
from tui_mutabakat.screens.dialogs.action_menu import ActionMenu
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog, MessageDialog
from tui_mutabakat.screens.operations.approval import ApprovalDialog
from tui_mutabakat.screens.operations.movements import MovementDialog, MovementListScreen
from tui_mutabakat.screens.operations.ops_dialogs import NumberPrompt, TableDialog
from tui_mutabakat.screens.operations.orders import InvoicePrintDialog, SalesOrderListScreen
from tui_mutabakat.screens.operations.settle import SettleScreen
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
from tui_mutabakat.services.context import Actor

TODAY = local_today()
SIZE = (80, 24)


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def table_rows(app: MutabakatApp, selector: str = "DataTable") -> list[str]:
    table: DataTable[object] = app.screen.query_one(selector, DataTable)
    return [" | ".join(str(cell) for cell in table.get_row_at(i)) for i in range(table.row_count)]


def dialog_text(app: MutabakatApp) -> str:
    return str(app.screen.query_one(".question", Label).content)


async def choose(pilot: Pilot[None], action_id: str) -> None:
    """Pick `action_id` in the open F9 menu with the arrow keys and Enter."""
    menu = pilot.app.screen
    assert isinstance(menu, ActionMenu)
    options = menu.query_one(OptionList)
    ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
    await press(pilot, *["down"] * ids.index(action_id), "enter")


def menu_ids(app: MutabakatApp) -> list[str | None]:
    options = app.screen.query_one(OptionList)
    return [options.get_option_at_index(i).id for i in range(options.option_count)]


# --- movement entry under due-date tracking (C4) ---------------------------------------------


def tracked(database: Database, actor: Actor, action: RuleAction) -> int:
    account = make_account(
        database,
        actor,
        due_track_types=frozenset({DocumentType.SALES_INVOICE}),
        due_track_days=30,
        due_track_amount=Decimal("1000"),
        due_track_action=action,
    )
    add_movement(database, account, debit="5000", date=ago(90), due_date=ago(60), doc_no="FT-ESKI")
    return account


async def enter_invoice(pilot: Pilot[None], account: int) -> None:
    """Open the list, F4, type a sales invoice of 250 and press F2."""
    pilot.app.push_screen(MovementListScreen(account))
    await press(pilot)
    await press(pilot, "f4")
    assert isinstance(pilot.app.screen, MovementDialog)
    await press(pilot, "tab", *"FT-YENI", "tab", "tab", "tab", *"250", "f2")


async def test_continue_saves_and_logs(app: MutabakatApp, database: Database, actor: Actor) -> None:
    account = tracked(database, actor, RuleAction.CONTINUE)
    async with app.run_test(size=SIZE) as pilot:
        await enter_invoice(pilot, account)
        assert isinstance(app.screen, MovementListScreen)
        assert any("FT-YENI" in row and "250,00" in row for row in table_rows(app))
    assert movement_count(database, account) == 2
    [logged] = audit(database, "due_tracking")
    assert "action=continue" in logged.detail and "S=5000.00" in logged.detail


async def test_warn_shows_items_then_saves_on_confirm(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = tracked(database, actor, RuleAction.WARN)
    async with app.run_test(size=SIZE) as pilot:
        await enter_invoice(pilot, account)
        assert isinstance(app.screen, TableDialog)
        # It names what it acts on: the account (code and title) and the document.
        assert dialog_text(app).startswith("120.01 Test Ticaret 120.01 · Satış Faturası FT-YENI\n")
        [row] = table_rows(app, "#table-dialog-items")
        assert "FT-ESKI" in row and "60" in row and "5.000,00 TL" in row
        assert "toplam 5.000,00 TL" in str(
            app.screen.query_one("#table-dialog-footer", Label).content
        )
        await press(pilot, "h")  # back to the form, nothing saved
        assert isinstance(app.screen, MovementDialog)
        assert movement_count(database, account) == 1
        await press(pilot, "f2", "e")
        assert isinstance(app.screen, MovementListScreen)
    assert movement_count(database, account) == 2
    [logged] = audit(database, "due_tracking")
    assert "outcome=warn" in logged.detail and "confirmed=1" in logged.detail


async def test_stop_refuses_and_shows_the_items(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = tracked(database, actor, RuleAction.STOP)
    async with app.run_test(size=SIZE) as pilot:
        await enter_invoice(pilot, account)
        dialog = app.screen
        assert isinstance(dialog, TableDialog)
        text = str(dialog.query_one("#table-dialog-text", Label).content)
        assert "Kayıt yapılmadı" in text
        assert text.startswith("120.01 Test Ticaret 120.01 · Satış Faturası FT-YENI\n")
        assert "FT-ESKI" in table_rows(app, "#table-dialog-items")[0]
        assert not dialog.query("#yes")  # nothing to confirm
        await press(pilot, "e")  # E does not save past a stop
        assert isinstance(app.screen, MovementDialog)
    assert movement_count(database, account) == 1
    assert audit(database, "due_tracking") == []
    assert len(audit(database, "due_tracking_stop")) == 1


async def test_delete_of_a_settled_movement_is_refused(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor)
    settled = add_movement(database, account, debit="100", settled="40", date=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(MovementListScreen(account))
        await press(pilot)
        await press(pilot, "f8", "e")
        assert isinstance(app.screen, MessageDialog)
    assert movement(database, settled) is not None


# --- Borç Takip (C5) -------------------------------------------------------------------------


def gap_account(database: Database, actor: Actor, action: RuleAction) -> tuple[int, int, int]:
    account = make_account(database, actor, close_check_days=10, close_check_action=action)
    debit = add_movement(database, account, debit="1000", date=ago(70), due_date=ago(60))
    credit = add_movement(
        database, account, credit="400", date=ago(5), due_date=ago(5), doc_type=DocumentType.BANK
    )
    return account, debit, credit


async def mark_and_match(pilot: Pilot[None], account: int) -> None:
    pilot.app.push_screen(SettleScreen(account))
    await press(pilot)
    await press(pilot, "space", "tab", "space", "m")
    assert isinstance(pilot.app.screen, NumberPrompt)
    assert pilot.app.screen.query_one(Input).value == "400,00"
    await press(pilot, "enter")


async def test_settle_gap_warn_confirm_then_undo(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account, debit, credit = gap_account(database, actor, RuleAction.WARN)
    async with app.run_test(size=SIZE) as pilot:
        await mark_and_match(pilot, account)
        assert isinstance(app.screen, ConfirmDialog)
        assert "55 gün fark; 10 günlük sınırı aşıyor" in dialog_text(app)
        await press(pilot, "e")
        assert isinstance(app.screen, SettleScreen)
        assert len(table_rows(app, "#settle-matches")) == 1
        assert movement(database, debit).settled == Decimal("400")  # type: ignore[union-attr]
        assert table_rows(app, "#settle-credits") == []
        await press(pilot, "u", "e")
        assert table_rows(app, "#settle-matches") == []
    assert movement(database, credit).settled == Decimal("0")  # type: ignore[union-attr]
    assert len(audit(database, "undo_settle")) == 1


async def test_settle_gap_stop_refuses(app: MutabakatApp, database: Database, actor: Actor) -> None:
    account, debit, _credit = gap_account(database, actor, RuleAction.STOP)
    async with app.run_test(size=SIZE) as pilot:
        await mark_and_match(pilot, account)
        assert isinstance(app.screen, MessageDialog)
        assert "durduruldu" in dialog_text(app)
        await press(pilot, "escape")
        assert table_rows(app, "#settle-matches") == []
        await press(pilot, "f6")  # FIFO skips the stopped pair
        assert table_rows(app, "#settle-matches") == []
    assert movement(database, debit).settled == Decimal("0")  # type: ignore[union-attr]


async def test_fifo_warn_lists_the_pairs_once(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account, debit, _credit = gap_account(database, actor, RuleAction.WARN)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SettleScreen(account))
        await press(pilot)
        await press(pilot, "f6")
        assert isinstance(app.screen, TableDialog)
        [pair] = table_rows(app, "#table-dialog-items")
        assert "55" in pair and "400,00 TL" in pair
        await press(pilot, "e")
        assert len(table_rows(app, "#settle-matches")) == 1
    assert movement(database, debit).settled == Decimal("400")  # type: ignore[union-attr]


async def test_undo_after_fifo_offers_the_whole_run(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    """The walk found U after F6 (3 pairs) offering only the last pair: one key put the run
    there, one key takes it back — all pairs in one transaction, each logged; a pair selected
    in the matches table is still undone alone."""
    account = make_account(database, actor)
    debits = [
        add_movement(database, account, debit=amount, date=ago(days), doc_no=f"FT-{days}")
        for amount, days in (("100", 30), ("200", 20), ("300", 10))
    ]
    for amount, days in (("100", 25), ("200", 15), ("300", 5)):
        add_movement(
            database,
            account,
            credit=amount,
            date=ago(days),
            doc_type=DocumentType.BANK,
            doc_no=f"BNK-{days}",
        )
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SettleScreen(account))
        await press(pilot)
        await press(pilot, "f6")
        assert len(table_rows(app, "#settle-matches")) == 3
        await press(pilot, "u")
        assert isinstance(app.screen, ConfirmDialog)
        assert "FIFO eşlemesi geri alınsın mı? 3 eşleme, toplam 600,00 TL" in dialog_text(app)
        await press(pilot, "e")
        assert isinstance(app.screen, SettleScreen)
        assert table_rows(app, "#settle-matches") == []
        assert all(movement(database, d).settled == 0 for d in debits)  # type: ignore[union-attr]
        assert len(audit(database, "undo_settle")) == 3
        # again, and this time one pair chosen in the matches table: that pair alone
        await press(pilot, "f6", "tab", "tab", "up", "u")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Eşleme geri alınsın mı? FT-20 ↔ BNK-15 200,00 TL" in dialog_text(app)
        await press(pilot, "e")
        assert len(table_rows(app, "#settle-matches")) == 2
        await press(pilot, "shift+tab", "u")  # out of the matches: the run's other two
        assert "2 eşleme, toplam 400,00 TL" in dialog_text(app)
        await press(pilot, "e")
        assert table_rows(app, "#settle-matches") == []
    undone = audit(database, "undo_settle")
    assert len(undone) == 6 and sum(e.detail.startswith("fifo ") for e in undone) == 5


# --- sales orders (C1, C3) and invoice copies (C2) -------------------------------------------


def order_for(database: Database, actor: Actor, account: int, *prices: str) -> int:
    lines = [
        OrderLineData(f"Malzeme {i}", Decimal("10"), "Adet", Decimal(p))
        for i, p in enumerate(prices, 1)
    ]
    with database.unit_of_work() as session:
        return save_order(session, actor, OrderData(account, TODAY, lines=lines))


def order_status(database: Database, order: int) -> OrderStatus:
    with database.reader() as session:
        return load_order(session, order).status


async def approve_from_list(pilot: Pilot[None], account: int) -> ApprovalDialog:
    pilot.app.push_screen(SalesOrderListScreen(account))
    await press(pilot)
    await press(pilot, "f9")
    await choose(pilot, "approve")
    dialog = pilot.app.screen
    assert isinstance(dialog, ApprovalDialog)
    return dialog


async def test_order_failing_risk_is_not_approved(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor, risk_limit=Decimal("500"), approve_by_risk=True)
    add_movement(database, account, debit="450", date=TODAY, due_date=TODAY)
    order = order_for(database, actor, account, "10")
    async with app.run_test(size=SIZE) as pilot:
        dialog = await approve_from_list(pilot, account)
        text = str(dialog.query_one("#approval-text", Label).content)
        assert "Risk kriteri: KALDI" in text and "= 550,00 TL; risk limiti 500,00 TL" in text
        await press(pilot, "f2")  # refused without a reason
        assert app.screen is dialog
        await press(pilot, "escape")
        assert isinstance(app.screen, SalesOrderListScreen)
    assert order_status(database, order) is OrderStatus.DRAFT


async def test_order_passing_all_criteria_is_approved(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(
        database,
        actor,
        risk_limit=Decimal("5000"),
        approve_by_risk=True,
        approve_by_due_date=True,
        approve_by_ageing=True,
        ageing_days=30,
    )
    add_movement(database, account, debit="450", date=ago(10), due_date=TODAY)
    order = order_for(database, actor, account, "10")
    async with app.run_test(size=SIZE) as pilot:
        dialog = await approve_from_list(pilot, account)
        text = str(dialog.query_one("#approval-text", Label).content)
        assert text.count("GEÇTİ") == 3
        await press(pilot, "f2")
        assert "Onaylı" in table_rows(app)[0]
    assert order_status(database, order) is OrderStatus.APPROVED


async def test_new_order_by_keys(app: MutabakatApp, database: Database, actor: Actor) -> None:
    account = make_account(database, actor)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SalesOrderListScreen(account))
        await press(pilot)
        await press(pilot, "f4", "f4", *"Vida", "enter", *"12", "enter", "enter", *"2,5", "enter")
        await press(pilot, "f2")
        assert isinstance(app.screen, SalesOrderListScreen)
        [row] = table_rows(app)
        assert "SS-000001" in row and "30,00" in row and "Taslak" in row


async def test_a_new_order_is_the_row_under_the_cursor(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    """After F4 … F2 the list's cursor is on the new order, not the one it was on before:
    F9's actions then act on what the user just made (found in the seed-004 walk)."""
    account = make_account(database, actor)
    first = order_for(database, actor, account, "10")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SalesOrderListScreen(account))
        await press(pilot)
        screen = app.screen
        assert isinstance(screen, SalesOrderListScreen) and screen.current_id() == first
        await press(pilot, "f4", "f4", *"Vida", "enter", *"12", "enter", "enter", *"2,5", "enter")
        await press(pilot, "f2")
        assert app.screen is screen
        assert screen.current_id() not in (None, first)
        assert len(table_rows(app)) == 2


async def open_shipment(pilot: Pilot[None], account: int) -> ShipmentDialog:
    pilot.app.push_screen(SalesOrderListScreen(account))
    await press(pilot)
    await press(pilot, "f9")
    await choose(pilot, "ship")
    dialog = pilot.app.screen
    assert isinstance(dialog, ShipmentDialog)
    return dialog


async def test_partial_shipment_refused_for_a_no_account(
    app: MutabakatApp, database: Database, actor: Actor, tmp_path: Path
) -> None:
    account = make_account(database, actor, partial_shipment=False, invoice_copies=2)
    order = order_for(database, actor, account, "10", "20")
    with database.unit_of_work() as session:
        approve_order(session, actor, order)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_shipment(pilot, account)
        await press(pilot, "enter")  # a line's quantity: not on this account
        assert app.screen is dialog
        await press(pilot, "f9")
        assert menu_ids(app) == ["ship"]  # no per-line transfer offered
        await press(pilot, "escape")
        assert set(dialog.requested.values()) == {Decimal("10")}
        await press(pilot, "f2")
        printing = app.screen
        assert isinstance(printing, InvoicePrintDialog)
        assert printing.query_one("#print-copies", Input).value == "2"
        printing.query_one("#print-folder", Input).value = str(tmp_path)
        await press(pilot, "f2")
        assert isinstance(app.screen, SalesOrderListScreen)
    assert order_status(database, order) is OrderStatus.SHIPPED
    [written] = tmp_path.glob("FT-*.txt")
    pages = written.read_text(encoding="utf-8").split("\f")
    assert len(pages) == 2 and "Nüsha 2/2" in pages[1] and "300,00 TL" in pages[0]


async def test_partial_shipment_accepted_for_a_yes_account(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor, partial_shipment=True)
    order = order_for(database, actor, account, "10", "20")
    with database.unit_of_work() as session:
        approve_order(session, actor, order)
    async with app.run_test(size=SIZE) as pilot:
        await open_shipment(pilot, account)
        await press(pilot, "f9")
        assert "line" in menu_ids(app)
        await press(pilot, "escape", "enter")
        assert isinstance(app.screen, NumberPrompt)
        await press(pilot, "backspace", "backspace", "4", "enter")
        await press(pilot, "down", "enter", "backspace", "backspace", "0", "enter")
        await press(pilot, "f2")
        assert isinstance(app.screen, InvoicePrintDialog)
        await press(pilot, "escape")
        assert "Kısmen sevk" in table_rows(app)[0]
    with database.reader() as session:
        lines = load_order(session, order).lines
        debits = session.scalars(select(Movement.debit).where(Movement.account_id == account))
        assert list(debits) == [Decimal("40")]
    assert [line.remaining for line in lines] == [Decimal("6"), Decimal("10")]
    assert order_status(database, order) is OrderStatus.PARTIALLY_SHIPPED


async def test_fifo_with_nothing_to_match_says_so_in_words(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    """The re-walk found "FIFO: 0 eşleme, toplam 0." for an account with no open credit."""
    account = make_account(database, actor)
    add_movement(database, account, debit="100", date=ago(10), doc_no="FT-1")
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SettleScreen(account))
        await press(pilot)
        await press(pilot, "f6")
        said = [n.message for n in app._notifications]
        assert said == ["FIFO: kapatılacak açık borç ve alacak çifti yok."], said
