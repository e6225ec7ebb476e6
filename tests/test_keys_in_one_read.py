"""Keys that arrive in one read of the terminal (a quick typist over SSH, a paste) land in the
fields they were typed for: Tab moves on before the next key is taken (issue 11.14)."""

from __future__ import annotations

from textual import events
from textual.widgets import Input

from tests.pilot_keys import press
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.screens.operations.order_form import OrderLineDialog


def burst(app: MutabakatApp, *keys: str) -> None:
    """Post `keys` at once, as the terminal driver does for one read."""
    for key in keys:
        character = "\t" if key == "tab" else None if key == "shift+tab" else key
        app.post_message(events.Key(key, character))


async def test_tab_in_a_burst_moves_on_before_the_next_key(app: MutabakatApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f5")
        await press(pilot, "f4")
        await press(pilot, "f4")
        dialog = app.screen
        assert isinstance(dialog, OrderLineDialog)
        burst(app, "V", "i", "d", "a", "tab", "1", "0", "tab", "tab", "5", "shift+tab", "x")
        for _ in range(10):
            await pilot.pause()
        values = {i.id: i.value for i in dialog.query(Input)}
        assert values == {"l-item": "Vida", "l-quantity": "10", "l-unit": "x", "l-price": "5"}
