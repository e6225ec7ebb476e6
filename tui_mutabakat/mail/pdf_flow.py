"""Text flowing down A4 pages: paragraphs, headings and tables, a new page when one is full,
and "page n/m" at the foot of each (the letters and evidence reports, SPEC F1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tui_mutabakat.mail.pdf import PAGE_HEIGHT, PAGE_WIDTH, PdfDocument, text_width, wrap

MARGIN = 50.0
BOTTOM = PAGE_HEIGHT - 60.0


@dataclass(frozen=True, slots=True)
class Column:
    title: str
    #: Share of the text width (the columns' shares add up to 1 or less).
    share: float
    right: bool = False


class Flow:
    """A document written top to bottom."""

    def __init__(self, title: str, page_word: str = "Sayfa") -> None:
        self.doc = PdfDocument(title=title)
        self.page_word = page_word
        self.width = PAGE_WIDTH - 2 * MARGIN
        self.y = MARGIN
        self.doc.new_page()

    def room(self, height: float) -> None:
        """A new page unless `height` more points fit on this one."""
        if self.y + height > BOTTOM:
            self.doc.new_page()
            self.y = MARGIN

    def gap(self, points: float = 6) -> None:
        self.y += points

    def paragraph(self, text: str, size: float = 10, bold: bool = False, indent: float = 0) -> None:
        leading = size * 1.35
        for line in wrap(text, self.width - indent, size, bold):
            self.room(leading)
            self.y += leading
            self.doc.text(MARGIN + indent, self.y, line, size, bold)

    def heading(self, text: str, size: float = 12) -> None:
        self.room(size * 4)
        self.gap(4)
        self.paragraph(text, size, bold=True)
        self.gap(2)

    def rule(self) -> None:
        self.room(8)
        self.y += 4
        self.doc.line(MARGIN, self.y, MARGIN + self.width, self.y)
        self.y += 4

    def pairs(self, rows: Sequence[tuple[str, str]], size: float = 9.5) -> None:
        """Label: value lines, the values aligned."""
        label_width = max((text_width(label, size, True) for label, _v in rows), default=0) + 8
        label_width = min(label_width, self.width * 0.4)
        for label, value in rows:
            lines = wrap(value, self.width - label_width, size) or [""]
            for index, line in enumerate(lines):
                self.room(size * 1.35)
                self.y += size * 1.35
                if index == 0:
                    self.doc.text(MARGIN, self.y, label, size, bold=True)
                self.doc.text(MARGIN + label_width, self.y, line, size)

    def table(
        self, columns: Sequence[Column], rows: Sequence[Sequence[str]], size: float = 8.5
    ) -> None:
        """A table with a header (repeated on each new page); cells wrap within their
        column — the first cell over the empty cells after it (like `colspan`) —; a bold
        row when the row starts with the marker `\\b`."""
        leading = size * 1.3
        widths = [c.share * self.width for c in columns]

        def header() -> None:
            self.room(leading * 2)
            self.y += leading
            self._cells(columns, [c.title for c in columns], widths, size, True)
            self.y += 2
            self.doc.line(MARGIN, self.y, MARGIN + sum(widths), self.y, 0.6)

        header()
        for row in rows:
            bold = bool(row) and row[0].startswith("\b")
            cells = [row[0].removeprefix("\b"), *row[1:]] if row else []
            span = 1
            while span < len(cells) and not cells[span] and not columns[span].right:
                span += 1
            row_widths = [sum(widths[:span]), *[0.0] * (span - 1), *widths[span:]]
            wrapped = [
                wrap(cell, w - 4, size, bold) if cell else []
                for cell, w in zip(cells, row_widths, strict=False)
            ]
            height = max([1, *(len(w) for w in wrapped)]) * leading
            if self.y + height + 2 > BOTTOM:
                self.doc.new_page()
                self.y = MARGIN
                header()
            top = self.y
            for line_index in range(round(height / leading)):
                self.y = top + (line_index + 1) * leading
                parts = [w[line_index] if line_index < len(w) else "" for w in wrapped]
                self._cells(columns, parts, widths, size, bold)
            self.y = top + height + 2

    def _cells(
        self,
        columns: Sequence[Column],
        cells: Sequence[str],
        widths: Sequence[float],
        size: float,
        bold: bool,
    ) -> None:
        x = MARGIN
        for column, cell, width in zip(columns, cells, widths, strict=False):
            if cell:
                if column.right:
                    left = x + width - 4 - text_width(cell, size, bold)
                    self.doc.text(left, self.y, cell, size, bold)
                else:
                    self.doc.text(x, self.y, cell, size, bold)
            x += width

    def to_bytes(self) -> bytes:
        total = len(self.doc.pages)
        if total > 1:
            for number in range(total):
                footer = f"{self.page_word} {number + 1}/{total}"
                left = PAGE_WIDTH - MARGIN - text_width(footer, 8)
                self.doc.text(left, PAGE_HEIGHT - 30, footer, 8, page=number)
        return self.doc.to_bytes()
