"""Dates as accountants type them in Mikro and Logo: without separators (`07122026`,
`071226`), and a due date that moves only once the date is typed whole (found in the
keys-only re-walk: "10.12.2" moved the due date to 2002)."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Input

from tests.ops_data import make_account
from tests.pilot_keys import press
from tests.test_ops_screens import choose
from tests.test_orders_walk import TODAY, new_order
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.formatting import format_day, parse_day
from tui_mutabakat.screens.operations.dispatch_invoice import DispatchInvoiceDialog
from tui_mutabakat.screens.operations.orders import SalesOrderListScreen
from tui_mutabakat.services.accounts.shipping import ship_order
from tui_mutabakat.services.context import Actor


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("07122026", dt.date(2026, 12, 7)),
        ("071226", dt.date(2026, 12, 7)),
        ("7.12.2026", dt.date(2026, 12, 7)),
        ("2026-12-07", dt.date(2026, 12, 7)),
    ],
)
def test_a_date_typed_without_separators_is_a_date(typed: str, day: dt.date) -> None:
    assert parse_day(typed) == day


@pytest.mark.parametrize("typed", ["0712202", "07122", "123456789"])
def test_other_digit_runs_are_no_dates(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_day(typed)


async def test_the_due_date_moves_only_when_the_date_is_typed_whole(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor, payment_days=30)
    order = new_order(database, actor, account, approve=True)
    with database.unit_of_work() as session:
        ship_order(session, actor, order, invoice_date=TODAY, today=TODAY, dispatch=True)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(SalesOrderListScreen(account))
        await press(pilot)
        await press(pilot, "f9")
        await choose(pilot, "invoice_dispatch")
        dialog = app.screen
        assert isinstance(dialog, DispatchInvoiceDialog)
        due = dialog.query_one("#d-due", Input)
        first = due.value
        await press(pilot, "tab", *["backspace"] * 10)
        later = TODAY + dt.timedelta(days=3)
        typed = later.strftime("%d%m%Y")
        seen = set()
        for character in typed:
            await press(pilot, character)
            seen.add(due.value)
        assert due.value == format_day(later + dt.timedelta(days=30))
        # Nothing in between: only the first due date and the one for the whole date.
        assert seen <= {first, due.value}, seen
