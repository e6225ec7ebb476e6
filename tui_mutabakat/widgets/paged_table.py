"""A table that pages its rows from a data source and renders only the lines on screen.

Textual's `DataTable` holds every row as widgets' data (about 11 s to add 100 000 rows).
`PagedTable` holds a count and a few pages: it asks its `RowSource` for `count()` and
`rows(offset, limit)`, keeps the last `max_pages` pages in an LRU cache, and draws each
visible line with the Line API. Row keys are database ids, so the cursor survives a refresh.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal, Protocol

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui_mutabakat.i18n import gettext as _

Align = Literal["left", "right", "center"]


@dataclass(frozen=True, slots=True)
class Column:
    """One column. A `flex` column takes the width left over (at least `width`).

    `drop` > 0: the column may be left out when the table is too narrow for all columns at
    their widths — the one with the lowest `drop` first (see `PagedTable.column_widths`).
    `wide` > `width`: when the table has room, the column grows up to `wide` (its longest
    values whole) before the flex columns take what is left.
    """

    title: str
    width: int
    align: Align = "left"
    flex: bool = False
    drop: int = 0
    wide: int = 0


@dataclass(frozen=True, slots=True)
class TableRow:
    """A row as the table shows it: the database id and the already formatted cells."""

    key: int
    cells: tuple[str, ...]
    muted: bool = False


class RowSource(Protocol):
    """Where a `PagedTable` reads its rows from (usually a filtered, sorted query)."""

    def count(self) -> int: ...

    def rows(self, offset: int, limit: int) -> Sequence[TableRow]: ...

    def index_of(self, key: int) -> int | None:
        """The row index of `key`, or `None` when the key is not in the source."""
        ...


class EmptySource:
    """A source with no rows: the table's state before its real source is set."""

    def count(self) -> int:
        return 0

    def rows(self, offset: int, limit: int) -> Sequence[TableRow]:
        return []

    def index_of(self, key: int) -> int | None:
        return None


