"""Sales orders (SPEC C1, C3): entry and controlled approval; shipping is in `shipping`.

Orders are in TL. Controlled approval ("Kontrollü Onaylama") evaluates the account's ticked
criteria with its risk limit, its open balance (unsettled debits − unsettled credits, TL),
its shipped dispatch notes not yet invoiced, the remaining value of its other approved orders
and this order's remaining value; the order is approved only when every ticked criterion
passes.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from babel.numbers import format_decimal
from sqlalchemy import ColumnElement, case, func, or_, select, text
from sqlalchemy.orm import InstrumentedAttribute, Session, selectinload

from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.models import Account
from tui_mutabakat.data.ops_models import (
    Invoice,
    SalesOrder,
    SalesOrderLine,
    line_amount,
)
from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.enums import OPEN_APPROVED_STATUSES, DocumentType, OrderStatus
from tui_mutabakat.domain.errors import InvalidInput, NotFound, Refused
from tui_mutabakat.domain.formatting import LOCALE
from tui_mutabakat.domain.money import check_quantity
from tui_mutabakat.domain.rules import (
    ApprovalCriteria,
    ApprovalResult,
    evaluate_order_approval,
)
from tui_mutabakat.domain.text import fold
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.accounts.movements import (
    DueCheck,
    MovementData,
    enforce_due_tracking,
    open_balance,
    open_debit_items,
)
from tui_mutabakat.services.accounts.parameters import load_parameters
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


#: Digits of a generated number: `FT-000001`.
NUMBER_DIGITS = 6


def _next_number(prefix: str, taken: Callable[[str], bool], start: int) -> str:
    count = start
    while True:
        count += 1
        candidate = f"{prefix}-{count:0{NUMBER_DIGITS}d}"
        if not taken(candidate):
            return candidate


def _in_series(column: InstrumentedAttribute[str], prefix: str) -> ColumnElement[bool]:
    """`FT-` and six characters: the numbers of one series, not a dispatch note's `IR-…` beside
    an invoice's `FT-…` nor a number typed by hand — counting those left gaps (issue 11).

    The number is counted, not kept in a counter: it is read in the saving transaction, so a
    save refused by a rule or rolled back uses nothing up; two saves at once that read the
    same count meet the unique constraint on `number`, never a duplicate — and on PostgreSQL
    do not meet at all (`_serialize`)."""
    return column.like(f"{prefix}-" + "_" * NUMBER_DIGITS)


def _serialize(session: Session, prefix: str) -> None:
    """On PostgreSQL the second of two saves numbering one series at once waits here until the
    first commits or rolls back (a transaction-level advisory lock), then counts its row: two
    users get FT-000001 and FT-000002, not a unique-constraint error. SQLite lets one writer
    at a time already."""
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"mutabakat-number-{prefix}".encode())
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def next_order_number(session: Session) -> str:
    def taken(number: str) -> bool:
        return session.scalar(select(SalesOrder.id).where(SalesOrder.number == number)) is not None

    _serialize(session, "SS")
    series = select(func.count(SalesOrder.id)).where(_in_series(SalesOrder.number, "SS"))
    return _next_number("SS", taken, session.scalar(series) or 0)


def next_invoice_number(session: Session, prefix: str = "FT", *, saving: bool = True) -> str:
    """The next free number: `FT-…` for an invoice, `IR-…` for a dispatch note. `saving`
    False: only to propose it in a form (the save checks it again), so nothing waits."""

    def taken(number: str) -> bool:
        return session.scalar(select(Invoice.id).where(Invoice.number == number)) is not None

    if saving:
        _serialize(session, prefix)
    series = select(func.count(Invoice.id)).where(_in_series(Invoice.number, prefix))
    return _next_number(prefix, taken, session.scalar(series) or 0)


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
    if before is not None and before.status is not OrderStatus.DRAFT:
        raise Refused(_("Yalnızca taslak sipariş değiştirilebilir."))
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


def approved_unshipped(session: Session, account_id: int, exclude: int | None = None) -> Decimal:
    query = (
        select(SalesOrder)
        .where(SalesOrder.account_id == account_id, SalesOrder.status.in_(OPEN_APPROVED_STATUSES))
        .options(selectinload(SalesOrder.lines))
    )
    if exclude is not None:
        query = query.where(SalesOrder.id != exclude)
    return sum((remaining_value(o) for o in session.scalars(query)), ZERO)


def open_dispatch_total(session: Session, account_id: int) -> Decimal:
    """What the account's dispatch notes ("irsaliye") shipped and not yet invoiced are worth:
    the goods have left, so they count in the risk, though no invoice debits the account yet."""
    query = select(Invoice.total).where(
        Invoice.account_id == account_id,
        Invoice.kind == "dispatch",
        Invoice.billed_by_id.is_(None),
    )
    return sum(session.scalars(query), ZERO)


def default_criteria(session: Session, account_id: int) -> ApprovalCriteria:
    """The account's ticked criteria: the defaults of each approval (seed 004: "işlemlere
    öndeğer olarak aktarılır"), which the user may change for one approval."""
    params = load_parameters(session, account_id)
    return ApprovalCriteria(
        params.approve_by_risk,
        params.approve_by_due_date,
        params.approve_by_ageing,
        params.ageing_days,
    )


