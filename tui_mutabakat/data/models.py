"""The tables of the product (SPEC A1–A3, B1–B5, C1–C6).

Enumerations are stored as their string values (`native_enum=False`) so SQLite and
PostgreSQL hold the same data and a new value needs no type migration.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tui_mutabakat.data.base import Base, utcnow
from tui_mutabakat.data.money import Money
from tui_mutabakat.domain.enums import DocumentType, Role, Routing, RuleAction, SmtpSecurity
from tui_mutabakat.domain.text import search_key, sort_key


def _enum(kind: type) -> Enum:
    return Enum(
        kind,
        native_enum=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Company(Base):
    """The own company whose letters go out (SPEC A1). One row."""

    __tablename__ = "company"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    tax_office: Mapped[str] = mapped_column(String(100), default="")
    tax_number: Mapped[str] = mapped_column(String(11), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    city: Mapped[str] = mapped_column(String(50), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    logo_text: Mapped[str] = mapped_column(String(200), default="")
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version_id}


class User(Base):
    """An application user, mapped to an operating-system login (SPEC A2, A3).

    The SMTP/IMAP password is never stored: `*_password_ref` names where to read it
    (`env:NAME`, `file:/path/0600`, or `cmd:command line`).
    """

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(120), default="")
    role: Mapped[Role] = mapped_column(_enum(Role), default=Role.ACCOUNTANT)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    from_address: Mapped[str] = mapped_column(String(254), default="")
    display_name: Mapped[str] = mapped_column(String(120), default="")
    smtp_host: Mapped[str] = mapped_column(String(200), default="")
    smtp_port: Mapped[int | None] = mapped_column(Integer)
    smtp_security: Mapped[SmtpSecurity] = mapped_column(
        _enum(SmtpSecurity), default=SmtpSecurity.STARTTLS
    )
    smtp_login: Mapped[str] = mapped_column(String(200), default="")
    smtp_password_ref: Mapped[str] = mapped_column(String(400), default="")
    imap_host: Mapped[str] = mapped_column(String(200), default="")
    imap_port: Mapped[int | None] = mapped_column(Integer)
    imap_security: Mapped[SmtpSecurity] = mapped_column(
        _enum(SmtpSecurity), default=SmtpSecurity.TLS
    )
    imap_login: Mapped[str] = mapped_column(String(200), default="")
    imap_password_ref: Mapped[str] = mapped_column(String(400), default="")
    #: The service sender an admin set: the login whose SMTP server and password send this
    #: user's letters, by that login's worker ("" = the user's own). See `mail/secrets.py`.
    send_via: Mapped[str] = mapped_column(String(64), default="")
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version_id}


class RuleDefaults:
    """Columns shared by the working settings (defaults) and each account's parameters."""

    partial_shipment: Mapped[bool] = mapped_column(Boolean, default=False)
    invoice_copies: Mapped[int] = mapped_column(Integer, default=1)
    approve_by_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    approve_by_due_date: Mapped[bool] = mapped_column(Boolean, default=False)
    approve_by_ageing: Mapped[bool] = mapped_column(Boolean, default=False)
    ageing_days: Mapped[int | None] = mapped_column(Integer)
    #: Comma-separated `DocumentType` values that due-date tracking checks (SPEC C4).
    due_track_types: Mapped[str] = mapped_column(String(200), default="")
    due_track_days: Mapped[int | None] = mapped_column(Integer)
    due_track_amount: Mapped[Decimal | None] = mapped_column(Money(2))
    due_track_action: Mapped[RuleAction] = mapped_column(
        _enum(RuleAction), default=RuleAction.CONTINUE
    )
    close_check_days: Mapped[int | None] = mapped_column(Integer)
    close_check_action: Mapped[RuleAction] = mapped_column(
        _enum(RuleAction), default=RuleAction.CONTINUE
    )
    #: The account's payment term in days: a new debit's due date defaults to its document
    #: date + this many days (empty: the document date).
    payment_days: Mapped[int | None] = mapped_column(Integer)


#: The names of the `RuleDefaults` columns, copied from settings to a new account.
RULE_FIELDS: tuple[str, ...] = (
    "partial_shipment",
    "invoice_copies",
    "approve_by_risk",
    "approve_by_due_date",
    "approve_by_ageing",
    "ageing_days",
    "due_track_types",
    "due_track_days",
    "due_track_amount",
    "due_track_action",
    "close_check_days",
    "close_check_action",
    "payment_days",
)


