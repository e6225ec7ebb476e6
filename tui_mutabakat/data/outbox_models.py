"""The durable outbox of reconciliation letters (SPEC D4–D9, E7).

A batch holds one letter per account — listing the balance of every currency of the
account (`LetterBalance`) — or, when the user asks for it, one letter per (account,
currency); a letter holds one recipient row per address it goes to. Every row exists with
state `queued` before any byte reaches a mail server, and the complete MIME message is
stored with the letter, so a restart sends the very message that was prepared (same
Message-ID, same reply token).

`LetterEvent` and `RecipientEvent` are the append-only history: who, when, from, to, why.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tui_mutabakat.data.base import Base, utcnow
from tui_mutabakat.data.money import Money
from tui_mutabakat.domain.states import BatchState, LetterState, RecipientState
from tui_mutabakat.domain.text import fold


def _enum(kind: type) -> Enum:
    return Enum(
        kind,
        native_enum=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def _folded_title(context: Any) -> str:
    """The default of `Letter.title_folded`: per row, also in an executemany."""
    return fold(str(context.get_current_parameters().get("account_title") or ""))


class LetterTemplate(Base):
    """A letter template edited by a user (SPEC D8). Shipped templates live in files;
    a row with the same name replaces the shipped one."""

    __tablename__ = "letter_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    language: Mapped[str] = mapped_column(String(2), default="tr")
    description: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    text_body: Mapped[str] = mapped_column(Text, default="")
    html_body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    updated_by: Mapped[str] = mapped_column(String(64), default="")
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version_id}


class ReconciliationBatch(Base):
    """One "send" of the user: the options, the sender, what was skipped and the summary."""

    __tablename__ = "reconciliation_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(400))
    as_of: Mapped[dt.date] = mapped_column(Date)
    answer_by: Mapped[dt.date] = mapped_column(Date)
    template_name: Mapped[str] = mapped_column(String(64))
    attach_statement: Mapped[bool] = mapped_column(Boolean, default=False)
    open_items: Mapped[bool] = mapped_column(Boolean, default=False)
    exclude_zero: Mapped[bool] = mapped_column(Boolean, default=True)
    #: One letter per account and currency (the send dialog's option), not per account.
    per_currency: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The letter goes along as a PDF attachment too (SPEC F1).
    attach_pdf: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Where the statement attachment starts (a brought-forward line before it).
    statement_from: Mapped[dt.date | None] = mapped_column(Date)
    #: The criteria of the list the letters were chosen from, as JSON (for the record).
    criteria: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[BatchState] = mapped_column(_enum(BatchState), default=BatchState.OPEN)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    sender_login: Mapped[str] = mapped_column(String(64))
    from_address: Mapped[str] = mapped_column(String(254))
    from_name: Mapped[str] = mapped_column(String(200), default="")
    letter_count: Mapped[int] = mapped_column(Integer, default=0)
    #: Accounts left out by the checks before sending (SPEC D5), as a JSON list.
    skipped: Mapped[str] = mapped_column(Text, default="[]")
    #: The summary kept when delivery ends (SPEC D7), as JSON.
    summary: Mapped[str] = mapped_column(Text, default="")
    #: Where the letters went: "smtp://host:port" or "file:/path".
    transport: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    #: When the last letter was added; a batch still being prepared cannot end.
    prepared_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    letters: Mapped[list[Letter]] = relationship(back_populates="batch", order_by="Letter.id")


class Letter(Base):
    """The letter to one account, with the message exactly as sent.

    Its balances, one per currency, are its `LetterBalance` rows; `currency`, the totals,
    `balance` and `side` repeat the first of them (the only one of a one-currency letter).
    """

    __tablename__ = "letter"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("reconciliation_batch.id", ondelete="CASCADE"))
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"), index=True
    )
    account_code: Mapped[str] = mapped_column(String(32))
    account_title: Mapped[str] = mapped_column(String(200))
    #: The title folded (domain.text): the letter list searches it, Turkish letters and
    #: case not mattering. Filled from `account_title` on every insert, bulk ones too.
    title_folded: Mapped[str] = mapped_column(String(300), default=_folded_title, server_default="")
    currency: Mapped[str] = mapped_column(String(3))
    debit_total: Mapped[Decimal] = mapped_column(Money(2))
    credit_total: Mapped[Decimal] = mapped_column(Money(2))
    #: Debit minus credit, signed; `side` says which way.
    balance: Mapped[Decimal] = mapped_column(Money(2))
    side: Mapped[str] = mapped_column(String(1), default="")
    token: Mapped[str] = mapped_column(String(32), unique=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    subject: Mapped[str] = mapped_column(String(500))
    state: Mapped[LetterState] = mapped_column(_enum(LetterState), default=LetterState.QUEUED)
    state_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Set while some recipient still needs an SMTP transaction: not before this time.
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: The sender run that holds the letter now, and until when its claim is good. A
    #: claimed letter always has `next_attempt_at` set, so `ix_letter_due` finds it.
    claim_token: Mapped[str | None] = mapped_column(String(64))
    claimed_by: Mapped[str] = mapped_column(String(200), default="")
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: Counts the claims of the letter. A run changes the letter (and its recipients) only
    #: while `claim_token` and `claim_gen` are still the ones its claim wrote (see
    #: `services/sending/sender.py`), so a run that lost its claim can change nothing.
    claim_gen: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    batch: Mapped[ReconciliationBatch] = relationship(back_populates="letters")
    recipients: Mapped[list[Recipient]] = relationship(
        back_populates="letter", order_by="Recipient.id"
    )
    content: Mapped[LetterMessage] = relationship(uselist=False, lazy="raise")

    __table_args__ = (
        Index("ix_letter_batch_state", "batch_id", "state"),
        # The sender's claim reads these in order: due letters, oldest first (of all
        # batches, or of one).
        Index("ix_letter_due", "next_attempt_at", "id"),
        Index("ix_letter_batch_due", "batch_id", "next_attempt_at"),
        # The letter list of a batch opens in account-code order, a page at a time.
        Index("ix_letter_batch_code", "batch_id", "account_code", "id"),
    )


class LetterBalance(Base):
    """The balance a letter states in one currency (SPEC D3: one letter lists them all)."""

    __tablename__ = "letter_balance"

    letter_id: Mapped[int] = mapped_column(
        ForeignKey("letter.id", ondelete="CASCADE"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    #: The order the letter lists the currencies in.
    position: Mapped[int] = mapped_column(Integer, default=0)
    debit_total: Mapped[Decimal] = mapped_column(Money(2))
    credit_total: Mapped[Decimal] = mapped_column(Money(2))
    #: Debit minus credit, signed; `side` says which way.
    balance: Mapped[Decimal] = mapped_column(Money(2))
    side: Mapped[str] = mapped_column(String(1), default="")


class LetterMessage(Base):
    """The complete MIME message of a letter, as built before sending.

    Kept apart from `Letter` so the many small updates of a letter's state never rewrite
    the message (SQLite stores a row as one record).
    """

    __tablename__ = "letter_message"

    letter_id: Mapped[int] = mapped_column(
        ForeignKey("letter.id", ondelete="CASCADE"), primary_key=True
    )
    message: Mapped[bytes] = mapped_column(LargeBinary)


class Recipient(Base):
    """Delivery of one letter to one address (SPEC "Recipient" states)."""

    __tablename__ = "recipient"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(120), default="")
    address: Mapped[str] = mapped_column(String(254))
    state: Mapped[RecipientState] = mapped_column(
        _enum(RecipientState), default=RecipientState.QUEUED
    )
    smtp_code: Mapped[int | None] = mapped_column(Integer)
    smtp_answer: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: Written (and committed) just before the final "." of DATA goes to the server. A
    #: pending recipient with this set was handed over by a sender that died before it
    #: could record the answer: it is taken as delivered, never sent again.
    handover_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: Accepted without the server's answer being seen (see `handover_at`).
    in_doubt: Mapped[bool] = mapped_column(Boolean, default=False)

    letter: Mapped[Letter] = relationship(back_populates="recipients")


class LetterEvent(Base):
    """One change of a letter's state. Append-only."""

    __tablename__ = "letter_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    #: The reason in Turkish words; shown as it is when `reason_code` is "".
    reason: Mapped[str] = mapped_column(Text, default="")
    #: The reason as a code and its values, put into words when shown (domain/history.py).
    reason_code: Mapped[str] = mapped_column(String(40), default="", server_default="")
    reason_args: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


class RecipientEvent(Base):
    """One change of a recipient's state, with the server's answer. Append-only."""

    __tablename__ = "recipient_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("recipient.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(200))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    smtp_code: Mapped[int | None] = mapped_column(Integer)
    #: As `LetterEvent`'s three reason columns.
    reason: Mapped[str] = mapped_column(Text, default="")
    reason_code: Mapped[str] = mapped_column(String(40), default="", server_default="")
    reason_args: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))


class HistoryIsAppendOnly(Exception):
    """Raised when code tries to change or delete a history event."""


def _refuse_change(_mapper: Any, _connection: Any, target: object) -> None:
    raise HistoryIsAppendOnly(f"{type(target).__name__} rows are never changed or deleted")


for _history in (LetterEvent, RecipientEvent):
    event.listen(_history, "before_update", _refuse_change)
    event.listen(_history, "before_delete", _refuse_change)
