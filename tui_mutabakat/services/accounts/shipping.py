"""Shipping an approved sales order into an invoice (SPEC C1), under due-date tracking (C4).

Partial shipment "no" (the account's parameter): only the whole order, every open line with
all that remains, in the ordered unit. "yes": any lines in part; the order keeps the rest.
The invoice becomes a sales-invoice movement of the account, saved through the same
due-date tracking as a movement typed by hand: stop refuses the shipment, warn asks first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tui_mutabakat.data.ops_models import Invoice, InvoiceLine, line_amount
from tui_mutabakat.domain.enums import OPEN_APPROVED_STATUSES, DocumentType, OrderStatus
from tui_mutabakat.domain.errors import InvalidInput, NotFound, Refused
from tui_mutabakat.domain.rules import OrderLine, Refusal, ShipmentPlan, plan_shipment
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.accounts.document_numbers import (
    next_invoice_number,
)
from tui_mutabakat.services.accounts.movements import MovementData, save_movement
from tui_mutabakat.services.accounts.orders import (
    find_order,
)
from tui_mutabakat.services.accounts.parameters import default_due_date, load_parameters
from tui_mutabakat.services.context import Actor, record
from tui_mutabakat.services.limits import day_in_range

ZERO = Decimal("0")


@dataclass(frozen=True, slots=True)
class ShipmentView:
    order_id: int
    number: str
    account_id: int
    status: OrderStatus
    partial_allowed: bool
    lines: tuple[OrderLine, ...]
    prices: Mapping[int, Decimal]


def shipment_view(session: Session, order_id: int) -> ShipmentView:
    order = find_order(session, order_id)
    params = load_parameters(session, order.account_id)
    return ShipmentView(
        order.id,
        order.number,
        order.account_id,
        order.status,
        params.partial_shipment,
        tuple(OrderLine(ln.id, ln.item, ln.quantity, ln.unit, ln.shipped) for ln in order.lines),
        {ln.id: ln.unit_price for ln in order.lines},
    )


def plan_order_shipment(
    view: ShipmentView, requested: Mapping[int, Decimal] | None
) -> ShipmentPlan:
    if view.status not in OPEN_APPROVED_STATUSES:
        raise Refused(_("Yalnızca onaylı ve sevkiyatı bitmemiş sipariş sevk edilebilir."))
    plan = plan_shipment(view.partial_allowed, view.lines, requested)
    if isinstance(plan, Refusal):
        raise Refused(plan.reason)
    return plan


def ship_order(
    session: Session,
    actor: Actor,
    order_id: int,
    requested: Mapping[int, Decimal] | None = None,
    *,
    invoice_date: dt.date,
    due_date: dt.date | None = None,
    number: str = "",
    confirmed: bool = False,
    today: dt.date | None = None,
    dispatch: bool = False,
) -> int:
    """Ship `requested` quantities by line id (None: all that remains) into a new invoice,
    or with `dispatch` into a dispatch note ("irsaliye") under the same partial-shipment
    rule, to be invoiced later (`invoice_dispatch`).

    The invoice's sales-invoice movement goes through due-date tracking first: it raises
    `DueTrackingStop` / `DueTrackingWarning` before anything is written. A dispatch note
    debits nothing, so nothing is checked until it is invoiced.
    """
    day_in_range(invoice_date, "date")
    day_in_range(due_date, "due_date")
    order = find_order(session, order_id, lock=True)
    plan = plan_order_shipment(shipment_view(session, order_id), requested)
    number = number.strip() or next_invoice_number(session, "IR" if dispatch else "FT")
    if session.scalar(select(Invoice.id).where(Invoice.number == number)) is not None:
        taken = (
            _("{number} numaralı bir belge (fatura ya da irsaliye) zaten var.")
            if dispatch
            else _("{number} numaralı bir fatura zaten var.")
        )
        raise InvalidInput(taken.format(number=number))
    by_id = {ln.id: ln for ln in order.lines}
    total = sum((line_amount(p.quantity, by_id[p.line_id].unit_price) for p in plan.lines), ZERO)
    movement_id = None
    if not dispatch:
        movement_id = _invoice_movement(
            session,
            actor,
            MovementData(
                account_id=order.account_id,
                doc_type=DocumentType.SALES_INVOICE,
                date=invoice_date,
                doc_no=number,
                description=_("Sipariş {number}").format(number=order.number),
                debit=total,
                due_date=due_date,
            ),
            confirmed,
            today,
        )
    invoice = Invoice(
        account_id=order.account_id,
        order_id=order.id,
        number=number,
        date=invoice_date,
        due_date=due_date,
        total=total,
        movement_id=movement_id,
        kind="dispatch" if dispatch else "invoice",
        created_by=actor.login,
    )
    for planned in plan.lines:
        line = by_id[planned.line_id]
        line.shipped += planned.quantity
        invoice.lines.append(
            InvoiceLine(
                order_line_id=line.id,
                item=line.item,
                quantity=planned.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
            )
        )
    order.status = OrderStatus.SHIPPED if plan.completes_order else OrderStatus.PARTIALLY_SHIPPED
    session.add(invoice)
    session.flush()
    record(
        session,
        actor,
        "ship",
        "sales_order",
        order.id,
        f"{invoice.kind}={number} total={total} complete={int(plan.completes_order)}",
    )
    return invoice.id


def _invoice_movement(
    session: Session, actor: Actor, data: MovementData, confirmed: bool, today: dt.date | None
) -> int:
    return save_movement(session, actor, data, confirmed=confirmed, today=today)


def open_dispatches(session: Session, order_id: int) -> list[Invoice]:
    """The order's dispatch notes not yet invoiced, oldest first."""
    query = (
        select(Invoice)
        .where(
            Invoice.order_id == order_id,
            Invoice.kind == "dispatch",
            Invoice.billed_by_id.is_(None),
        )
        .order_by(Invoice.id)
    )
    return list(session.scalars(query))


