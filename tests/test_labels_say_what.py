"""A label says what it is about: never "Değil" alone (not what?), never a sign like "@" for
a column title; a menu names what it acts on."""

from __future__ import annotations

import re
from pathlib import Path

from textual.widgets import DataTable, Label

from tests.pilot_keys import press
from tests.test_columns_80 import approved_order, movements_account
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.session import Database
from tui_mutabakat.screens.dialogs.action_menu import ActionMenu
from tui_mutabakat.screens.operations.movements import MovementListScreen
from tui_mutabakat.screens.operations.orders import SalesOrderListScreen
from tui_mutabakat.screens.sending.send_rows import balance_columns
from tui_mutabakat.screens.tracking.batch_rows import count_labels
from tui_mutabakat.services.context import Actor

SOURCE = Path(__file__).resolve().parents[1] / "tui_mutabakat"


def test_no_bare_negation_is_a_label() -> None:
    bare = re.compile(r"""_\(\s*["']Değil["']\s*\)""")
    found = [
        str(path.relative_to(SOURCE))
        for path in SOURCE.rglob("*.py")
        if bare.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
    assert count_labels()["disagreed"] == "Mutabık değil"


def test_send_list_column_titles_are_words() -> None:
    titles = [column.title for column in balance_columns()]
    assert "@" not in titles and "Posta" in titles


async def test_order_menu_names_the_order(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = approved_order(database, actor, partial=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(SalesOrderListScreen(account))
        await press(pilot)
        number = str(app.screen.query_one(DataTable).get_row_at(0)[0])
        await press(pilot, "f9")
        assert isinstance(app.screen, ActionMenu)
        title = str(app.screen.query_one(".dialog-title", Label).content)
        assert title == f"Sipariş {number} — 120.01 Test Ticaret 120.01"


async def test_movement_menu_names_the_movement(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = movements_account(database, actor)
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(MovementListScreen(account))
        await press(pilot)
        await press(pilot, "f9")
        assert isinstance(app.screen, ActionMenu)
        title = str(app.screen.query_one(".dialog-title", Label).content)
        # The cursor starts on the newest movement; the menu names it.
        assert title == "Banka BNK2026000000002 02.07.2026 — Hareket İşlemleri", title
