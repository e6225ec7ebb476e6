"""Sales orders (SPEC C1, C3): entry, controlled approval, shipment into an invoice.

Orders are in TL. Controlled approval ("Kontrollü Onaylama") evaluates the account's ticked
criteria with its risk limit, its open balance (unsettled debits − unsettled credits, TL),
the remaining value of its other approved orders and this order's remaining value; the order
is approved only when every ticked criterion passes. Shipping an approved order writes an
invoice and its sales-invoice movement, which goes through due-date tracking like any other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from babel.numbers import format_decimal
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.models import Account
from tui_mutabakat.data.ops_models import (
    OPEN_APPROVED_STATUSES,
    Invoice,
    InvoiceLine,
    OrderStatus,
    SalesOrder,
    SalesOrderLine,
    line_amount,
)
from tui_mutabakat.domain.enums import DocumentType
from tui_mutabakat.domain.formatting import LOCALE
from tui_mutabakat.domain.rules import (
    ApprovalCriteria,
    ApprovalResult,
    OrderLine,
    Refusal,
    ShipmentPlan,
    evaluate_order_approval,
    plan_shipment,
)
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.context import Actor, record
from tui_mutabakat.services.errors import InvalidInput, NotFound, Refused
from tui_mutabakat.services.movements import (
    MovementData,
    local_today,
    open_balance,
    open_debit_items,
    save_movement,
)
from tui_mutabakat.services.parameters import load_parameters

ZERO = Decimal("0")


def status_label(status: OrderStatus) -> str:
    labels = {
        OrderStatus.DRAFT: _("Taslak"),
        OrderStatus.APPROVED: _("Onaylı"),
        OrderStatus.PARTIALLY_SHIPPED: _("Kısmen sevk"),
        OrderStatus.SHIPPED: _("Sevk edildi"),
        OrderStatus.CANCELLED: _("İptal"),
    }
    return labels[status]


def format_quantity(value: Decimal) -> str:
    """`Decimal("1234.500")` → `"1.234,5"`: up to three decimals, none when whole."""
    return format_decimal(value, format="#,##0.###", locale=LOCALE)


@dataclass(slots=True)
class OrderLineData:
    item: str = ""
    quantity: Decimal = ZERO
    unit: str = "Adet"
    unit_price: Decimal = ZERO
    id: int | None = None
    #: Read only: what earlier shipments took.
    shipped: Decimal = ZERO

    @property
    def amount(self) -> Decimal:
        return line_amount(self.quantity, self.unit_price)

    @property
    def remaining(self) -> Decimal:
        return max(ZERO, self.quantity - self.shipped)


@dataclass(slots=True)
class OrderData:
    account_id: int | None
    date: dt.date
    number: str = ""
    description: str = ""
    lines: list[OrderLineData] = field(default_factory=list)
    id: int | None = None
    status: OrderStatus = OrderStatus.DRAFT

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)


@dataclass(frozen=True, slots=True)
class OrderRow:
    id: int
    number: str
    date: dt.date
    account_id: int
    account_code: str
    account_title: str
    status: OrderStatus
    total: Decimal
    remaining_value: Decimal


def remaining_value(order: SalesOrder) -> Decimal:
    """What is still to ship, valued at the order's prices."""
    return sum(
        (line_amount(max(ZERO, ln.quantity - ln.shipped), ln.unit_price) for ln in order.lines),
        ZERO,
    )


def _next_number(prefix: str, taken: Callable[[str], bool], start: int) -> str:
    count = start
    while True:
        count += 1
        candidate = f"{prefix}-{count:06d}"
        if not taken(candidate):
            return candidate


def next_order_number(session: Session) -> str:
    def taken(number: str) -> bool:
        return session.scalar(select(SalesOrder.id).where(SalesOrder.number == number)) is not None

    return _next_number("SS", taken, session.scalar(select(func.count(SalesOrder.id))) or 0)


def next_invoice_number(session: Session) -> str:
    def taken(number: str) -> bool:
        return session.scalar(select(Invoice.id).where(Invoice.number == number)) is not None

    return _next_number("FT", taken, session.scalar(select(func.count(Invoice.id))) or 0)


def list_orders(session: Session, account_id: int | None = None) -> list[OrderRow]:
    query = (
        select(SalesOrder, Account.code, Account.title)
        .join(Account, Account.id == SalesOrder.account_id)
        .options(selectinload(SalesOrder.lines))
        .order_by(SalesOrder.date.desc(), SalesOrder.id.desc())
    )
    if account_id is not None:
        query = query.where(SalesOrder.account_id == account_id)
    return [
        OrderRow(
            o.id,
            o.number,
            o.date,
            o.account_id,
            code,
            title,
            o.status,
            o.total,
            remaining_value(o),
        )
        for o, code, title in session.execute(query)
    ]


def _order(session: Session, order_id: int, *, lock: bool = False) -> SalesOrder:
    order = session.get(
        SalesOrder, order_id, options=[selectinload(SalesOrder.lines)], with_for_update=lock
    )
    if order is None:
        raise NotFound(_("Sipariş bulunamadı (silinmiş olabilir)."))
    return order