def evaluate_approval(
    session: Session,
    order_id: int,
    today: dt.date | None = None,
    criteria: ApprovalCriteria | None = None,
) -> ApprovalResult:
    """Controlled approval's verdict on an order, with every criterion's figures; `criteria`
    the ticks of this approval (None: the account's defaults)."""
    order = find_order(session, order_id)
    account = session.get(Account, order.account_id)
    if account is None:
        raise NotFound(_("Hesap bulunamadı (silinmiş olabilir)."))
    if criteria is None:
        criteria = default_criteria(session, account.id)
    return evaluate_order_approval(
        criteria,
        account.risk_limit,
        open_balance(session, account.id),
        approved_unshipped(session, account.id, exclude=order.id),
        remaining_value(order),
        open_debit_items(session, account.id),
        today or local_today(),
        open_dispatches=open_dispatch_total(session, account.id),
    )


def _changed_ticks(defaults: ApprovalCriteria, used: ApprovalCriteria) -> str:
    """`risk:on->off ageing:off->on` for the criteria this approval ticked differently."""
    changes = [
        f"{name}:{'on' if before else 'off'}->{'on' if after else 'off'}"
        for name, before, after in (
            ("risk", defaults.risk, used.risk),
            ("due_date", defaults.due_date, used.due_date),
            ("ageing", defaults.ageing, used.ageing),
        )
        if before != after
    ]
    return " ".join(changes) or "-"


class ApprovalRefused(Refused):
    def __init__(self, message: str, result: ApprovalResult) -> None:
        super().__init__(message)
        self.result = result


def approve_order(
    session: Session,
    actor: Actor,
    order_id: int,
    today: dt.date | None = None,
    *,
    criteria: ApprovalCriteria | None = None,
    override_reason: str = "",
) -> ApprovalResult:
    """Approve a draft order when every ticked criterion passes; else `ApprovalRefused`.

    `criteria` are this approval's ticks (None: the account's defaults); criteria ticked
    differently from the defaults are recorded. An admin may approve despite a failed
    criterion by giving `override_reason`; that is recorded as `approval_override`.
    """
    order = find_order(session, order_id, lock=True)
    if order.status is not OrderStatus.DRAFT:
        raise Refused(_("Yalnızca taslak sipariş onaylanabilir."))
    defaults = default_criteria(session, order.account_id)
    used = criteria if criteria is not None else defaults
    result = evaluate_approval(session, order_id, today, used)
    reason = " ".join(override_reason.split())
    action = "approve"
    if not result.approved:
        if not reason:
            raise ApprovalRefused(result.text, result)
        if not actor.is_admin:
            raise Refused(_("Sağlanmayan kritere rağmen yalnızca yönetici onaylayabilir."))
        action = "approval_override"
    order.status = OrderStatus.APPROVED
    order.approved_at = utcnow()
    order.approved_by = actor.login
    detail = f"{result.audit_detail} changed={_changed_ticks(defaults, used)}"
    if action == "approval_override":
        detail += f" reason={reason}"
    record(session, actor, action, "sales_order", order.id, detail)
    return result


def record_approval_refused(
    session: Session, actor: Actor, order_id: int, result: ApprovalResult
) -> None:
    """Log an approval the criteria refused (the refused approval itself wrote nothing)."""
    record(session, actor, "approval_refused", "sales_order", order_id, result.audit_detail)
