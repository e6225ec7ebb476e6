"""The fixed vocabularies of the product, stored in the database by their string values."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    ACCOUNTANT = "accountant"


class Routing(StrEnum):
    """Where an account's reconciliation letters go (SPEC B2)."""

    CONTACTS = "contacts"
    DEPARTMENT = "department"


class DocumentType(StrEnum):
    """Movement ("hareket") document types (SPEC B5)."""

    SALES_INVOICE = "sales_invoice"
    PURCHASE_INVOICE = "purchase_invoice"
    SALES_ORDER_PAID = "sales_order_paid"
    CASH = "cash"
    ACCOUNT_VOUCHER = "account_voucher"
    BANK = "bank"
    EXPORT = "export"
    OPENING = "opening"


#: Document types that due-date tracking may check (SPEC C4).
DUE_TRACKABLE_TYPES: tuple[DocumentType, ...] = (
    DocumentType.SALES_INVOICE,
    DocumentType.SALES_ORDER_PAID,
    DocumentType.CASH,
    DocumentType.ACCOUNT_VOUCHER,
    DocumentType.BANK,
    DocumentType.EXPORT,
)


class RuleAction(StrEnum):
    """What happens when a control fires (SPEC C4, C5)."""

    CONTINUE = "continue"
    WARN = "warn"
    STOP = "stop"


class SmtpSecurity(StrEnum):
    STARTTLS = "starttls"
    TLS = "tls"
    NONE = "none"


CURRENCIES: tuple[str, ...] = ("TRY", "USD", "EUR", "GBP")


class OrderStatus(StrEnum):
    """Where a sales order stands (SPEC C1, C3)."""

    DRAFT = "draft"
    APPROVED = "approved"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    CANCELLED = "cancelled"


#: Orders that are approved and still have something to ship (they count in the risk).
OPEN_APPROVED_STATUSES: tuple[OrderStatus, ...] = (
    OrderStatus.APPROVED,
    OrderStatus.PARTIALLY_SHIPPED,
)
