"""One row of a file checked and turned into a record of its kind, or into reasons.

Nothing here touches the database: whether an account code exists is the store's
question. The account and movement rules are the services' own (`accounts.validate`,
`movements.validate`), so an imported card obeys what a typed one does. Reasons name the
column by the header the file gave it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from tui_mutabakat.domain.email_check import check_email
from tui_mutabakat.domain.enums import CURRENCIES, DocumentType, Routing
from tui_mutabakat.domain.errors import InvalidInput
from tui_mutabakat.i18n import current_language
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.accounts import cards as accounts
from tui_mutabakat.services.accounts import movements
from tui_mutabakat.services.accounts.cards import AccountData
from tui_mutabakat.services.importing import values
from tui_mutabakat.services.importing.fields import ColumnMapping, Kind, fold_header
from tui_mutabakat.services.importing.values import Cell

ZERO = Decimal("0")
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong in one cell (or the row, `field` empty): the field and the reason."""

    field: str
    reason: str


@dataclass(slots=True)
class ContactRecord:
    """One contact row; ERPs often put several addresses in one cell: one contact each."""

    code: str
    name: str
    emails: tuple[str, ...]
    title: str = ""
    department: str = ""
    phone: str = ""
    receives: bool = True


def addresses(cell_text: str) -> tuple[str, ...]:
    """The addresses of an e-mail cell, split at `;` and `,` (`("",)` when there is none)."""
    found = tuple(a.strip() for a in re.split(r"[;,]", cell_text) if a.strip())
    return found or ("",)


@dataclass(slots=True)
class MovementRecord:
    code: str
    date: dt.date
    doc_type: DocumentType
    debit: Decimal
    credit: Decimal
    #: None: the account's own currency (balances without a currency column).
    currency: str | None = "TRY"
    doc_no: str = ""
    description: str = ""
    fx_rate: Decimal | None = None
    due_date: dt.date | None = None


Record = AccountData | ContactRecord | MovementRecord


@dataclass(slots=True)
class Parsed:
    record: Record | None
    problems: list[Problem] = field(default_factory=list)
    #: Imported all the same, but worth a look (an e-mail that will not take letters).
    warnings: list[Problem] = field(default_factory=list)


class _Row:
    """Reads the mapped cells of one row and collects what is wrong with them."""

    def __init__(self, mapping: ColumnMapping, cells: Sequence[Cell]) -> None:
        self.mapping = mapping
        self.cells = cells
        self.problems: list[Problem] = []

    def has(self, name: str) -> bool:
        return name in self.mapping.columns

    def cell(self, name: str) -> Cell:
        index = self.mapping.columns.get(name)
        if index is None or index >= len(self.cells):
            return None
        return self.cells[index]

    def empty(self, name: str) -> bool:
        return values.is_empty(self.cell(name))

    def text(self, name: str, limit: int) -> str:
        value = values.text(self.cell(name))
        if len(value) > limit:
            self.fail(name, _("en fazla {limit} karakter olabilir").format(limit=limit))
        return value

    def required(self, name: str, limit: int) -> str:
        value = self.text(name, limit)
        if not value:
            self.fail(name, _("boş olamaz"))
        return value

    def parse(self, name: str, parser: Callable[[Cell], T], default: T) -> T:
        if self.empty(name):
            return default
        try:
            return parser(self.cell(name))
        except ValueError as exc:
            self.fail(name, str(exc))
            return default

    def fail(self, name: str, reason: str) -> None:
        self.problems.append(Problem(name, reason))


def _currency(cell: Cell) -> str:
    return values.currency(cell, CURRENCIES)


def _rate(cell: Cell) -> Decimal:
    return values.number(cell, places=6)


def parse_account(mapping: ColumnMapping, cells: Sequence[Cell]) -> Parsed:
    row = _Row(mapping, cells)
    data = AccountData(
        code=row.required("code", 32),
        title=row.required("title", 200),
        tax_number=row.text("tax_number", 11),
        tax_office=row.text("tax_office", 100),
        address=row.text("address", 2000),
        city=row.text("city", 50),
        phone=row.text("phone", 40),
        currency=row.parse("currency", _currency, "TRY"),
        group_code=row.text("group_code", 32),
        sector_code=row.text("sector_code", 32),
        region_code=row.text("region_code", 32),
        risk_limit=row.parse("risk_limit", values.number, None),
        notes=row.text("notes", 4000),
        active=row.parse("active", values.flag, True),
        department_email=row.text("department_email", 254),
        routing=Routing(row.parse("routing", values.routing, Routing.CONTACTS.value)),
    )
    if not row.problems:
        try:
            accounts.validate(data)
        except InvalidInput as exc:
            row.fail(exc.field or "", str(exc))
    warnings = []
    if data.department_email and not check_email(data.department_email).ok:
        reason = check_email(data.department_email).reason or ""
        warnings.append(Problem("department_email", reason))
    return Parsed(None if row.problems else data, row.problems, warnings)


