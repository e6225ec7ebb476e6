"""Out the same way: exports of accounts, contacts and movements, and empty templates.

An export writes the headers the import finds first (each field's `header`), so a file
exported here imports back unchanged. `.xlsx` is written with openpyxl's write-only
workbook, `.csv` as UTF-8 with a byte-order mark and `;` (what Turkish Excel opens
directly) with Turkish numbers (`1234,56`) and dates (`31.12.2026`). Rows are read from
the database in pages, never all at once.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from tui_mutabakat.data.models import Account, Contact, Movement
from tui_mutabakat.domain.errors import InvalidInput
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.accounts.movements import doc_type_label
from tui_mutabakat.services.importing.fields import Field, Kind, fields_of
from tui_mutabakat.services.importing.values import routing_word

#: The fields an export writes, in order (a subset of what the import takes).
EXPORT_FIELDS: dict[Kind, tuple[str, ...]] = {
    Kind.ACCOUNTS: (
        "code",
        "title",
        "tax_number",
        "tax_office",
        "address",
        "city",
        "phone",
        "currency",
        "group_code",
        "sector_code",
        "region_code",
        "risk_limit",
        "notes",
        "department_email",
        "routing",
        "active",
    ),
    Kind.CONTACTS: ("code", "name", "email", "title", "department", "phone", "receives"),
    Kind.MOVEMENTS: (
        "code",
        "date",
        "doc_type",
        "doc_no",
        "description",
        "debit",
        "credit",
        "currency",
        "fx_rate",
        "due_date",
    ),
}
PAGE = 5_000


def _fields(kind: Kind, names: Sequence[str]) -> list[Field]:
    by_name = {f.name: f for f in fields_of(kind)}
    return [by_name[n] for n in names]


def headers(kind: Kind) -> list[str]:
    """The header row an export of `kind` writes."""
    if kind not in EXPORT_FIELDS:
        return [f.header for f in fields_of(kind)]
    return [f.header for f in _fields(kind, EXPORT_FIELDS[kind])]


def write_template(kind: Kind, path: Path) -> None:
    """An empty file with every header the import takes for `kind` (required ones first)."""
    ordered = sorted(fields_of(kind), key=lambda f: not f.required)
    _write(path, [f.header for f in ordered], iter(()))


def export(session: Session, kind: Kind, path: Path) -> int:
    """Write all rows of `kind` to `path` (.xlsx or .csv); returns how many."""
    if kind not in EXPORT_FIELDS:
        raise InvalidInput(_("Bu tür dışa aktarılmaz: {kind}").format(kind=kind.value))
    rows = {
        Kind.ACCOUNTS: _account_rows,
        Kind.CONTACTS: _contact_rows,
        Kind.MOVEMENTS: _movement_rows,
    }[kind](session)
    return _write(path, headers(kind), rows)


def _yes(value: bool) -> str:
    return _("Evet") if value else _("Hayır")


def _account_rows(session: Session) -> Iterator[list[Any]]:
    query = select(Account).order_by(Account.code).execution_options(yield_per=PAGE)
    for account in session.scalars(query):
        yield [
            *(getattr(account, n) for n in EXPORT_FIELDS[Kind.ACCOUNTS][:-2]),
            routing_word(account.routing.value),
            _yes(account.active),
        ]
        session.expunge(account)


def _contact_rows(session: Session) -> Iterator[list[Any]]:
    query = (
        select(Account.code, Contact)
        .join(Contact.account)
        .order_by(Account.code, Contact.id)
        .execution_options(yield_per=PAGE)
    )
    for code, contact in session.execute(query):
        yield [
            code,
            contact.name,
            contact.email,
            contact.title,
            contact.department,
            contact.phone,
            _yes(contact.receives_reconciliation),
        ]
        session.expunge(contact)


def _movement_rows(session: Session) -> Iterator[list[Any]]:
    query = (
        select(
            Account.code,
            Movement.date,
            Movement.doc_type,
            Movement.doc_no,
            Movement.description,
            Movement.debit,
            Movement.credit,
            Movement.currency,
            Movement.fx_rate,
            Movement.due_date,
        )
        .join(Account, Account.id == Movement.account_id)
        .order_by(Account.code, Movement.date, Movement.id)
        .execution_options(yield_per=PAGE)
    )
    for row in session.execute(query):
        values = list(row)
        values[2] = doc_type_label(row.doc_type)
        yield values


def _write(path: Path, header: list[str], rows: Iterator[list[Any]]) -> int:
    suffix = path.suffix.lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(header)
            for row in rows:
                writer.writerow([_csv_cell(v) for v in row])
                count += 1
        return count
    if suffix != ".xlsx":
        raise InvalidInput(_("Dosya adı .xlsx ya da .csv ile bitmeli: {path}").format(path=path))
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Veri"))
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_cell(v) for v in row])
        count += 1
    book.save(path)
    return count


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, Decimal):
        # openpyxl writes a Decimal's own digits as the cell's number: no float on the way.
        return value if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, str) and value.startswith("="):
        return "'" + value
    return value


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    return str(value)
