"""Pictures of the screens the 80-column pass changed, at 80×24 and 120×40: the movements
(one B/A amount column and a detail line at 80, Borç and Alacak at 120), Borç Takip (sides
stacked at 80, side by side at 120), the sales orders and an order (a long item name gives
up its width), the account list (Grup left out at 80) and the ship dialog with its note
wrapped, and the dialog invoicing a dispatch note.

Every date is fixed (the ship dialog's are typed in), so the pictures do not change with
the day the tests run. Update on purpose: `pytest tests/test_snapshots_columns.py
--snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.test_columns_80 import (
    approved_order,
    many_currencies,
    movements_account,
    settle_account,
)
from tests.test_ops_screens import choose
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.session import Database
from tui_mutabakat.screens.operations.movements import MovementListScreen
from tui_mutabakat.screens.operations.orders import SalesOrderListScreen
from tui_mutabakat.screens.operations.settle import SettleScreen
from tui_mutabakat.services.context import Actor

SIZES = [(80, 24), (120, 40)]


async def _settle(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    for _ in range(3):
        await pilot.pause(0.05)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def _opening(make: Callable[[], Any]) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        pilot.app.push_screen(make())
        await _settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_movements(
    snap_compare: Any, app: MutabakatApp, database: Database, actor: Actor, size: tuple[int, int]
) -> None:
    account = movements_account(database, actor)
    run_before = _opening(lambda: MovementListScreen(account))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_settle(
    snap_compare: Any, app: MutabakatApp, database: Database, actor: Actor, size: tuple[int, int]
) -> None:
    account = settle_account(database, actor)
    run_before = _opening(lambda: SettleScreen(account))
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_orders(
    snap_compare: Any, app: MutabakatApp, database: Database, actor: Actor, size: tuple[int, int]
) -> None:
    approved_order(database, actor, partial=True)
    run_before = _opening(SalesOrderListScreen)
    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_account_list(
    snap_compare: Any, app: MutabakatApp, database: Database, actor: Actor, size: tuple[int, int]
) -> None:
    many_currencies(database, actor)

    async def open_list(pilot: Pilot[None]) -> None:
        await pilot.press("f3")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_list)


@pytest.mark.parametrize("size", SIZES)
def test_ship_dialog_note(
    snap_compare: Any, app: MutabakatApp, database: Database, actor: Actor, size: tuple[int, int]
) -> None:
    account = approved_order(database, actor, partial=False)

    async def open_dialog(pilot: Pilot[None]) -> None:
        pilot.app.push_screen(SalesOrderListScreen(account))
        await _settle(pilot)
        await pilot.press("f9")
        await _settle(pilot)
        await choose(pilot, "ship")
        screen = pilot.app.screen
        screen.query_one("#s-date", Input).value = "01.07.2026"
        screen.query_one("#s-due", Input).value = "31.08.2026"
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_dialog)


@pytest.mark.parametrize("size", SIZES)
def test_order_form(
    snap_compare: Any, app: MutabakatApp, database: Database, actor: Actor, size: tuple[int, int]
) -> None:
    account = approved_order(database, actor, partial=True)

    async def open_form(pilot: Pilot[None]) -> None:
        pilot.app.push_screen(SalesOrderListScreen(account))
        await _settle(pilot)
        await pilot.press("enter")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_form)


@pytest.mark.parametrize("size", SIZES)
def test_dispatch_invoice_dialog(
    snap_compare: Any, app: MutabakatApp, database: Database, actor: Actor, size: tuple[int, int]
) -> None:
    """Invoicing a dispatch note: the next FT number, the date and the due date as values."""
    import datetime as dt

    from sqlalchemy import select

    from tui_mutabakat.data.ops_models import SalesOrder
    from tui_mutabakat.services.accounts.shipping import ship_order

    account = approved_order(database, actor, partial=False)
    with database.unit_of_work() as session:
        order = session.scalars(select(SalesOrder.id)).one()
        ship_order(session, actor, order, invoice_date=dt.date(2026, 6, 2), dispatch=True)

    async def open_dialog(pilot: Pilot[None]) -> None:
        pilot.app.push_screen(SalesOrderListScreen(account))
        await _settle(pilot)
        await pilot.press("f9")
        await _settle(pilot)
        await choose(pilot, "invoice_dispatch")
        screen = pilot.app.screen
        screen.query_one("#d-date", Input).value = "05.06.2026"
        screen.query_one("#d-due", Input).value = "05.07.2026"
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_dialog)
