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

from tui_mutabakat.data.ops_models import (
    OPEN_APPROVED_STATUSES,
    Invoice,
    InvoiceLine,
    OrderStatus,
    line_amount,
)
from tui_mutabakat.domain.enums import DocumentType
from tui_mutabakat.domain.rules import OrderLine, Refusal, ShipmentPlan, plan_shipment
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.context import Actor, record
from tui_mutabakat.services.errors import InvalidInput, Refused
from tui_mutabakat.services.limits import day_in_range
from tui_mutabakat.services.movements import MovementData, save_movement
from tui_mutabakat.services.orders import find_order, next_invoice_number
from tui_mutabakat.services.parameters import load_parameters

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
) -> int:
    """Ship `requested` quantities by line id (None: all that remains) into a new invoice.

    The invoice's sales-invoice movement goes through due-date tracking first: it raises
    `DueTrackingStop` / `DueTrackingWarning` before anything is written.
    """
    day_in_range(invoice_date, "date")
    day_in_range(due_date, "due_date")
    order = find_order(session, order_id, lock=True)
    plan = plan_order_shipment(shipment_view(session, order_id), requested)
    number = number.strip() or next_invoice_number(session)
    if session.scalar(select(Invoice.id).where(Invoice.number == number)) is not None:
        raise InvalidInput(_("{number} numaralı bir fatura zaten var.").format(number=number))
    by_id = {ln.id: ln for ln in order.lines}
    total = sum((line_amount(p.quantity, by_id[p.line_id].unit_price) for p in plan.lines), ZERO)
    movement = MovementData(
        account_id=order.account_id,
        doc_type=DocumentType.SALES_INVOICE,
        date=invoice_date,
        doc_no=number,
        description=_("Sipariş {number}").format(number=order.number),
        debit=total,
        due_date=due_date,
    )
    movement_id = save_movement(session, actor, movement, confirmed=confirmed, today=today)
    invoice = Invoice(
        account_id=order.account_id,
        order_id=order.id,
        number=number,
        date=invoice_date,
        due_date=due_date,
        total=total,
        movement_id=movement_id,
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
        f"invoice={number} total={total} complete={int(plan.completes_order)}",
    )
    return invoice.id
