"""Sales orders (SPEC C1): entry, listing and cancelling. Controlled approval is in
`order_approval`, document numbers in `document_numbers`, shipping in `shipping`. Orders
are in TL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from babel.numbers import format_decimal
from sqlalchemy import case, or_, select
from sqlalchemy.orm import Session, selectinload

from tui_mutabakat.data.models import Account
from tui_mutabakat.data.ops_models import (
    SalesOrder,
    SalesOrderLine,
    line_amount,
)
from tui_mutabakat.domain.enums import DocumentType, OrderStatus
from tui_mutabakat.domain.errors import InvalidInput, NotFound, Refused
from tui_mutabakat.domain.formatting import LOCALE
from tui_mutabakat.domain.money import check_quantity
from tui_mutabakat.domain.text import fold
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.accounts.document_numbers import next_order_number
from tui_mutabakat.services.accounts.movements import (
    DueCheck,
    MovementData,
    enforce_due_tracking,
)
from tui_mutabakat.services.context import Actor, record
from tui_mutabakat.services.limits import amount_in_range, day_in_range, quantity_in_range

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


def parse_quantity(text: str) -> Decimal:
    """A quantity typed the Turkish way (`1.234,5`) or plainly (`1234.5`), three decimals."""
    cleaned = text.strip()
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    elif cleaned.count(".") > 1:
        cleaned = cleaned.replace(".", "")
    value = Decimal(cleaned)  # raises InvalidOperation, an ArithmeticError
    if not value.is_finite():
        raise ValueError(text)
    return check_quantity(value).quantize(Decimal("0.001"))


#: Between an account's code and title in the order form's lookup list.
CODE_TITLE = " — "


def account_codes(session: Session, prefix: str, limit: int = 50) -> list[str]:
    """The order form's F10 lookup: "code — title" of the active accounts whose code starts
    with `prefix` or whose title holds it, Turkish letters and case aside ("kadik" finds
    "Kadıköy Gıda"), codes first, then titles in Turkish order."""
    text = prefix.strip()
    by_code = Account.code.startswith(text, autoescape=True)
    query = (
        select(Account.code, Account.title)
        .where(
            Account.active.is_(True),
            or_(by_code, Account.search_text.contains(fold(text), autoescape=True)),
        )
        .order_by(by_code.desc(), case((by_code, Account.code), else_=""), Account.title_key)
        .limit(limit)
    )
    return [f"{code}{CODE_TITLE}{title}" for code, title in session.execute(query)]


def account_by_code(session: Session, code: str) -> tuple[int, str] | None:
    """(id, title) of the account with `code`."""
    row = session.execute(
        select(Account.id, Account.title).where(Account.code == code.strip())
    ).first()
    return None if row is None else (row[0], row[1])


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
    #: "Ödemeli": the order debits the account, so due-date tracking checks it (SPEC C4).
    paid: bool = False

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


def find_order(session: Session, order_id: int, *, lock: bool = False) -> SalesOrder:
    order = session.get(
        SalesOrder, order_id, options=[selectinload(SalesOrder.lines)], with_for_update=lock
    )
    if order is None:
        raise NotFound(_("Sipariş bulunamadı (silinmiş olabilir)."))
    return order


def load_order(session: Session, order_id: int) -> OrderData:
    order = find_order(session, order_id)
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
        order.paid,
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
        quantity_in_range(line.quantity, "lines")
        amount_in_range(line.unit_price, "lines")
        amount_in_range(line.quantity * line.unit_price, "lines")
    day_in_range(data.date, "date")
    amount_in_range(data.total, "lines")


def paid_order_check(
    session: Session,
    data: OrderData,
    before: SalesOrder | None,
    *,
    confirmed: bool,
    today: dt.date | None,
) -> DueCheck | None:
    """Due-date tracking of a paid ("ödemeli") sales order, as for the other document types:
    a new paid order, or an edit that makes it paid or raises its total, is checked; raises
    `DueTrackingStop` / `DueTrackingWarning` like `save_movement`. None when not checked."""
    if not data.paid or data.account_id is None:
        return None
    if before is not None and before.paid and data.total <= before.total:
        return None  # adds no debt (issue 11.5)
    debit = MovementData(
        account_id=data.account_id,
        doc_type=DocumentType.SALES_ORDER_PAID,
        date=data.date,
        doc_no=data.number,
        debit=data.total,
    )
    return enforce_due_tracking(session, debit, confirmed, today)


def save_order(
    session: Session,
    actor: Actor,
    data: OrderData,
    *,
    confirmed: bool = False,
    today: dt.date | None = None,
) -> int:
    """Create an order, or change a draft one; approved orders are not edited. A paid order
    goes through due-date tracking first (`paid_order_check`)."""
    validate(data)
    account_id = data.account_id
    if account_id is None or session.get(Account, account_id) is None:
        raise NotFound(_("Hesap bulunamadı (silinmiş olabilir)."))
    number = data.number.strip() or next_order_number(session)
    clash = session.scalar(select(SalesOrder.id).where(SalesOrder.number == number))
    if clash is not None and clash != data.id:
        raise InvalidInput(_("{number} numaralı bir sipariş zaten var.").format(number=number))
    before = None if data.id is None else find_order(session, data.id, lock=True)
    refusal = None if before is None else edit_refusal(before.status)
    if refusal is not None:
        raise Refused(refusal)
    check = paid_order_check(session, data, before, confirmed=confirmed, today=today)
    if before is None:
        order = SalesOrder(created_by=actor.login, status=OrderStatus.DRAFT)
        session.add(order)
    else:
        order = before
    order.account_id = account_id
    order.paid = data.paid
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
        f"{order.number} total={order.total} paid={int(order.paid)}",
    )
    if check is not None and check.result.must_log:
        detail = f"{check.result.audit_detail} confirmed={int(confirmed)}"
        record(session, actor, "due_tracking", "sales_order", order.id, detail)
    return order.id


def edit_refusal(status: OrderStatus) -> str | None:
    """Why an order in `status` cannot be changed (only a draft can); `None` when it can."""
    refusals = {
        OrderStatus.APPROVED: _("Onaylı sipariş değiştirilemez."),
        OrderStatus.PARTIALLY_SHIPPED: _("Kısmen sevk edilmiş sipariş değiştirilemez."),
        OrderStatus.SHIPPED: _("Sevk edilmiş sipariş değiştirilemez."),
        OrderStatus.CANCELLED: _("İptal edilmiş sipariş değiştirilemez."),
    }
    return refusals.get(status)


#: The orders that may still be cancelled: nothing of them has been shipped.
CANCELLABLE = (OrderStatus.DRAFT, OrderStatus.APPROVED)


def cancel_refusal(number: str, status: OrderStatus) -> str | None:
    """Why order `number` in `status` cannot be cancelled, naming it; `None` when it can."""
    if status in CANCELLABLE:
        return None
    if status is OrderStatus.CANCELLED:
        return _("{number} numaralı sipariş zaten iptal edilmiş.").format(number=number)
    if status is OrderStatus.SHIPPED:
        text = _("{number} numaralı sipariş sevk edildi; sevk edilmiş sipariş iptal edilemez.")
    else:
        text = _(
            "{number} numaralı siparişin sevkiyatı başladı; kısmen sevk edilmiş sipariş "
            "iptal edilemez."
        )
    return text.format(number=number)


def cancel_order(session: Session, actor: Actor, order_id: int) -> None:
    order = find_order(session, order_id, lock=True)
    refusal = cancel_refusal(order.number, order.status)
    if refusal is not None:
        raise Refused(refusal)
    order.status = OrderStatus.CANCELLED
    record(session, actor, "cancel", "sales_order", order.id, order.number)
