"""Reading the rows of a spreadsheet or a CSV file, one row at a time.

Spreadsheets (`.xlsx`, `.xlsm`, `.xls`, `.ods`) are read with `python-calamine`, which
parses in Rust and hands rows over one by one — but holds the whole sheet in memory first
(python-calamine#42), about ten times the file's size. An xlsx above
`STREAMING_XLSX_BYTES` is therefore read with openpyxl's read-only mode instead: several
times slower to read, flat in memory. CSV files are decoded as UTF-8 (with or
without a byte-order mark) when the whole file is valid UTF-8, else as Windows-1254 (what
Turkish Excel saves), else as ISO-8859-9; the delimiter (`;`, `,` or tab) is the one the
first non-empty line uses most. Both kinds give rows as lists of cells numbered from 1 as
the user sees them in Excel.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from python_calamine import CalamineError, CalamineWorkbook

from tui_mutabakat.domain.errors import InvalidInput
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.importing.values import Cell

SPREADSHEETS = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
TEXT_FILES = (".csv", ".txt", ".tsv")
_CHUNK = 1 << 20
#: Above this size an xlsx is read by openpyxl's streaming reader: python-calamine holds the
#: whole sheet in memory (about ten times the file's size), openpyxl one row at a time.
STREAMING_XLSX_BYTES = 32 << 20


@dataclass(frozen=True, slots=True)
class NumberedRow:
    number: int
    cells: Sequence[Cell]


@dataclass(frozen=True, slots=True)
class Table:
    """The rows of a sheet or a CSV file, and how many there are (for a progress bar; a
    CSV count is its lines, which a quoted cell with line breaks makes a little high)."""

    rows: Iterator[NumberedRow]
    total: int


def file_digest(path: Path) -> str:
    """The SHA-256 of the file, read in chunks."""
    digest = hashlib.sha256()
    if not path.is_file():
        raise InvalidInput(_("Dosya bulunamadı: {path}").format(path=path))
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    return digest.hexdigest()


def _unreadable(path: Path, reason: object) -> InvalidInput:
    return InvalidInput(
        _("{name} okunamadı: {reason}").format(name=path.name, reason=str(reason)[:200])
    )


def sheet_names(path: Path) -> list[str]:
    """The sheets of a spreadsheet (a CSV file has one, named after the file)."""
    if path.suffix.lower() not in SPREADSHEETS:
        return [path.stem]
    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise _unreadable(path, exc) from exc
    except Exception as exc:  # calamine raises its own errors for broken archives
        raise _unreadable(path, exc) from exc
    try:
        return list(workbook.sheet_names)
    finally:
        workbook.close()


def read_rows(path: Path, sheet: str | None = None) -> Table:
    """The rows of `sheet` (default: the first) or of the CSV file, with their numbers."""
    if not path.is_file():
        raise InvalidInput(_("Dosya bulunamadı: {path}").format(path=path))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm") and path.stat().st_size > STREAMING_XLSX_BYTES:
        return _streamed_xlsx_rows(path, sheet)
    if suffix in SPREADSHEETS:
        return _spreadsheet_rows(path, sheet)
    if suffix in TEXT_FILES or not suffix:
        return _csv_rows(path)
    raise InvalidInput(
        _("Desteklenmeyen dosya türü: {suffix} (xlsx, xls, ods ya da csv olmalı)").format(
            suffix=suffix
        )
    )


def _spreadsheet_rows(path: Path, sheet: str | None) -> Table:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = list(workbook.sheet_names)
        if sheet is not None and sheet not in names:
            raise InvalidInput(
                _("{name} dosyasında {sheet} sayfası yok. Sayfalar: {sheets}").format(
                    name=path.name, sheet=sheet, sheets=", ".join(names)
                )
            )
        if not names:
            raise _unreadable(path, _("sayfa yok"))
        data = workbook.get_sheet_by_name(sheet or names[0])
        end = data.end
    except InvalidInput:
        raise
    except Exception as exc:  # broken zip, broken XML, password, not a spreadsheet at all
        raise _unreadable(path, exc) from exc
    total = end[0] + 1 if end else 0
    return Table(_numbered(path, workbook, data.iter_rows()), total)


def _streamed_xlsx_rows(path: Path, sheet: str | None) -> Table:
    """A large xlsx read by openpyxl's read-only mode: slower than calamine, but memory
    stays flat however many rows the sheet has."""
    try:
        book = load_workbook(path, read_only=True, data_only=True)
        names = list(book.sheetnames)
        if sheet is not None and sheet not in names:
            book.close()
            raise InvalidInput(
                _("{name} dosyasında {sheet} sayfası yok. Sayfalar: {sheets}").format(
                    name=path.name, sheet=sheet, sheets=", ".join(names)
                )
            )
        worksheet = book[sheet or names[0]]
        total = worksheet.max_row or 0
    except InvalidInput:
        raise
    except Exception as exc:  # broken zip, broken XML: openpyxl raises many kinds
        raise _unreadable(path, exc) from exc
    return Table(_numbered(path, book, worksheet.iter_rows(min_row=1, values_only=True)), total)


def _numbered(path: Path, workbook: Any, rows: Iterator[Sequence[Cell]]) -> Iterator[NumberedRow]:
    try:
        number = 0
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                return
            except Exception as exc:
                raise _unreadable(path, exc) from exc
            number += 1
            yield NumberedRow(number, cells)
    finally:
        workbook.close()


def detect_encoding(path: Path) -> tuple[str, int]:
    """`utf-8-sig` when the whole file decodes as UTF-8, else `cp1254`, else `iso-8859-9`;
    and the number of lines."""
    lines = 0
    with path.open("rb") as handle:
        head = handle.read(4)
        handle.seek(0)
        if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
            return "utf-16", path.stat().st_size // 40
        for encoding in ("utf-8-sig", "cp1254"):
            decoder = codecs.getincrementaldecoder(encoding)()
            handle.seek(0)
            lines = 0
            try:
                while chunk := handle.read(_CHUNK):
                    lines += chunk.count(b"\n")
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return encoding, lines
    return "iso-8859-9", lines


def detect_delimiter(line: str) -> str:
    """The delimiter the header line uses most, outside quotes: `;`, tab or `,`."""
    counts = {";": 0, "\t": 0, ",": 0}
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _csv_rows(path: Path) -> Table:
    encoding, lines = detect_encoding(path)
    handle = path.open("r", encoding=encoding, newline="", errors="replace")
    try:
        first = ""
        for line in handle:
            if line.strip():
                first = line
                break
        handle.seek(0)
        delimiter = detect_delimiter(first)
    except (OSError, UnicodeError) as exc:
        handle.close()
        raise _unreadable(path, exc) from exc
    return Table(_csv_iter(path, handle, delimiter), lines)


def _csv_iter(path: Path, handle: io.TextIOWrapper, delimiter: str) -> Iterator[NumberedRow]:
    csv.field_size_limit(1 << 20)
    with handle:
        # A NUL in a text file is damage, never data: dropped line by line.
        lines = (line.replace("\x00", "") for line in handle)
        reader = csv.reader(lines, delimiter=delimiter)
        try:
            for number, cells in enumerate(reader, 1):
                yield NumberedRow(number, cells)
        except (csv.Error, OSError, UnicodeError) as exc:
            raise _unreadable(path, exc) from exc
