"""F1 names Enter wherever Enter does something (issue 11, the 80-column walk: the orders
screen's help left it out, because the table's own hidden Enter stood in front of the
screen's). One check over every screen class, one on the screens as a user opens them."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable

import tui_mutabakat.screens
from tests.ops_data import make_account
from tests.pilot_keys import press
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.session import Database
from tui_mutabakat.screens.dialogs.help import HelpScreen
from tui_mutabakat.screens.operations.movements import MovementListScreen
from tui_mutabakat.screens.operations.order_form import OrderFormScreen
from tui_mutabakat.screens.operations.orders import SalesOrderListScreen
from tui_mutabakat.screens.operations.settle import SettleScreen
from tui_mutabakat.services.context import Actor


def _screen_classes() -> list[type[Screen[object]]]:
    found: dict[str, type[Screen[object]]] = {}
    package = tui_mutabakat.screens
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        module = importlib.import_module(info.name)
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, Screen) and value.__module__ == info.name:
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


def _takes_row_selection(cls: type[Screen[object]]) -> bool:
    """Whether the screen acts on a table's Enter (its RowSelected message)."""
    for name, member in inspect.getmembers(cls, callable):
        if name == "on_data_table_row_selected":
            return True
        for message_type, _selectors in getattr(member, "_textual_on", ()):
            if message_type.__name__ == "RowSelected":
                return True
    return False


def _describes_enter(cls: type[Screen[object]]) -> bool:
    for binding in cls.BINDINGS:
        if isinstance(binding, Binding) and "enter" in binding.key.split(","):
            if binding.description and binding.show:
                return True
    return False


#: Screens whose table class itself binds Enter with a description ("Kartı aç", "Ayrıntı"):
#: that binding is the one F1 finds first.
_TABLE_SAYS_IT = {"AccountListScreen", "AccountLookupScreen", "LetterListScreen"}


@pytest.mark.parametrize(
    "cls", [c for c in _screen_classes() if _takes_row_selection(c)], ids=lambda c: c.__name__
)
def test_a_screen_that_acts_on_enter_describes_it(cls: type[Screen[object]]) -> None:
    assert _describes_enter(cls) or cls.__name__ in _TABLE_SAYS_IT


async def _help_keys(pilot: object, app: MutabakatApp) -> list[str]:
    await press(pilot, "f1")  # type: ignore[arg-type]
    assert isinstance(app.screen, HelpScreen)
    table = app.screen.query_one("#help-keys", DataTable)
    rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
    await press(pilot, "escape")  # type: ignore[arg-type]
    return [f"{keys} = {what}" for keys, what in rows]


async def test_f1_lists_enter_on_the_ops_screens(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor)
    screens: list[tuple[Screen[None], str]] = [
        (SalesOrderListScreen(), "Enter = Aç"),
        (SalesOrderListScreen(account), "Enter = Aç"),
        (MovementListScreen(account), "Enter = Düzelt"),
        (SettleScreen(account), "Enter = İşaretle, eşle"),
        (OrderFormScreen(account_id=account), "Enter = Satırı düzelt"),
    ]
    async with app.run_test(size=(80, 24)) as pilot:
        for screen, expected in screens:
            app.push_screen(screen)
            await press(pilot)
            screen.query(DataTable).first().focus()  # the list Enter acts on (the form's
            await press(pilot)  # fields take Enter as "next field", as their hint says)
            shown = await _help_keys(pilot, app)
            assert expected in shown, (type(screen).__name__, shown)
            app.pop_screen()
            await press(pilot)