def parse_contact(mapping: ColumnMapping, cells: Sequence[Cell]) -> Parsed:
    row = _Row(mapping, cells)
    emails = addresses(row.text("email", 2000))
    for address in emails:
        if len(address) > 254:
            row.fail("email", _("en fazla {limit} karakter olabilir").format(limit=254))
    record = ContactRecord(
        code=row.required("code", 32),
        name=row.required("name", 120),
        emails=emails,
        title=row.text("title", 80),
        department=row.text("department", 80),
        phone=row.text("phone", 40),
        receives=row.parse("receives", values.flag, True),
    )
    warnings = []
    for address in emails:
        check = check_email(address)
        if not check.ok:
            shown = f"{address}: " if len(emails) > 1 else ""
            warnings.append(Problem("email", shown + (check.reason or "")))
    return Parsed(None if row.problems else record, row.problems, warnings)


_DOC_TYPES: dict[str, DocumentType] = {
    "satisfaturasi": DocumentType.SALES_INVOICE,
    "satisfatura": DocumentType.SALES_INVOICE,
    "satis": DocumentType.SALES_INVOICE,
    "sf": DocumentType.SALES_INVOICE,
    "alisfaturasi": DocumentType.PURCHASE_INVOICE,
    "alisfatura": DocumentType.PURCHASE_INVOICE,
    "alis": DocumentType.PURCHASE_INVOICE,
    "af": DocumentType.PURCHASE_INVOICE,
    "satissiparisiodemeli": DocumentType.SALES_ORDER_PAID,
    "satissiparisi": DocumentType.SALES_ORDER_PAID,
    "kasa": DocumentType.CASH,
    "tahsilat": DocumentType.CASH,
    "odeme": DocumentType.CASH,
    "carihesapfisi": DocumentType.ACCOUNT_VOUCHER,
    "carifis": DocumentType.ACCOUNT_VOUCHER,
    "virman": DocumentType.ACCOUNT_VOUCHER,
    "mahsup": DocumentType.ACCOUNT_VOUCHER,
    "dekont": DocumentType.ACCOUNT_VOUCHER,
    "banka": DocumentType.BANK,
    "havale": DocumentType.BANK,
    "eft": DocumentType.BANK,
    "ihracat": DocumentType.EXPORT,
    "ihracatfaturasi": DocumentType.EXPORT,
    "acilis": DocumentType.OPENING,
    "acilisfisi": DocumentType.OPENING,
    "devir": DocumentType.OPENING,
}


@functools.cache
def _doc_type_words(language: str) -> dict[str, DocumentType]:
    """Folded words → type: the stored values, the labels in `language`, the ERPs' words."""
    words = dict(_DOC_TYPES)
    for kind in DocumentType:
        words[fold_header(kind.value)] = kind
        words[fold_header(movements.doc_type_label(kind))] = kind
    return words


def document_type(cell: Cell) -> DocumentType:
    """A document type from its label (Turkish or the interface's), value or ERP word."""
    if isinstance(cell, str):
        return _document_type_text(cell, current_language())
    return _document_type(cell)


@functools.lru_cache(maxsize=1024)
def _document_type_text(cell: str, language: str) -> DocumentType:
    """A file repeats a handful of type words: each folded and looked up once."""
    return _document_type(cell)


def _document_type(cell: Cell) -> DocumentType:
    found = _doc_type_words(current_language()).get(fold_header(cell))
    if found is None:
        names = ", ".join(movements.doc_type_label(k) for k in DocumentType)
        raise ValueError(
            _("bilinmeyen evrak tipi; şunlardan biri olmalı: {names}").format(names=names)
        )
    return found


def _amounts(row: _Row) -> tuple[Decimal, Decimal]:
    """Debit and credit from Borç/Alacak columns, or a signed amount, or an amount with B/A."""
    if row.has("debit") or row.has("credit"):
        debit = row.parse("debit", values.number, ZERO)
        credit = row.parse("credit", values.number, ZERO)
        # Some ERPs write a credit as a negative debit and the other way round.
        if debit < ZERO:
            debit, credit = ZERO, credit - debit
        if credit < ZERO:
            debit, credit = debit - credit, ZERO
        return debit, credit
    amount = row.parse("amount", values.number, ZERO)
    if row.has("side") and not row.empty("side"):
        sign = row.parse("side", values.side, 1)
        amount = abs(amount) * sign
    return (amount, ZERO) if amount >= ZERO else (ZERO, -amount)


