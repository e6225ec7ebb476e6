"""An open dropdown stops at its ends (every Select of the app): ↓ on the last option stays on
the last, ↑ on the first stays on the first — Textual's list wrapped, and a user pressing ↓ once
too often on the rule action list saved "İşleme devam" when they meant the last option."""

from __future__ import annotations

from textual.widgets import Select

from tests.ops_data import make_account
from tests.pilot_keys import press
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import RuleAction
from tui_mutabakat.screens.operations.parameters import AccountParametersScreen
from tui_mutabakat.services.context import Actor


async def test_down_on_the_last_option_stays_there(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(AccountParametersScreen(account))
        await press(pilot)
        action = app.screen.query_one("#f-due_track_action", Select)
        action.value = RuleAction.CONTINUE  # the first of three
        action.focus()
        await press(pilot, "space", "down", "down", "down", "down", "enter")
        assert action.value == RuleAction.STOP
        await press(pilot, "space", "up", "up", "up", "up", "enter")
        assert action.value == RuleAction.CONTINUE
