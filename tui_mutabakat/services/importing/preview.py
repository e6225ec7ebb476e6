"""What the import screen shows before anything is written: the sheets, the mapping, the
first rows as the import will read them."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from tui_mutabakat.services.importing.fields import ColumnMapping, Field, fields_of
from tui_mutabakat.services.importing.readers import SPREADSHEETS, sheet_names
from tui_mutabakat.services.importing.run import ImportOptions, open_file
from tui_mutabakat.services.importing.values import is_empty, text


@dataclass(frozen=True, slots=True)
class Preview:
    sheets: list[str]
    sheet: str
    mapping: ColumnMapping
    #: The fields of the kind, in order, with the file's header each is read from ("" none).
    columns: list[tuple[Field, str]]
    #: The first data rows, one text per field of `columns`.
    rows: list[list[str]]
    #: About how many data rows the file has.
    total: int


def preview(options: ImportOptions, count: int = 8) -> Preview:
    """Read the header and the first `count` data rows; raises `InvalidInput` like the import."""
    sheets = sheet_names(options.path) if options.path.suffix.lower() in SPREADSHEETS else []
    mapping, rows, sheet, total = open_file(options)
    columns = [
        (field, mapping.column_header(field.name) if field.name in mapping.columns else "")
        for field in fields_of(options.kind)
    ]
    sample: list[list[str]] = []
    for row in itertools.islice((r for r in rows if not all(is_empty(c) for c in r.cells)), count):
        cells = row.cells
        line = []
        for field, _header in columns:
            index = mapping.columns.get(field.name)
            line.append(text(cells[index]) if index is not None and index < len(cells) else "")
        sample.append(line)
    close = getattr(rows, "close", None)
    if close is not None:
        close()
    return Preview(sheets, sheet, mapping, columns, sample, total)
