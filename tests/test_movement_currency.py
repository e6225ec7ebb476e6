"""A new movement is in the account's currency unless changed (the movement form's Döviz)."""

from __future__ import annotations

from textual.widgets import Select

from tests.pilot_keys import press
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.session import Database
from tui_mutabakat.screens.operations.movements import MovementDialog, MovementListScreen
from tui_mutabakat.services.accounts.cards import AccountData, save_account
from tui_mutabakat.services.context import Actor


async def test_a_new_movement_defaults_to_the_accounts_currency(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    with database.unit_of_work() as session:
        data = AccountData(code="120.09", title="Euro", currency="EUR")
        euro = save_account(session, actor, data)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(MovementListScreen(euro))
        await press(pilot)
        await press(pilot, "f4")
        dialog = app.screen
        assert isinstance(dialog, MovementDialog)
        assert dialog.query_one("#m-currency", Select).value == "EUR"
        await press(pilot, "escape")  # nothing typed: it leaves without asking
        assert isinstance(app.screen, MovementListScreen)