def load_order(session: Session, order_id: int) -> OrderData:
    order = _order(session, order_id)
    lines = [
        OrderLineData(ln.item, ln.quantity, ln.unit, ln.unit_price, ln.id, ln.shipped)
        for ln in order.lines
    ]
    return OrderData(
        order.account_id,
        order.date,
        order.number,
        order.description,
        lines,
        order.id,
        order.status,
    )


def validate(data: OrderData) -> None:
    if data.account_id is None:
        raise InvalidInput(_("Sipariş için bir cari hesap seçilmeli."), "account")
    if not data.lines:
        raise InvalidInput(_("Siparişte en az bir satır olmalı."), "lines")
    for line in data.lines:
        if not line.item.strip():
            raise InvalidInput(_("Satırın malzeme adı boş olamaz."), "lines")
        if line.quantity <= ZERO:
            raise InvalidInput(_("Miktar sıfırdan büyük olmalı."), "lines")
        if line.unit_price < ZERO:
            raise InvalidInput(_("Birim fiyat negatif olamaz."), "lines")
        if not line.unit.strip():
            raise InvalidInput(_("Birim boş olamaz."), "lines")


def save_order(session: Session, actor: Actor, data: OrderData) -> int:
    """Create an order, or change a draft one; approved orders are not edited."""
    validate(data)
    account_id = data.account_id
    if account_id is None or session.get(Account, account_id) is None:
        raise NotFound(_("Hesap bulunamadı (silinmiş olabilir)."))
    number = data.number.strip() or next_order_number(session)
    clash = session.scalar(select(SalesOrder.id).where(SalesOrder.number == number))
    if clash is not None and clash != data.id:
        raise InvalidInput(_("{number} numaralı bir sipariş zaten var.").format(number=number))
    if data.id is None:
        order = SalesOrder(created_by=actor.login, status=OrderStatus.DRAFT)
        session.add(order)
    else:
        order = _order(session, data.id, lock=True)
        if order.status is not OrderStatus.DRAFT:
            raise Refused(_("Yalnızca taslak sipariş değiştirilebilir."))
    order.account_id = account_id
    order.number = number
    order.date = data.date
    order.description = data.description.strip()
    order.lines = [
        SalesOrderLine(
            item=ln.item.strip(),
            quantity=ln.quantity,
            unit=ln.unit.strip(),
            unit_price=ln.unit_price,
            shipped=ZERO,
        )
        for ln in data.lines
    ]
    order.total = data.total
    session.flush()
    record(
        session,
        actor,
        "create" if data.id is None else "update",
        "sales_order",
        order.id,
        f"{order.number} total={order.total}",
    )
    return order.id


def cancel_order(session: Session, actor: Actor, order_id: int) -> None:
    order = _order(session, order_id, lock=True)
    if order.status not in (OrderStatus.DRAFT, OrderStatus.APPROVED):
        raise Refused(_("Sevkiyatı başlamış ya da kapanmış sipariş iptal edilemez."))
    order.status = OrderStatus.CANCELLED
    record(session, actor, "cancel", "sales_order", order.id, order.number)


def approved_unshipped(session: Session, account_id: int, exclude: int | None = None) -> Decimal:
    query = (
        select(SalesOrder)
        .where(SalesOrder.account_id == account_id, SalesOrder.status.in_(OPEN_APPROVED_STATUSES))
        .options(selectinload(SalesOrder.lines))
    )
    if exclude is not None:
        query = query.where(SalesOrder.id != exclude)
    return sum((remaining_value(o) for o in session.scalars(query)), ZERO)


def evaluate_approval(
    session: Session, order_id: int, today: dt.date | None = None
) -> ApprovalResult:
    """Controlled approval's verdict on an order, with every criterion's figures."""
    order = _order(session, order_id)
    account = session.get(Account, order.account_id)
    if account is None:
        raise NotFound(_("Hesap bulunamadı (silinmiş olabilir)."))
    params = load_parameters(session, account.id)
    criteria = ApprovalCriteria(
        params.approve_by_risk,
        params.approve_by_due_date,
        params.approve_by_ageing,
        params.ageing_days,
    )
    return evaluate_order_approval(
        criteria,
        account.risk_limit,
        open_balance(session, account.id),
        approved_unshipped(session, account.id, exclude=order.id),
        remaining_value(order),
        open_debit_items(session, account.id),
        today or local_today(),
    )


class ApprovalRefused(Refused):
    def __init__(self, message: str, result: ApprovalResult) -> None:
        super().__init__(message)
        self.result = result


def approve_order(
    session: Session, actor: Actor, order_id: int, today: dt.date | None = None
) -> ApprovalResult:
    """Approve a draft order when every ticked criterion passes; else `ApprovalRefused`."""
    order = _order(session, order_id, lock=True)
    if order.status is not OrderStatus.DRAFT:
        raise Refused(_("Yalnızca taslak sipariş onaylanabilir."))
    result = evaluate_approval(session, order_id, today)
    if not result.approved:
        raise ApprovalRefused(result.text, result)
    order.status = OrderStatus.APPROVED
    order.approved_at = utcnow()
    order.approved_by = actor.login
    record(session, actor, "approve", "sales_order", order.id, result.audit_detail)
    return result


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
    order = _order(session, order_id)
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
    order = _order(session, order_id, lock=True)
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
