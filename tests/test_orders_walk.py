"""Sales orders as the keys-only walk of the demo at 80×24 found them: what F8 offers on a
shipped order, the empty list's hint, invoicing a dispatch note through a dialog, the order
form's number hint and the ship dialog's due date under Tab."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from textual.widgets import Label

from tests.ops_data import make_account
from tests.pilot_keys import press
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.enums import OrderStatus
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog, MessageDialog
from tui_mutabakat.screens.keys import screen_keys
from tui_mutabakat.screens.operations.orders import SalesOrderListScreen
from tui_mutabakat.services.accounts.orders import (
    OrderData,
    OrderLineData,
    approve_order,
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
        new_order(database, actor, account)
        screen = app.screen
        assert isinstance(screen, SalesOrderListScreen)
        screen.reload()
        await press(pilot)
        assert not hint.display
