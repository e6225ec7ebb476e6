"""Tables the account parameters act on (SPEC B5, C1–C5): settlements, sales orders, invoices.

Not an ERP (SPEC §5): orders and invoices exist only as far as the rules need them. Orders and
invoices are in TL; an invoice becomes a sales-invoice `Movement` of its account.

A `Settlement` is one debit/credit match of debt closing: both movements' `settled` were raised
by its `amount` (in the movements' own currency; a match pairs movements of one currency).
Undoing a match deletes its row and lowers both `settled` again; the audit trail keeps it.
Movements settled before this table existed (imports, demo data) have no rows to undo.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Boolean, Date, DateTime, Enum, ForeignKey, Index, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tui_mutabakat.data.base import Base, utcnow
from tui_mutabakat.data.money import Money
from tui_mutabakat.domain.enums import OrderStatus

ZERO = Decimal("0")


class Settlement(Base):
    """One match of debt closing ("borç kapama", SPEC C5)."""

    __tablename__ = "settlement"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="RESTRICT"), index=True
    )
    debit_movement_id: Mapped[int] = mapped_column(
        ForeignKey("movement.id", ondelete="RESTRICT"), index=True
    )
    credit_movement_id: Mapped[int] = mapped_column(
        ForeignKey("movement.id", ondelete="RESTRICT"), index=True
    )
    amount: Mapped[Decimal] = mapped_column(Money(2))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="")


class SalesOrder(Base):
    """A sales order of an account (SPEC C1, C3), in TL."""

    __tablename__ = "sales_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Indexed by `ix_sales_order_status` (account_id first).
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="RESTRICT"))
    number: Mapped[str] = mapped_column(String(40), unique=True)
    date: Mapped[dt.date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[OrderStatus] = mapped_column(
        Enum(
            OrderStatus,
            native_enum=False,
            length=32,
            values_callable=lambda members: [m.value for m in members],
            validate_strings=True,
        ),
        default=OrderStatus.DRAFT,
    )
    total: Mapped[Decimal] = mapped_column(Money(2), default=ZERO)
    #: "Ödemeli": a paid sales order debits the account, so due-date tracking checks it (C4).
    paid: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="")

    lines: Mapped[list[SalesOrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="SalesOrderLine.id"
    )

    __table_args__ = (Index("ix_sales_order_status", "account_id", "status"),)


class SalesOrderLine(Base):
    __tablename__ = "sales_order_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(
        ForeignKey("sales_order.id", ondelete="CASCADE"), index=True
    )
    item: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[Decimal] = mapped_column(Money(3))
    unit: Mapped[str] = mapped_column(String(16), default="Adet")
    unit_price: Mapped[Decimal] = mapped_column(Money(2))
    shipped: Mapped[Decimal] = mapped_column(Money(3), default=ZERO)

    order: Mapped[SalesOrder] = relationship(back_populates="lines")


class Invoice(Base):
    """A sales invoice, or a dispatch note ("irsaliye", `kind` "dispatch"); `movement_id` is
    the sales-invoice movement an invoice put on the account (a dispatch note puts none; it
    is invoiced later, and `billed_by_id` then names the invoice)."""

    __tablename__ = "invoice"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="RESTRICT"), index=True
    )
    order_id: Mapped[int | None] = mapped_column(
        ForeignKey("sales_order.id", ondelete="RESTRICT"), index=True
    )
    number: Mapped[str] = mapped_column(String(40), unique=True)
    date: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    total: Mapped[Decimal] = mapped_column(Money(2), default=ZERO)
    movement_id: Mapped[int | None] = mapped_column(
        ForeignKey("movement.id", ondelete="RESTRICT"), index=True
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16), default="invoice", server_default="invoice")
    billed_by_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id", ondelete="RESTRICT"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="")

    lines: Mapped[list[InvoiceLine]] = relationship(
        back_populates="invoice", cascade="all, delete-orphan", order_by="InvoiceLine.id"
    )


class InvoiceLine(Base):
    __tablename__ = "invoice_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(
        ForeignKey("invoice.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("sales_order_line.id", ondelete="RESTRICT")
    )
    item: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[Decimal] = mapped_column(Money(3))
    unit: Mapped[str] = mapped_column(String(16))
    unit_price: Mapped[Decimal] = mapped_column(Money(2))

    invoice: Mapped[Invoice] = relationship(back_populates="lines")

    @property
    def amount(self) -> Decimal:
        return line_amount(self.quantity, self.unit_price)


def line_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """Quantity × unit price, rounded to kuruş the way an invoice prints it."""
    return (quantity * unit_price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
