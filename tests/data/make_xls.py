"""Writes tests/data/cari_mikro.xls: a genuine Excel 97-2003 (BIFF8) workbook, as older Mikro and
Logo versions export, for the import's `.xls` test.

No package of the project writes BIFF8, so the file is committed; it was made with `xlwt`
1.3.0 (PyPI), installed apart from the project's environment:

    pip install --target /tmp/xlwt xlwt==1.3.0
    PYTHONPATH=/tmp/xlwt python tests/data/make_xls.py

The sheet has a report title and a blank row above the header, a code stored as a number,
a tax number stored as a number, a balance as a numeric cell with a B/A column, a date cell
with a date format, and Turkish letters in every text column.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlwt

HEADER = ["Cari Hesap Kodu", "Cari Hesap Adı", "Vergi No", "İl", "Bakiye", "B/A", "Tarih"]
ROWS = [
    ["120.01.001", "Çağlar Gıda Sanayi ve Ticaret A.Ş.", 1000079190, "İstanbul", 1234.56, "B"],
    ["120.01.002", "Şölen Öztürk İnşaat Ltd. Şti.", "1000158383", "İzmir", 99.9, "A"],
    [12001003, "Ilgın Ağaç Ürünleri", "", "Muğla", 0, "B"],
]


def main() -> None:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Cari Bakiye")
    day = xlwt.easyxf(num_format_str="DD.MM.YYYY")
    sheet.write(0, 0, "CARİ HESAP BAKİYE LİSTESİ")
    for column, header in enumerate(HEADER):
        sheet.write(2, column, header)
    for number, row in enumerate(ROWS, 3):
        for column, value in enumerate(row):
            sheet.write(number, column, value)
        sheet.write(number, len(row), dt.date(2026, 12, 31), day)
    book.add_sheet("Notlar").write(0, 0, "Boş sayfa değil")
    book.save(str(Path(__file__).with_name("cari_mikro.xls")))


if __name__ == "__main__":
    main()
