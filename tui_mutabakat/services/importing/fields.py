"""The four kinds of import, their fields, and finding the fields from a file's headers.

Each field lists the headers ERPs write for it (Mikro, Logo, Netsis and plain English).
A header is compared folded: Turkish letters, case, punctuation and spaces do not count,
so "CARİ HESAP KODU", "Cari Hesap Kodu" and "cari_hesap_kodu" are the same. The header row
need not be the first row: reports often start with a title and a date, so the first
`HEADER_SCAN` rows are tried and the one that names the most fields wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from tui_mutabakat.domain.text import fold
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.importing.values import Cell, text

HEADER_SCAN = 20


class Kind(StrEnum):
    ACCOUNTS = "accounts"
    CONTACTS = "contacts"
    MOVEMENTS = "movements"
    BALANCES = "balances"


def kind_label(kind: Kind) -> str:
    labels = {
        Kind.ACCOUNTS: _("Hesaplar"),
        Kind.CONTACTS: _("Yetkililer"),
        Kind.MOVEMENTS: _("Hareketler"),
        Kind.BALANCES: _("Açılış bakiyeleri"),
    }
    return labels[kind]


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    #: The header an export and a template write; the first of the words it is found by.
    header: str
    words: tuple[str, ...]
    required: bool = False


def _f(name: str, header: str, *more: str, required: bool = False) -> Field:
    return Field(name, header, (header, *more), required)


_CODE = _f(
    "code",
    "Cari Kodu",
    "Cari Hesap Kodu",
    "Hesap Kodu",
    "Cari Kod",
    "Müşteri Kodu",
    "Firma Kodu",
    "Kod",
    "Account Code",
    "Account",
    "Code",
    required=True,
)
_CURRENCY = _f("currency", "Döviz", "Döviz Cinsi", "Para Birimi", "Döviz Kodu", "Currency")
_DEBIT = _f("debit", "Borç", "Borç Tutarı", "Borç Bakiye", "Debit")
_CREDIT = _f("credit", "Alacak", "Alacak Tutarı", "Alacak Bakiye", "Credit")
_SIDE = _f("side", "B/A", "BA", "Borç/Alacak", "Bakiye Tipi", "Bakiye Durumu", "D/C", "Side")

FIELDS: dict[Kind, tuple[Field, ...]] = {
    Kind.ACCOUNTS: (
        _CODE,
        _f(
            "title",
            "Ünvanı",
            "Ünvan",
            "Unvan",
            "Cari Adı",
            "Cari Ünvanı",
            "Cari Hesap Adı",
            "Hesap Adı",
            "Firma Adı",
            "Adı",
            "Title",
            "Name",
            "Account Name",
            required=True,
        ),
        _f("tax_number", "Vergi No", "Vergi Numarası", "VKN", "TCKN", "VKN/TCKN", "Tax Number"),
        _f("tax_office", "Vergi Dairesi", "V.D.", "VD", "Tax Office"),
        _f("address", "Adres", "Address"),
        _f("city", "İl", "Şehir", "City"),
        _f("phone", "Telefon", "Tel", "Telefon No", "Phone"),
        _CURRENCY,
        _f("group_code", "Grup Kodu", "Grup", "Group"),
        _f("sector_code", "Sektör Kodu", "Sektör", "Sector"),
        _f("region_code", "Bölge Kodu", "Bölge", "Region"),
        _f("risk_limit", "Risk Limiti", "Risk", "Credit Limit"),
        _f("notes", "Notlar", "Not", "Açıklama", "Notes"),
        _f("department_email", "Departman E-Posta", "Muhasebe E-Posta", "Department E-Mail"),
        _f("routing", "Gönderim", "Mutabakat Gönderimi", "Routing"),
        _f("active", "Aktif", "Active"),
    ),
    Kind.CONTACTS: (
        _CODE,
        _f(
            "name",
            "Yetkili",
            "Yetkili Adı",
            "Adı Soyadı",
            "Ad Soyad",
            "İlgili Kişi",
            "Kişi",
            "Contact",
            "Contact Name",
            required=True,
        ),
        _f("email", "E-Posta", "E-Mail", "Email", "Mail", "E-Posta Adresi", "Eposta"),
        _f("title", "Görevi", "Görev", "Pozisyon", "Job Title"),
        _f("department", "Departman", "Bölüm", "Department"),
        _f("phone", "Telefon", "Tel", "Cep Telefonu", "GSM", "Phone"),
        _f("receives", "Mutabakat", "Mutabakat Alır", "Receives Reconciliation"),
    ),
    Kind.MOVEMENTS: (
        _CODE,
        _f("date", "Tarih", "Evrak Tarihi", "Belge Tarihi", "Fiş Tarihi", "Date", required=True),
        _f("doc_type", "Evrak Tipi", "Belge Türü", "Fiş Türü", "Evrak Türü", "İşlem Türü", "Type"),
        _f("doc_no", "Evrak No", "Belge No", "Fiş No", "Evrak Seri No", "Document No"),
        _f("description", "Açıklama", "Description"),
        _DEBIT,
        _CREDIT,
        _f("amount", "Tutar", "Amount"),
        _SIDE,
        _CURRENCY,
        _f("fx_amount", "Döviz Tutarı", "Dövizli Tutar", "FX Amount"),
        _f("fx_rate", "Kur", "Döviz Kuru", "Rate"),
        _f("due_date", "Vade Tarihi", "Vade", "Due Date"),
    ),
    Kind.BALANCES: (
        _CODE,
        _f("balance", "Bakiye", "Tutar", "Balance"),
        _SIDE,
        _DEBIT,
        _CREDIT,
        _CURRENCY,
        _f("date", "Tarih", "Bakiye Tarihi", "Date"),
    ),
}


def fields_of(kind: Kind) -> tuple[Field, ...]:
    return FIELDS[kind]


def fold_header(cell: Cell) -> str:
    """`"CARİ HESAP KODU:"` → `"carihesapkodu"`: letters and digits only, folded."""
    return re.sub(r"[^0-9a-z]", "", fold(text(cell)))


@dataclass(frozen=True, slots=True)
class ColumnMapping:
    """Which column (0-based) holds which field, found in `header_row` (0-based)."""

    header_row: int
    columns: dict[str, int]
    headers: tuple[str, ...]

    def column_header(self, name: str) -> str:
        index = self.columns.get(name)
        if index is None or index >= len(self.headers):
            return name
        return self.headers[index]


def match_headers(
    kind: Kind, row: Sequence[Cell], chosen: Mapping[str, str] | None = None
) -> dict[str, int]:
    """The fields found in one header row: `chosen` (field → header text) first, then the
    usual words. A column serves one field; the first match of a word wins."""
    folded = [fold_header(c) for c in row]
    found: dict[str, int] = {}
    taken: set[int] = set()
    for name, header in (chosen or {}).items():
        key = fold_header(header)
        for index, cell in enumerate(folded):
            if cell and cell == key and index not in taken:
                found[name] = index
                taken.add(index)
                break
    for field in FIELDS[kind]:
        if field.name in found or (chosen and field.name in chosen):
            continue
        for word in field.words:
            key = fold_header(word)
            hit = next((i for i, c in enumerate(folded) if c == key and i not in taken), None)
            if hit is not None:
                found[field.name] = hit
                taken.add(hit)
                break
    return found


def find_mapping(
    kind: Kind, rows: Sequence[Sequence[Cell]], chosen: Mapping[str, str] | None = None
) -> ColumnMapping | None:
    """The header row among `rows` that names the most fields, all required ones present."""
    best: ColumnMapping | None = None
    required = [f.name for f in FIELDS[kind] if f.required]
    for index, row in enumerate(rows[:HEADER_SCAN]):
        columns = match_headers(kind, row, chosen)
        if not all(name in columns for name in required):
            continue
        if best is None or len(columns) > len(best.columns):
            best = ColumnMapping(index, columns, tuple(text(c) for c in row))
    return best


def missing_required(kind: Kind, rows: Sequence[Sequence[Cell]]) -> list[str]:
    """The required headers nowhere to be found, for the message when no header row fits."""
    found: set[str] = set()
    for row in rows[:HEADER_SCAN]:
        found.update(match_headers(kind, row))
    return [f.header for f in FIELDS[kind] if f.required and f.name not in found]
