"""At 80 columns every key the footer shows is whole (issue: keys ran off the right edge or
under the palette key): the main screens walked by their keys, the footer read as drawn."""

from __future__ import annotations

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets._footer import FooterKey

from tests.ops_data import make_account
from tests.pilot_keys import press
from tests.test_columns_80 import approved_order, movements_account, seen, settle_account
from tests.test_track_screens import sent_batch
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.config import Settings
from tui_mutabakat.data.session import Database
from tui_mutabakat.screens.keys import screen_keys
from tui_mutabakat.screens.operations.movements import MovementListScreen
from tui_mutabakat.screens.operations.orders import SalesOrderListScreen
from tui_mutabakat.screens.operations.parameters import AccountParametersScreen
from tui_mutabakat.screens.operations.rule_decisions import RuleDecisionsScreen
from tui_mutabakat.screens.operations.settle import SettleScreen
from tui_mutabakat.services.context import Actor
from tui_mutabakat.widgets.footer import Footer, fitting

WIDTH = 80


def footer_whole(pilot: Pilot[None], name: str, *, must: str = "") -> None:
    """Every key of the screen's footer inside the screen and left of the palette key, and
    drawn whole on the footer's line; F1 among them; every key left out is in F1's list."""
    screen = pilot.app.screen
    footers = list(screen.query(Footer))
    assert footers, f"{name}: no footer of ours"
    footer = footers[0]
    keys = list(footer.query(FooterKey))
    palette = [key for key in keys if key.has_class("-command-palette")]
    right = palette[0].region.x if palette else WIDTH
    line = seen(pilot).splitlines()[footer.region.y]
    shown = [key for key in keys if not key.has_class("-command-palette")]
    assert shown, name
    for key in shown:
        assert key.region.right <= right, f"{name}: {key.key_display} {key.description} cut"
        text = f"{key.key_display} {key.description}".strip()
        assert text in line, f"{name}: {text!r} not whole in {line!r}"
    assert any(key.action.endswith("help") for key in shown), f"{name}: F1 not shown"
    if must:  # the screen's main key is among those that fit
        assert must in {key.description for key in shown}, f"{name}: {must} not shown"
    described = {entry.description for entry in screen_keys(screen)}
    assert {key.description for key in shown} <= described | {""}, name


def test_fitting_keeps_order_and_the_reserved_key() -> None:
    entries = [("f3", "Cari"), ("f4", "Gönder uzun"), ("f5", "X"), ("f1", "Yardım")]
    assert fitting(entries, 20, frozenset({3})) == [0, 3]  # "f3 Cari " + "f1 Yardım "
    assert fitting(entries, 100, frozenset({3})) == [0, 1, 2, 3]


async def test_menu_screens_footers_whole_at_80(
    app: MutabakatApp, database: Database, actor: Actor, settings: Settings
) -> None:
    await sent_batch(database, actor, settings)
    async with app.run_test(size=(WIDTH, 24)) as pilot:
        await press(pilot)
        footer_whole(pilot, "menu")
        for key, name in (
            ("f3", "accounts"),
            ("f4", "send criteria"),
            ("f2", "tracking"),
            ("f5", "orders"),
            ("f6", "working settings"),
            ("f7", "company"),
            ("f8", "templates"),
            ("f9", "mail settings"),
            ("f10", "users"),
            ("f11", "import"),
            ("f12", "dashboard"),
        ):
            await press(pilot, key)
            await pilot.pause(0.1)
            footer_whole(pilot, name)
            if key == "f3":
                await press(pilot, "enter")
                footer_whole(pilot, "account card")
                await press(pilot, "escape")
            if key == "f4":
                await press(pilot, "f2")
                footer_whole(pilot, "send list", must="Gönder")
                await press(pilot, "escape")
            if key == "f2":
                await press(pilot, "enter")
                footer_whole(pilot, "letters")
                await press(pilot, "enter")
                footer_whole(pilot, "letter details")
                await press(pilot, "escape", "escape")
            while len(app.screen_stack) > 2:
                await press(pilot, "escape")


ACCOUNT_SCREENS = ("movements", "settle", "rule decisions", "account orders", "parameters")


@pytest.mark.parametrize("name", ACCOUNT_SCREENS)
async def test_account_screens_footers_whole_at_80(
    app: MutabakatApp, database: Database, actor: Actor, name: str
) -> None:
    screen: Screen[object]
    if name == "movements":
        screen = MovementListScreen(movements_account(database, actor))
    elif name == "settle":
        screen = SettleScreen(settle_account(database, actor))
    elif name == "rule decisions":
        screen = RuleDecisionsScreen(approved_order(database, actor, partial=True))
    elif name == "account orders":
        screen = SalesOrderListScreen(approved_order(database, actor, partial=True))
    else:
        screen = AccountParametersScreen(make_account(database, actor))
    async with app.run_test(size=(WIDTH, 24)) as pilot:
        app.push_screen(screen)
        await press(pilot)
        footer_whole(pilot, name)
        if name == "account orders":
            await press(pilot, "enter")
            footer_whole(pilot, "order form")
