"""Import: cell values as ERPs write them, and columns found by their headers (no database)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tui_mutabakat.services.importing import values
from tui_mutabakat.services.importing.fields import Kind, find_mapping, match_headers
from tui_mutabakat.services.importing.readers import detect_delimiter


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("1234,56", "1234.56"),
        ("1234.56", "1234.56"),
        ("1.234.567,89 TL", "1234567.89"),
        ("12.000,00 TL", "12000.00"),
        ("₺ 5,5", "5.50"),
        ("1.234", "1234.00"),
        ("1,234", "1234.00"),
        ("-1.234,56", "-1234.56"),
        ("1.234,56-", "-1234.56"),
        ("(1.234,56)", "-1234.56"),
        ("1 234,56", "1234.56"),
        (1234.5, "1234.50"),
        (45000.0, "45000.00"),
        (12, "12.00"),
        (0.1 + 0.2 - 0.3 + 1234567.89, "1234567.89"),
    ],
)
def test_numbers_in_turkish_and_english_forms(cell: object, expected: str) -> None:
    assert values.number(cell) == Decimal(expected)


@pytest.mark.parametrize("cell", ["abc", "1,2,3,4.5.6", "12.3456", "", "1.2.3,4,5", True, "nan"])
def test_what_is_not_an_amount_is_refused_with_a_reason(cell: object) -> None:
    with pytest.raises(ValueError) as caught:
        values.number(cell)
    assert str(caught.value)


def test_a_rate_keeps_six_places_and_reads_a_single_separator_as_decimal() -> None:
    assert values.number("38,1234", places=6) == Decimal("38.123400")
    assert values.number("38,123", places=6) == Decimal("38.123")


@pytest.mark.parametrize(
    "cell",
    [
        "31.12.2026",
        "31/12/2026",
        "2026-12-31",
        "31-12-2026",
        "31.12.26",
        "31.12.2026 00:00:00",
        46387,
        46387.0,
        dt.date(2026, 12, 31),
        dt.datetime(2026, 12, 31, 10, 5),  # noqa: DTZ001  (a naive cell, as calamine gives)
    ],
)
def test_dates_in_every_usual_form(cell: object) -> None:
    assert values.day(cell) == dt.date(2026, 12, 31)


@pytest.mark.parametrize("cell", ["32.12.2026", "2026-13-01", "yarın", 5, "31.12"])
def test_what_is_not_a_date_is_refused(cell: object) -> None:
    with pytest.raises(ValueError):
        values.day(cell)


def test_side_marks_and_flags() -> None:
    assert [values.side(c) for c in ("B", "(A)", "Borç", "alacak", "D", "C")] == [
        1,
        -1,
        1,
        -1,
        1,
        -1,
    ]
    assert [values.flag(c) for c in ("Evet", "H", "1", 0, "X", "")] == [
        True,
        False,
        True,
        False,
        True,
        False,
    ]


def test_codes_stored_as_numbers_read_back_without_a_fraction() -> None:
    assert values.text(1200101.0) == "1200101"
    assert values.text("  Çınar\u00a0 İnşaat ") == "Çınar İnşaat"


def test_erp_headers_map_whatever_the_case_and_letters() -> None:
    row = ["CARİ HESAP KODU", "cari adı", "V.K.N.", "E-Mail", "Vergi Dairesi:"]
    found = match_headers(Kind.ACCOUNTS, row)
    assert found == {"code": 0, "title": 1, "tax_number": 2, "tax_office": 4}
    movement = match_headers(
        Kind.MOVEMENTS,
        [
            "Hesap Kodu",
            "Tarih",
            "Fiş No",
            "Açıklama",
            "Borç",
            "Alacak",
            "Döviz",
            "Döviz Tutarı",
            "Kur",
            "Vade Tarihi",
        ],
    )
    assert movement == {
        "code": 0,
        "date": 1,
        "doc_no": 2,
        "description": 3,
        "debit": 4,
        "credit": 5,
        "currency": 6,
        "fx_amount": 7,
        "fx_rate": 8,
        "due_date": 9,
    }


def test_the_header_row_is_found_below_a_report_title() -> None:
    rows = [["Cari Hesap Listesi"], ["Tarih: 31.12.2026"], [], ["Cari Kodu", "Ünvanı"], ["1", "A"]]
    mapping = find_mapping(Kind.ACCOUNTS, rows)
    assert mapping is not None and mapping.header_row == 3


def test_a_chosen_header_wins_over_the_usual_words() -> None:
    mapping = find_mapping(
        Kind.ACCOUNTS, [["Kod", "Müşteri No", "Firma"]], {"code": "Müşteri No", "title": "Firma"}
    )
    assert mapping is not None and mapping.columns == {"code": 1, "title": 2}


def test_delimiter_is_the_one_the_header_uses_most() -> None:
    assert detect_delimiter("Cari Kodu;Ünvanı;Bakiye\n") == ";"
    assert detect_delimiter('code,title,"a;b"\n') == ","
    assert detect_delimiter("a\tb\tc\n") == "\t"
