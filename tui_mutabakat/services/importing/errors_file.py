"""The errors file: the refused rows as they were, with a "Hata" column, ready to fix.

Written with openpyxl's write-only workbook, row by row, so a file with many bad rows
costs no more memory than one with a few. The header row is the file's own, so the fixed
file maps the same way when it is imported again; "Hata" is no field and is ignored then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.importing.values import Cell

ERROR_HEADER = "Hata"


def _safe(cell: Cell) -> Any:
    if cell is None or isinstance(cell, bool | int | float | dt.date):
        return cell
    value = str(cell)
    # openpyxl refuses control characters; a formula-looking text stays text.
    value = "".join(c for c in value if c >= " " or c in "\t\n")
    return "'" + value if value.startswith("=") else value


class ErrorsFile:
    """Opened lazily on the first refused row; `close()` saves it (if anything was written)."""

    def __init__(self, path: Path, header: Sequence[Cell]) -> None:
        self.path = path
        self.header = [_safe(c) for c in header]
        self.rows = 0
        self._book: Any = None
        self._sheet: Any = None

    def add(self, cells: Sequence[Cell], reasons: Sequence[str]) -> None:
        if self._book is None:
            self._book = Workbook(write_only=True)
            self._sheet = self._book.create_sheet(_("Hatalı satırlar"))
            width = len(self.header)
            self._sheet.append([*self.header, ERROR_HEADER])
            self._width = width
        row = [_safe(c) for c in cells][: self._width]
        row += [None] * (self._width - len(row))
        self._sheet.append([*row, "; ".join(reasons)])
        self.rows += 1

    def close(self) -> None:
        if self._book is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._book.save(self.path)
            self._book = None
