"""Invoice print/export as plain text (SPEC C2): the account's copy count is the default.

A print is N copies of the same invoice, each headed "Nüsha i/N". They go either into one
file, separated by form feeds (a printer starts each on a new page), or into N files.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tui_mutabakat.data.models import Account
from tui_mutabakat.data.ops_models import Invoice, SalesOrder
from tui_mutabakat.domain.errors import InvalidInput, NotFound
from tui_mutabakat.domain.formatting import format_amount, format_day, format_money
from tui_mutabakat.domain.rules import invoice_copies_default
from tui_mutabakat.domain.text import address_line
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.accounts.orders import (
    format_quantity,
)
from tui_mutabakat.services.accounts.parameters import load_parameters
from tui_mutabakat.services.context import Actor, record
from tui_mutabakat.services.settings.working_settings import get_company

WIDTH = 80
MAX_COPIES = 20


@dataclass(frozen=True, slots=True)
class InvoiceRow:
    id: int
    number: str
    date: dt.date
    due_date: dt.date | None
    total: Decimal


@dataclass(frozen=True, slots=True)
class PrintLine:
    item: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class InvoiceDocument:
    """Everything a printed invoice shows."""

    id: int
    number: str
    date: dt.date
    due_date: dt.date | None
    order_number: str
    seller: tuple[str, ...]
    buyer: tuple[str, ...]
    lines: tuple[PrintLine, ...]
    total: Decimal
    copies_default: int


def invoices_of_order(session: Session, order_id: int) -> list[InvoiceRow]:
    """The order's invoices, oldest first; its dispatch notes are not invoices (they are not
    printed as one: the print is a "SATIŞ FATURASI")."""
    query = (
        select(Invoice)
        .where(Invoice.order_id == order_id, Invoice.kind == "invoice")
        .order_by(Invoice.id)
    )
    return [InvoiceRow(i.id, i.number, i.date, i.due_date, i.total) for i in session.scalars(query)]


def dispatch_note_number(session: Session, invoice_id: int) -> str | None:
    """The number of a dispatch note ("irsaliye"); `None` when the document is an invoice
    (or gone): what a shipment made decides whether there is anything to print."""
    row = session.execute(
        select(Invoice.kind, Invoice.number).where(Invoice.id == invoice_id)
    ).one_or_none()
    return row.number if row is not None and row.kind == "dispatch" else None


def copies_default(session: Session, account_id: int) -> int:
    """The account's invoice print count (C2), at least 1."""
    return invoice_copies_default(load_parameters(session, account_id).invoice_copies)


def _party(title: str, address: str, city: str, office: str, number: str) -> tuple[str, ...]:
    lines = [title, address_line(address, city)]
    if office or number:
        lines.append(
            _("Vergi Dairesi: {office}  No: {number}").format(office=office, number=number)
        )
    return tuple(line for line in lines if line)


def load_document(session: Session, invoice_id: int) -> InvoiceDocument:
    invoice = session.get(Invoice, invoice_id, options=[selectinload(Invoice.lines)])
    if invoice is None:
        raise NotFound(_("Fatura bulunamadı."))
    account = session.get(Account, invoice.account_id)
    if account is None:
        raise NotFound(_("Hesap bulunamadı (silinmiş olabilir)."))
    order = session.get(SalesOrder, invoice.order_id) if invoice.order_id else None
    company = get_company(session)
    seller = _party(
        company.title, company.address, company.city, company.tax_office, company.tax_number
    )
    buyer = _party(
        f"{account.title} ({account.code})",
        account.address,
        account.city,
        account.tax_office,
        account.tax_number,
    )
    lines = tuple(
        PrintLine(ln.item, ln.quantity, ln.unit, ln.unit_price, ln.amount) for ln in invoice.lines
    )
    return InvoiceDocument(
        invoice.id,
        invoice.number,
        invoice.date,
        invoice.due_date,
        order.number if order else "",
        seller,
        buyer,
        lines,
        invoice.total,
        copies_default(session, account.id),
    )


def render(doc: InvoiceDocument, copy: int = 1, copies: int = 1) -> str:
    """One copy of the invoice as plain text, 80 columns wide."""
    rule, thin = "=" * WIDTH, "-" * WIDTH
    out = [*doc.seller, rule]
    head = _("SATIŞ FATURASI")
    mark = _("Nüsha {copy}/{copies}").format(copy=copy, copies=copies)
    out.append(head + mark.rjust(WIDTH - len(head)))
    dates = _("Fatura No: {number}   Tarih: {date}").format(
        number=doc.number, date=format_day(doc.date)
    )
    if doc.due_date is not None:
        dates += "   " + _("Vade: {due}").format(due=format_day(doc.due_date))
    out.append(dates)
    if doc.order_number:
        out.append(_("Sipariş No: {number}").format(number=doc.order_number))
    out += [thin, _("Sayın"), *doc.buyer, thin]
    out.append(
        f"{_('Malzeme'):<30} {_('Miktar'):>10} {_('Birim'):<6} "
        f"{_('Birim Fiyat'):>14} {_('Tutar'):>15}"
    )
    for line in doc.lines:
        out.append(
            f"{line.item[:30]:<30} {format_quantity(line.quantity):>10} {line.unit[:6]:<6} "
            f"{format_amount(line.unit_price):>14} {format_amount(line.amount):>15}"
        )
    total = f"{_('TOPLAM')}: {format_money(doc.total)}"
    out += [thin, total.rjust(WIDTH), ""]
    return "\n".join(out)


def render_copies(doc: InvoiceDocument, copies: int) -> list[str]:
    return [render(doc, i, copies) for i in range(1, copies + 1)]


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name) or "fatura"


def export_invoice(
    session: Session,
    actor: Actor,
    invoice_id: int,
    directory: Path,
    copies: int,
    *,
    one_file: bool = True,
) -> list[Path]:
    """Write `copies` copies of an invoice under `directory`; returns the files written."""
    if not 1 <= copies <= MAX_COPIES:
        raise InvalidInput(
            _("Nüsha sayısı 1 ile {most} arasında olmalı.").format(most=MAX_COPIES), "copies"
        )
    doc = load_document(session, invoice_id)
    texts = render_copies(doc, copies)
    directory.mkdir(parents=True, exist_ok=True)
    stem = _safe(doc.number)
    if one_file:
        path = directory / f"{stem}.txt"
        path.write_text("\f".join(texts), encoding="utf-8")
        paths = [path]
    else:
        paths = []
        for number, text in enumerate(texts, start=1):
            path = directory / f"{stem}-{number}.txt"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
    record(session, actor, "export", "invoice", doc.id, f"copies={copies} files={len(paths)}")
    return paths
