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
