"""Files as ERPs export them, written with openpyxl or as Windows-1254 CSV, for the import tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook

from tui_mutabakat.domain.tax_number import vkn_check_digit


def vkn(seed: int) -> str:
    first_nine = f"{100_000_000 + seed * 7919:09d}"[-9:]
    return first_nine + str(vkn_check_digit(first_nine))


def write_xlsx(
    path: Path, rows: Sequence[Sequence[object]], *, sheet: str = "Sayfa1", title: str | None = None
) -> Path:
    """An xlsx file; with `title`, a report title and a blank row above the header, as
    Mikro and Logo reports have."""
    book = Workbook()
    ws = book.active
    ws.title = sheet
    if title:
        ws.append([title])
        ws.append([f"Rapor tarihi: {dt.date(2026, 12, 31):%d.%m.%Y}"])
        ws.append([])
    for row in rows:
        ws.append(list(row))
    book.save(path)
    return path


def write_csv_1254(path: Path, rows: Sequence[Sequence[str]]) -> Path:
    """`;`-separated Windows-1254, as Turkish Excel saves "CSV (noktalı virgülle ayrılmış)"."""
    text = "\r\n".join(";".join(cells) for cells in rows) + "\r\n"
    path.write_bytes(text.encode("cp1254"))
    return path


ACCOUNT_HEADER = ["Cari Hesap Kodu", "Cari Hesap Adı", "VKN", "Vergi Dairesi", "İl", "Döviz"]


def account_rows(count: int, *, start: int = 1) -> list[list[object]]:
    return [
        [f"120.01.{n:03d}", f"Müşteri {n} Şirketi Ltd. Şti.", vkn(n), "Kadıköy", "İstanbul", "TL"]
        for n in range(start, start + count)
    ]


def write_ods(path: Path, rows: Sequence[Sequence[object]], *, sheet: str = "Sayfa1") -> Path:
    """A minimal OpenDocument spreadsheet (LibreOffice's format), written by hand: a zip with
    the mimetype, a manifest and the content."""
    import zipfile
    from xml.sax.saxutils import escape

    def cell(value: object) -> str:
        if isinstance(value, int | float):
            return (
                f'<table:table-cell office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>"
            )
        return (
            '<table:table-cell office:value-type="string">'
            f"<text:p>{escape(str(value))}</text:p></table:table-cell>"
        )

    body = "".join(
        "<table:table-row>" + "".join(cell(c) for c in row) + "</table:table-row>" for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{escape(sheet)}">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path