def parse_movement(mapping: ColumnMapping, cells: Sequence[Cell]) -> Parsed:
    row = _Row(mapping, cells)
    code = row.required("code", 32)
    date = row.parse("date", values.day, None)
    if date is None and not row.problems:
        row.fail("date", _("boş olamaz"))
    doc_type = row.parse("doc_type", document_type, DocumentType.ACCOUNT_VOUCHER)
    if not (row.has("debit") or row.has("credit") or row.has("amount")):
        row.fail("", _("tutar sütunu yok (Borç/Alacak ya da Tutar)"))
    debit, credit = _amounts(row)
    currency = row.parse("currency", _currency, "TRY")
    fx_rate = row.parse("fx_rate", _rate, None)
    if currency != "TRY" and row.has("fx_amount") and not row.empty("fx_amount"):
        fx_amount = abs(row.parse("fx_amount", values.number, ZERO))
        tl = debit + credit
        if fx_rate is None and fx_amount > ZERO and tl > ZERO:
            fx_rate = (tl / fx_amount).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
        debit, credit = (fx_amount, ZERO) if debit > ZERO else (ZERO, fx_amount)
    record = MovementRecord(
        code=code,
        date=date or dt.date.min,
        doc_type=doc_type,
        debit=debit,
        credit=credit,
        currency=currency,
        doc_no=row.text("doc_no", 40),
        description=row.text("description", 200),
        fx_rate=fx_rate if currency != "TRY" else None,
        due_date=row.parse("due_date", values.day, None),
    )
    if not row.problems:
        try:
            movements.validate(
                movements.MovementData(
                    account_id=0,
                    doc_type=record.doc_type,
                    date=record.date,
                    doc_no=record.doc_no,
                    description=record.description,
                    debit=record.debit,
                    credit=record.credit,
                    currency=currency,
                    fx_rate=record.fx_rate,
                    due_date=record.due_date,
                )
            )
        except InvalidInput as exc:
            field_name = exc.field if exc.field in mapping.columns else ""
            if (record.debit, record.credit) == (ZERO, ZERO):
                row.fail(field_name, _("tutar sıfır ya da boş"))
            else:
                row.fail(field_name, str(exc))
    return Parsed(None if row.problems else record, row.problems)


def parse_balance(mapping: ColumnMapping, cells: Sequence[Cell], as_of: dt.date | None) -> Parsed:
    """An opening balance; a zero balance gives no record and no problem."""
    row = _Row(mapping, cells)
    code = row.required("code", 32)
    date = row.parse("date", values.day, None) or as_of
    if date is None:
        row.fail(
            "date",
            _(
                "bakiye tarihi yok: satırın Tarih sütunu boş; "
                "ekranda Bakiye tarihi ya da komutta --as-of verin"
            ),
        )
    if row.has("balance"):
        amount = row.parse("balance", values.number, ZERO)
        if row.has("side") and not row.empty("side"):
            amount = abs(amount) * row.parse("side", values.side, 1)
        debit, credit = (amount, ZERO) if amount >= ZERO else (ZERO, -amount)
    elif row.has("debit") or row.has("credit"):
        net = row.parse("debit", values.number, ZERO) - row.parse("credit", values.number, ZERO)
        debit, credit = (net, ZERO) if net >= ZERO else (ZERO, -net)
    else:
        row.fail("", _("bakiye sütunu yok (Bakiye ya da Borç/Alacak)"))
        debit = credit = ZERO
    currency = row.parse("currency", _currency, None) if row.has("currency") else None
    if row.problems:
        return Parsed(None, row.problems)
    if debit == credit == ZERO:
        return Parsed(None)
    record = MovementRecord(
        code=code,
        date=date or dt.date.min,
        doc_type=DocumentType.OPENING,
        debit=debit,
        credit=credit,
        currency=currency,
        description=_("Açılış bakiyesi"),
    )
    return Parsed(record)


def parse(
    kind: Kind, mapping: ColumnMapping, cells: Sequence[Cell], as_of: dt.date | None
) -> Parsed:
    if kind is Kind.ACCOUNTS:
        return parse_account(mapping, cells)
    if kind is Kind.CONTACTS:
        return parse_contact(mapping, cells)
    if kind is Kind.MOVEMENTS:
        return parse_movement(mapping, cells)
    return parse_balance(mapping, cells, as_of)
