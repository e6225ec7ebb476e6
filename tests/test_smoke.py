from __future__ import annotations

from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.screens.main import MainScreen


async def test_main_menu_opens_and_help_lists_keys(app: MutabakatApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        await pilot.press("f1")
        await pilot.pause()
        table = app.screen.query_one("DataTable")
        rows = [str(table.get_row_at(i)) for i in range(table.row_count)]
        assert any("Cari Hesaplar" in row and "F3 / Ctrl+K" in row for row in rows), rows