@dataclass(frozen=True, slots=True)
class DispatchInvoiceDraft:
    """What the dialog invoicing a dispatch note starts with: the note, and as real values
    the invoice's next FT number, its date (today) and due date (date + payment term)."""

    dispatch_id: int
    dispatch_number: str
    dispatch_date: dt.date
    account_id: int
    total: Decimal
    number: str
    date: dt.date
    due_date: dt.date


def dispatch_invoice_draft(
    session: Session, dispatch_id: int, today: dt.date
) -> DispatchInvoiceDraft:
    note = session.get(Invoice, dispatch_id)
    if note is None or note.kind != "dispatch":
        raise NotFound(_("İrsaliye bulunamadı (silinmiş olabilir)."))
    if note.billed_by_id is not None:
        raise Refused(_("{number} numaralı irsaliye zaten faturalandı.").format(number=note.number))
    return DispatchInvoiceDraft(
        note.id,
        note.number,
        note.date,
        note.account_id,
        note.total,
        next_invoice_number(session, saving=False),
        today,
        default_due_date(session, note.account_id, today),
    )


def invoice_dispatch(
    session: Session,
    actor: Actor,
    dispatch_id: int,
    *,
    invoice_date: dt.date,
    due_date: dt.date | None = None,
    number: str = "",
    confirmed: bool = False,
    today: dt.date | None = None,
) -> int:
    """Invoice a dispatch note: a new invoice with its lines and amount (nothing is shipped
    again), whose sales-invoice movement goes through due-date tracking like any other."""
    day_in_range(invoice_date, "date")
    day_in_range(due_date, "due_date")
    note = session.get(Invoice, dispatch_id, with_for_update=True)
    if note is None or note.kind != "dispatch":
        raise NotFound(_("İrsaliye bulunamadı (silinmiş olabilir)."))
    if note.billed_by_id is not None:
        raise Refused(_("{number} numaralı irsaliye zaten faturalandı.").format(number=note.number))
    if invoice_date < note.date:
        raise InvalidInput(_("Fatura tarihi irsaliye tarihinden önce olamaz."), "date")
    number = number.strip() or next_invoice_number(session)
    if session.scalar(select(Invoice.id).where(Invoice.number == number)) is not None:
        raise InvalidInput(_("{number} numaralı bir fatura zaten var.").format(number=number))
    data = MovementData(
        account_id=note.account_id,
        doc_type=DocumentType.SALES_INVOICE,
        date=invoice_date,
        doc_no=number,
        description=_("İrsaliye {number}").format(number=note.number),
        debit=note.total,
        due_date=due_date,
    )
    movement_id = _invoice_movement(session, actor, data, confirmed, today)
    invoice = Invoice(
        account_id=note.account_id,
        order_id=note.order_id,
        number=number,
        date=invoice_date,
        due_date=due_date,
        total=note.total,
        movement_id=movement_id,
        kind="invoice",
        notes=_("İrsaliye {number}").format(number=note.number),
        created_by=actor.login,
        lines=[
            InvoiceLine(
                order_line_id=ln.order_line_id,
                item=ln.item,
                quantity=ln.quantity,
                unit=ln.unit,
                unit_price=ln.unit_price,
            )
            for ln in note.lines
        ],
    )
    session.add(invoice)
    session.flush()
    note.billed_by_id = invoice.id
    record(session, actor, "invoice_dispatch", "invoice", invoice.id, f"dispatch={note.number}")
    return invoice.id