def fit(text: str, width: int, align: Align = "left") -> str:
    """`text` cut (with an ellipsis) or padded to exactly `width` cells."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        out = ""
        for char in text:
            if cell_len(out + char) > width - 1:
                break
            out += char
        text = out + "…"
    pad = width - cell_len(text)
    if align == "right":
        return " " * pad + text
    if align == "center":
        return " " * (pad // 2) + text + " " * (pad - pad // 2)
    return text + " " * pad


class PagedTable(ScrollView, can_focus=True):
    """A virtualised, read-only table with a row cursor (line 0 is the fixed header)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", _("Seç"), show=False, id="paged_table_select"),
        Binding("up", "cursor_up", show=False, id="paged_table_up"),
        Binding("down", "cursor_down", show=False, id="paged_table_down"),
        Binding("pageup", "page_up", show=False, id="paged_table_page_up"),
        Binding("pagedown", "page_down", show=False, id="paged_table_page_down"),
        Binding("home,ctrl+home", "first", show=False, id="paged_table_first"),
        Binding("end,ctrl+end", "last", show=False, id="paged_table_last"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "paged-table--header",
        "paged-table--cursor",
        "paged-table--muted",
        "paged-table--empty",
    }

    DEFAULT_CSS = """
    PagedTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        & > .paged-table--header {
            text-style: bold;
            background: $panel;
        }
        & > .paged-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .paged-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .paged-table--muted {
            color: $text-muted;
        }
        & > .paged-table--empty {
            color: $text-muted;
            text-style: italic;
        }
    }
    """

    class CursorMoved(Message):
        """The cursor is on another row (`key` is `None` when the table is empty)."""

        def __init__(self, table: PagedTable, index: int, key: int | None) -> None:
            super().__init__()
            self.table = table
            self.index = index
            self.key = key

        @property
        def control(self) -> PagedTable:
            return self.table

    class RowSelected(Message):
        """Enter (or a click on the cursor row) on a row."""

        def __init__(self, table: PagedTable, index: int, key: int) -> None:
            super().__init__()
            self.table = table
            self.index = index
            self.key = key

        @property
        def control(self) -> PagedTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[Column],
        source: RowSource | None = None,
        *,
        page_size: int = 200,
        max_pages: int = 4,
        empty_text: str = "",
        name: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns = tuple(columns)
        self.page_size = page_size
        self.max_pages = max_pages
        self.empty_text = empty_text
        self.page_fetches = 0
        self._source: RowSource = source or EmptySource()
        self._pages: OrderedDict[int, Sequence[TableRow]] = OrderedDict()
        self._count = 0
        self._cursor = 0
        self._widths: tuple[tuple[int, tuple[Column, ...]], tuple[int, ...]] = ((-1, ()), ())

    # ----------------------------------------------------------------- data

    @property
    def source(self) -> RowSource:
        return self._source

    @source.setter
    def source(self, source: RowSource) -> None:
        self._source = source
        self._pages.clear()

    @property
    def row_count(self) -> int:
        return self._count

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def cursor_id(self) -> int | None:
        row = self.row_at(self._cursor)
        return row.key if row else None

    def row_at(self, index: int) -> TableRow | None:
        """The row at `index`, fetching its page if needed; `None` outside the table."""
        if not 0 <= index < self._count:
            return None
        number, inside = divmod(index, self.page_size)
        page = self._pages.get(number)
        if page is None:
            page = self._source.rows(number * self.page_size, self.page_size)
            self.page_fetches += 1
            self._pages[number] = page
            while len(self._pages) > self.max_pages:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        return page[inside] if inside < len(page) else None

    def _cached_index(self, key: int) -> int | None:
        for number, page in self._pages.items():
            for inside, row in enumerate(page):
                if row.key == key:
                    return number * self.page_size + inside
        return None

    def refresh_data(self, keep_id: int | None = None, *, reset: bool = False) -> None:
        """Count and page again from the source.

        The cursor goes to `keep_id` when it is still there (else it stays on the same row
        number); with `reset` it goes to the first row. Looking the key up in the pages
        already read first spares the source a search when the row did not move.
        """
        old_index = None if keep_id is None else self._cached_index(keep_id)
        self._pages.clear()
        self._count = self._source.count()
        self.virtual_size = Size(self._content_width(), self._count + 1)
        target = 0 if reset else self._cursor
        if keep_id is not None and not reset:
            if old_index is not None and (row := self.row_at(old_index)) and row.key == keep_id:
                target = old_index
            else:
                found = self._source.index_of(keep_id)
                if found is not None:
                    target = found
        if reset:
            self.scroll_to(y=0, animate=False, force=True)
        self._cursor = -1
        self.move_cursor(target)
        self.refresh()

    # --------------------------------------------------------------- cursor

    def move_cursor(self, index: int) -> None:
        """Put the cursor on row `index` (clamped), scroll it into view, say so."""
        index = max(0, min(index, self._count - 1)) if self._count else 0
        previous = self._cursor
        self._cursor = index
        self._scroll_to_cursor()
        if previous != index:
            self.refresh()
            self.post_message(self.CursorMoved(self, index, self.cursor_id))

    @property
    def visible_rows(self) -> int:
        """How many data rows fit under the header."""
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_to_cursor(self) -> None:
        if self.scrollable_content_region.height <= 1:
            return
        top = round(self.scroll_y)
        visible = self.visible_rows
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, force=True)
        elif self._cursor >= top + visible:
            self.scroll_to(y=self._cursor - visible + 1, animate=False, force=True)

    def on_resize(self, _event: events.Resize) -> None:
        self.virtual_size = Size(self._content_width(), self._count + 1)
        self._scroll_to_cursor()

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self._cursor - self.visible_rows)

    def action_page_down(self) -> None:
        self.move_cursor(self._cursor + self.visible_rows)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(self._count - 1)

    def action_select_cursor(self) -> None:
        key = self.cursor_id
        if key is not None:
            self.post_message(self.RowSelected(self, self._cursor, key))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        index = offset.y - 1 + round(self.scroll_y)
        if index >= self._count:
            return
        event.stop()
        self.focus()
        if index == self._cursor or event.chain > 1:
            self.move_cursor(index)
            self.action_select_cursor()
        else:
            self.move_cursor(index)

    # --------------------------------------------------------------- render

    def _content_width(self) -> int:
        return self.scrollable_content_region.width

    def column_widths(self, width: int) -> tuple[int, ...]:
        """Widths of the columns for a table `width` cells wide (one space between columns).

        When the columns do not fit at their widths, the droppable ones are left out (width
        0), lowest `drop` first, until they do. Flex columns get their minimum and share
        equally what is left beyond the widths — but once they could be twice their minimum,
        the columns with a `wide` width first grow up to it, in their order. When even the
        widths do not fit, the line is simply cut at the right edge.
        """
        # Keyed by the columns too: a screen may give the table other columns.
        if self._widths[0] == (width, self.columns):
            return self._widths[1]
        shown = list(self.columns)
        for candidate in sorted((c for c in self.columns if c.drop), key=lambda c: c.drop):
            if sum(c.width for c in shown) + len(shown) + 1 <= width:
                break
            shown.remove(candidate)
        gaps = len(shown) + 1
        fixed = sum(c.width for c in shown if not c.flex)
        flexible = [c for c in shown if c.flex]
        spare = width - gaps - fixed - sum(c.width for c in flexible)
        # The flex columns first take up to their width again (a title stays the widest), …
        first = min(max(0, spare), sum(c.width for c in flexible))
        spare -= first
        # … then the `wide` columns grow, and the flex columns share what is left.
        grown: dict[int, int] = {}
        for index, column in enumerate(self.columns):
            if column in shown and not column.flex and column.wide > column.width and spare > 0:
                grown[index] = min(column.wide - column.width, spare)
                spare -= grown[index]
        widths: list[int] = []
        share, extra = divmod(max(0, spare + first), len(flexible)) if flexible else (0, 0)
        for index, column in enumerate(self.columns):
            if column not in shown:
                widths.append(0)
            elif column.flex:
                widths.append(column.width + share + (1 if extra > 0 else 0))
                extra -= 1
            else:
                widths.append(column.width + grown.get(index, 0))
        self._widths = ((width, self.columns), tuple(widths))
        return self._widths[1]

    def _line(self, cells: Sequence[str], width: int, style: Style) -> Strip:
        widths = self.column_widths(width)
        parts = [" "]
        for column, cell, cell_width in zip(self.columns, cells, widths, strict=False):
            if not cell_width:
                continue  # left out at this width
            parts.append(fit(cell, cell_width, column.align))
            parts.append(" ")
        text = "".join(parts)
        return Strip([Segment(text, style)]).adjust_cell_length(width, style)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            header = base + self.get_component_rich_style("paged-table--header")
            return self._line([c.title for c in self.columns], width, header)
        index = y - 1 + round(self.scroll_y)
        if self._count == 0:
            if index == 0 and self.empty_text:
                empty = base + self.get_component_rich_style("paged-table--empty")
                text = fit(" " + self.empty_text, width)
                return Strip([Segment(text, empty)])
            return Strip.blank(width, base)
        row = self.row_at(index)
        if row is None:
            return Strip.blank(width, base)
        style = base
        if row.muted:
            style += self.get_component_rich_style("paged-table--muted")
        if index == self._cursor:
            style += self.get_component_rich_style("paged-table--cursor")
        return self._line(row.cells, width, style)
