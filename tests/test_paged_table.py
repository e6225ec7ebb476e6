"""The paged table: pages fetched on demand, cursor keys, messages, keeping the cursor."""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from textual.app import App, ComposeResult

from tui_mutabakat.widgets.paged_table import Column, PagedTable, TableRow, fit

ROWS = 100_000


class NumberSource:
    """`size` synthetic rows; row `i` has key `i + 1 + shift`. Counts what it is asked for."""

    def __init__(self, size: int, shift: int = 0) -> None:
        self.size = size
        self.shift = shift
        self.offsets: list[int] = []
        self.index_lookups = 0

    def count(self) -> int:
        return self.size

    def rows(self, offset: int, limit: int) -> Sequence[TableRow]:
        self.offsets.append(offset)
        end = min(self.size, offset + limit)
        return [
            TableRow(i + 1 + self.shift, (f"K{i:06d}", f"Ünvan {i}", f"{i},00"))
            for i in range(offset, end)
        ]

    def index_of(self, key: int) -> int | None:
        self.index_lookups += 1
        index = key - 1 - self.shift
        return index if 0 <= index < self.size else None


COLUMNS = (Column("Kod", 8), Column("Ünvan", 10, flex=True), Column("Bakiye", 12, "right"))


class TableApp(App[None]):
    def __init__(self, source: NumberSource) -> None:
        super().__init__()
        self.source = source
        self.selected: list[int] = []
        self.moved: list[int | None] = []

    def compose(self) -> ComposeResult:
        yield PagedTable(COLUMNS, self.source, empty_text="Kayıt yok", id="table")

    def on_mount(self) -> None:
        table = self.query_one(PagedTable)
        table.refresh_data()
        table.focus()

    def on_paged_table_row_selected(self, event: PagedTable.RowSelected) -> None:
        self.selected.append(event.key)

    def on_paged_table_cursor_moved(self, event: PagedTable.CursorMoved) -> None:
        self.moved.append(event.key)


def lines(table: PagedTable) -> list[str]:
    return [table.render_line(y).text.rstrip() for y in range(table.size.height)]


async def test_end_of_100000_rows_fetches_only_a_few_pages() -> None:
    source = NumberSource(ROWS)
    app = TableApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(PagedTable)
        assert table.row_count == ROWS
        assert source.offsets == [0]
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == ROWS - 1
        assert table.cursor_id == ROWS
        shown = lines(table)
        assert shown[0].split() == ["Kod", "Ünvan", "Bakiye"]
        assert shown[-1].split()[0] == "K099999"
        assert source.offsets == [0, 99_800]
        await pilot.press("pageup", "pageup", "up")
        await pilot.press("ctrl+home")
        await pilot.pause()
        assert table.cursor_id == 1
        assert lines(table)[1].split()[0] == "K000000"
        # Of 500 pages only the first and the last were ever read, each once.
        assert source.offsets == [0, 99_800]
        # Wandering through many pages keeps no more than `max_pages` of them.
        for index in range(0, ROWS, 10_000):
            table.move_cursor(index)
        assert len(table._pages) == table.max_pages
        assert len(source.offsets) == 2 + 9


async def test_cursor_keys_move_and_scroll_and_enter_selects() -> None:
    source = NumberSource(1_000)
    app = TableApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(PagedTable)
        visible = table.visible_rows
        await pilot.press("down", "down")
        assert table.cursor_id == 3
        await pilot.press("pagedown")
        await pilot.pause()
        assert table.cursor_row == 2 + visible
        # The cursor row is on screen, the header stays on line 0.
        shown = lines(table)
        assert shown[0].split()[0] == "Kod"
        assert f"K{table.cursor_row:06d}" in "\n".join(shown)
        await pilot.press("up", "enter")
        await pilot.pause()
        assert app.selected == [table.cursor_id] == [2 + visible]
        await pilot.press("home")
        assert table.cursor_row == 0
        await pilot.pause()
        assert app.moved[-1] == 1


async def test_click_moves_the_cursor_and_a_second_click_selects() -> None:
    app = TableApp(NumberSource(50))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(PagedTable)
        await pilot.click("#table", offset=(3, 4))
        await pilot.pause()
        assert table.cursor_row == 3
        await pilot.click("#table", offset=(3, 4))
        await pilot.pause()
        assert app.selected == [4]


async def test_refresh_keeps_the_cursor_on_the_same_key() -> None:
    source = NumberSource(1_000)
    app = TableApp(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(PagedTable)
        table.move_cursor(500)
        kept = table.cursor_id
        assert kept == 501
        # The same key, same place: found in the pages read, the source is not searched.
        table.refresh_data(keep_id=kept)
        assert table.cursor_id == kept and source.index_lookups == 0
        # Ten rows were inserted before it: the source tells where it went.
        table.source = NumberSource(1_010, shift=-10)
        table.refresh_data(keep_id=kept)
        assert table.cursor_row == 510 and table.cursor_id == kept
        # A key that is gone leaves the cursor on the same row number.
        table.refresh_data(keep_id=999_999)
        assert table.cursor_row == 510
        table.refresh_data(reset=True)
        assert table.cursor_row == 0


async def test_empty_source_shows_the_empty_text() -> None:
    app = TableApp(NumberSource(0))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(PagedTable)
        assert table.cursor_id is None
        assert lines(table)[1].strip() == "Kayıt yok"
        await pilot.press("down", "end", "enter")
        assert app.selected == []


async def test_columns_fit_80_columns_with_a_flexible_title() -> None:
    app = TableApp(NumberSource(10))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(PagedTable)
        width = table.scrollable_content_region.width
        widths = table.column_widths(width)
        assert sum(widths) + len(widths) + 1 == width
        assert widths[0] == 8 and widths[2] == 12
        narrow = table.column_widths(20)
        assert narrow[1] == 10  # never below the flex column's minimum


def test_droppable_columns_are_left_out_lowest_drop_first() -> None:
    table = PagedTable(
        (
            Column("Kod", 10),
            Column("Ünvan", 10, flex=True),
            Column("Aktif", 5, drop=2),
            Column("Grup", 6, drop=1),
        )
    )
    assert table.column_widths(40) == (10, 14, 5, 6)  # 31 + 5 gaps fit: all, the spare to Ünvan
    assert table.column_widths(30) == (10, 11, 5, 0)  # Grup first, the spare to the title
    assert table.column_widths(22) == (10, 10, 0, 0)
    line = table._line(("120.01", "Anadolu", "Evet", "TOPTAN"), 30, Style())
    assert line.text.split() == ["120.01", "Anadolu", "Evet"]


def test_fit_cuts_with_an_ellipsis_and_aligns() -> None:
    assert fit("Anadolu Gıda", 8) == "Anadolu…"
    assert fit("12,00", 8, "right") == "   12,00"
    assert fit("ab", 4, "center") == " ab "
    assert fit("abc", 0) == ""