class WorkingSettings(RuleDefaults, Base):
    """The module's global working settings ("çalışma bilgileri", SPEC C6). One row."""

    __tablename__ = "working_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    default_currency: Mapped[str] = mapped_column(String(3), default="TRY")
    answer_period_days: Mapped[int] = mapped_column(Integer, default=30)
    reminder_days_before: Mapped[int] = mapped_column(Integer, default=7)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version_id}


class Account(Base):
    """A current account ("cari hesap", SPEC B1, B2)."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200), index=True)
    tax_number: Mapped[str] = mapped_column(String(11), default="")
    tax_office: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    city: Mapped[str] = mapped_column(String(50), default="", index=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    currency: Mapped[str] = mapped_column(String(3), default="TRY")
    group_code: Mapped[str] = mapped_column(String(32), default="", index=True)
    sector_code: Mapped[str] = mapped_column(String(32), default="")
    region_code: Mapped[str] = mapped_column(String(32), default="")
    risk_limit: Mapped[Decimal | None] = mapped_column(Money(2))
    notes: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    routing: Mapped[Routing] = mapped_column(_enum(Routing), default=Routing.CONTACTS)
    department_email: Mapped[str] = mapped_column(String(254), default="")
    #: The folded title, for case- and Turkish-letter-blind search (domain.text).
    search_text: Mapped[str] = mapped_column(String(300), default="", server_default="")
    #: The title's Turkish sort key (domain.text.sort_key): sorting by title is "Akın"
    #: before "Aksoy". Compared byte by byte ("C" on PostgreSQL), so an index serves it.
    title_key: Mapped[str] = mapped_column(
        String(400).with_variant(String(400, collation="C"), "postgresql"),
        default="",
        server_default="",
        index=True,
    )
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="account", cascade="all, delete-orphan", order_by="Contact.id"
    )
    parameters: Mapped[AccountParameters] = relationship(
        back_populates="account", cascade="all, delete-orphan", uselist=False
    )

    __mapper_args__ = {"version_id_col": version_id}


@event.listens_for(Account, "before_insert")
@event.listens_for(Account, "before_update")
def _fill_search_text(_mapper: object, _connection: object, account: Account) -> None:
    account.search_text = search_key(account.title)
    account.title_key = sort_key(account.title)


class Contact(Base):
    """An authorised contact ("yetkili") of an account (SPEC B2)."""

    __tablename__ = "contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(80), default="")
    department: Mapped[str] = mapped_column(String(80), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    receives_reconciliation: Mapped[bool] = mapped_column(Boolean, default=True)

    account: Mapped[Account] = relationship(back_populates="contacts")


class AccountParameters(RuleDefaults, Base):
    """The parameters of one account (SPEC C1–C5), filled from the working settings."""

    __tablename__ = "account_parameters"

    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), primary_key=True
    )
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    account: Mapped[Account] = relationship(back_populates="parameters")

    __mapper_args__ = {"version_id_col": version_id}


class Movement(Base):
    """A movement ("hareket") of an account (SPEC B5).

    `debit` and `credit` are in the movement's own `currency`; `fx_rate` is the TL value of
    one unit at the document date for foreign-currency movements. `settled` is how much of
    the movement's amount has been matched in debt closing (SPEC C5); what remains is open.
    """

    __tablename__ = "movement"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="RESTRICT"))
    date: Mapped[dt.date] = mapped_column(Date)
    doc_type: Mapped[DocumentType] = mapped_column(_enum(DocumentType))
    doc_no: Mapped[str] = mapped_column(String(40), default="")
    description: Mapped[str] = mapped_column(String(200), default="")
    debit: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0"))
    credit: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0"))
    currency: Mapped[str] = mapped_column(String(3), default="TRY")
    fx_rate: Mapped[Decimal | None] = mapped_column(Money(6))
    due_date: Mapped[dt.date | None] = mapped_column(Date)
    settled: Mapped[Decimal] = mapped_column(Money(2), default=Decimal("0"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (
        # Covering index for the per-account, per-currency balance as of a date (SPEC D2):
        # the aggregate reads only the index, never the table.
        Index("ix_movement_balance", "account_id", "currency", "date", "debit", "credit"),
    )


class AuditEvent(Base):
    """Who did what, when (SPEC A2). Append-only."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_login: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
