"""A `DataTable` whose columns fit its width, so nothing a user needs is cut at 80 columns.

Textual's `DataTable` makes every column as wide as its widest cell, pads each side with a
space and scrolls sideways when the sum is wider than the screen: at 80 columns the columns on
the right (a due date, an open amount) are cut or out of sight. `FitTable` applies one rule:

- every column is as wide as its widest cell (or its title), with one space before it — the
  same one-space gap as the account list's `PagedTable`;
- when that is wider than the table, the `shrink` columns give up width, the first named
  first (a description before a document type), each down to its minimum (0 hides it; a
  column left narrower than the gap and two characters is hidden too); a cut cell ends
  with "…";
- every other column — dates, amounts, document numbers — keeps its full width.

A screen whose shrunk columns hold something the user needs shows the cursor row's text in
full elsewhere (the movement list's detail line).

Textual has no public hook for this: `FitTable` overrides three private `DataTable` methods
(`_update_dimensions`, `_compute_row_renderables`, `_on_resize`; Textual 8.2). The Pilot
tests of `tests/test_columns_80.py` read the screens as drawn and fail if an upgrade breaks
them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from rich.console import RenderableType
from rich.padding import Padding
from rich.text import Text
from textual import events
from textual.widgets import DataTable
from textual.widgets._data_table import ColumnKey, RowRenderables


def _width(cell: object) -> int:
    """The cells `cell` takes on one line."""
    if isinstance(cell, Text):
        return max((cell_len(line) for line in cell.plain.splitlines()), default=0)
    return cell_len(str(cell)) if cell is not None else 0


class FitTable(DataTable[Any]):
    """A row-cursor `DataTable` that fits its width (see the module's rule).

    `shrink` names the column keys that may narrow, in the order they give up width, each
    with its minimum width in cells.
    """

    DEFAULT_CSS = """
    FitTable {
        scrollbar-gutter: stable;
    }
    """

    def __init__(self, *, shrink: Sequence[tuple[str, int]] = (), **kwargs: Any) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(cell_padding=0, **kwargs)
        self.shrink_order = tuple(shrink)

    def natural_widths(self) -> dict[ColumnKey, int]:
        """Each column's width before fitting: its widest cell or title, and the gap."""
        widths: dict[ColumnKey, int] = {}
        for key, column in self.columns.items():
            cells = self.get_column(key) if self.row_count else ()
            widest = max((_width(cell) for cell in cells), default=0)
            widths[key] = max(widest, _width(column.label)) + 1
        return widths

    def fitted_widths(self, available: int) -> dict[ColumnKey, int]:
        """The column widths (gap included) for a table `available` cells wide."""
        widths = self.natural_widths()
        excess = sum(widths.values()) - available
        for name, minimum in self.shrink_order:
            key = ColumnKey(name)
            if excess <= 0:
                break
            if key not in widths:
                continue
            floor = minimum + 1 if minimum else 0
            cut = min(excess, max(0, widths[key] - floor))
            if widths[key] - cut < 3:  # a sliver (the gap and "…" at most) is hidden whole
                cut = widths[key]
            widths[key] -= cut
            excess -= cut
        return widths

    def _fit(self) -> None:
        available = self.scrollable_content_region.width
        if available <= 0:
            return
        widths = self.fitted_widths(available)
        changed = False
        for key, column in self.columns.items():
            width = widths[key]
            changed = changed or column.auto_width or column.width != width
            column.auto_width = False
            column.width = width
        if changed:
            self._clear_caches()

    def _update_dimensions(self, new_rows: Any) -> None:
        """Fit the columns before the table measures itself (after rows came or went)."""
        self._fit()
        super()._update_dimensions(new_rows)

    def _on_resize(self, event: events.Resize) -> None:
        super()._on_resize(event)
        self._require_update_dimensions = True
        self._clear_caches()

    def _compute_row_renderables(self, row_index: int) -> RowRenderables:
        """Every cell after a one-space gap; a cell of a shrinking column cut with "…"."""
        label, cells = super()._compute_row_renderables(row_index)
        shrinking = {key for key, _minimum in self.shrink_order}
        padded: list[RenderableType] = []
        for column, cell in zip(self.ordered_columns, cells, strict=False):
            if column.width == 0 and not column.auto_width:
                padded.append(Text())
                continue
            if str(column.key.value) in shrinking and isinstance(cell, Text):
                cell = cell.copy()
                cell.no_wrap = True
                cell.overflow = "ellipsis"
            padded.append(Padding(cell, (0, 0, 0, 1)))
        return RowRenderables(label, padded)
