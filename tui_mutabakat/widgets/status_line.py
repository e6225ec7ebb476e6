"""A status line that wraps between its parts, never inside one (an amount, a document).

`StatusLine.show(parts)` joins the parts with " · " and starts a new line where the next part
would not fit the line's width; on a resize it packs them again. Parts are Textual markup
(escape the user's own text with `literal`).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from textual import events
from textual.widgets import Static


def pack_parts(parts: Sequence[str], width: int, separator: str = " · ") -> str:
    """`parts` joined by `separator`, a new line where the next part would not fit in
    `width` cells (a part wider than the line has a line of its own and wraps there). A line
    that goes on from the one above starts with the separator ("· 401.283,06 A TL"), so a
    wrapped sum does not read as a new item."""
    lead = separator.lstrip()
    lines: list[str] = []
    for part in parts:
        if lines and cell_len(lines[-1] + separator + part) <= width:
            lines[-1] += separator + part
        else:
            lines.append(lead + part if lines else part)
    return "\n".join(lines)


class StatusLine(Static):
    """A status line of parts (see the module): height auto, packed to its width."""

    DEFAULT_CSS = """
    StatusLine {
        width: 100%;
        height: auto;
        max-height: 3;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes=classes)
        self.parts: tuple[str, ...] = ()

    def show(self, parts: Sequence[str]) -> None:
        self.parts = tuple(parts)
        self._pack()

    def _pack(self) -> None:
        width = self.content_region.width or self.app.size.width - 2
        self.update(pack_parts(self.parts, width))

    def on_resize(self, _event: events.Resize) -> None:
        self._pack()

    @property
    def text(self) -> str:
        """What the line says, on one line."""
        return " · ".join(self.parts)
