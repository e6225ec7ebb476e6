"""What came back after sending (SPEC E4, E6): answers, bounces, reminders, and the
bookkeeping that reads each mailbox message once.

`LetterAnswer` and `BounceNotice` are appended, never changed, except their `seen_at` (the
user has looked at them: the count on the main screen goes down). The letter's state and
its `LetterEvent` history live in `outbox_models`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tui_mutabakat.data.base import Base, utcnow
from tui_mutabakat.data.money import Money


class LetterAnswer(Base):
    """One answer to a letter: read from the mailbox, decided by a user, or recorded by
    hand (phone, paper). The newest answer of a letter is the one that counts."""

    __tablename__ = "letter_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"))
    #: agreed / disagreed / unclear.
    kind: Mapped[str] = mapped_column(String(16))
    #: Their balance as they gave it (positive), and its side ("B", "A" or ""), when the
    #: answer gave one figure; every figure, by currency, is an `AnswerBalance`.
    their_balance: Mapped[Decimal | None] = mapped_column(Money(2))
    their_side: Mapped[str] = mapped_column(String(1), default="")
    #: Their balance (signed like `Letter.balance`) minus ours.
    difference: Mapped[Decimal | None] = mapped_column(Money(2))
    note: Mapped[str] = mapped_column(Text, default="")
    #: The new text of the reply (above the quote), for the user to read.
    excerpt: Mapped[str] = mapped_column(Text, default="")
    from_address: Mapped[str] = mapped_column(String(254), default="")
    #: The answer came from an address that is not one of the letter's recipients: applied,
    #: but shown flagged (issue 10).
    foreign_sender: Mapped[bool] = mapped_column(Boolean, default=False)
    #: email / phone / paper.
    channel: Mapped[str] = mapped_column(String(16), default="email")
    #: "mailbox" or the login of the user who recorded or decided it.
    recorded_by: Mapped[str] = mapped_column(String(200))
    message_key: Mapped[str | None] = mapped_column(String(255))
    answered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    #: An answer given on the web page (channel "web"): who gave it as they typed it
    #: (name, title, phone; the e-mail is `from_address`), from where, and the SHA-256 of
    #: the message as sent and of the page as shown (proof of what was answered).
    responder: Mapped[str] = mapped_column(String(400), default="")
    client_address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(400), default="")
    sent_sha256: Mapped[str] = mapped_column(String(64), default="")
    shown_sha256: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (Index("ix_letter_answer_letter", "letter_id", "id"),)


class AnswerAttachment(Base):
    """A file attached to an answer on the web page, kept on disk outside anything served
    (the portal's upload directory, 0600), under `stored_name`."""

    __tablename__ = "answer_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(
        ForeignKey("letter_answer.id", ondelete="CASCADE"), index=True
    )
    #: The name as given, sanitised.
    file_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    #: pdf / xlsx / csv / png / jpg: what the content is, not what the name says.
    kind: Mapped[str] = mapped_column(String(8))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))


class AnswerBalance(Base):
    """Their balance in one currency, as an answer gave it (a letter may list several)."""

    __tablename__ = "answer_balance"

    answer_id: Mapped[int] = mapped_column(
        ForeignKey("letter_answer.id", ondelete="CASCADE"), primary_key=True
    )
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    #: Positive, with its side ("B", "A" or "": taken to lie on our side).
    their_balance: Mapped[Decimal] = mapped_column(Money(2))
    their_side: Mapped[str] = mapped_column(String(1), default="")
    #: Their balance (signed like `LetterBalance.balance`) minus ours.
    difference: Mapped[Decimal] = mapped_column(Money(2))
    #: Lets a new answer's balances be added before the answer has its id (one flush).
    answer: Mapped[LetterAnswer] = relationship()


class BounceNotice(Base):
    """A delivery status notification that named one of a letter's recipients."""

    __tablename__ = "bounce_notice"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("recipient.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(32), default="")
    diagnostic: Mapped[str] = mapped_column(Text, default="")
    message_key: Mapped[str] = mapped_column(String(255))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class LetterReminder(Base):
    """A reminder sent for a letter: at most one a letter a day (the unique key)."""

    __tablename__ = "letter_reminder"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"))
    day: Mapped[dt.date] = mapped_column(Date)
    #: The reminder's own letter row in the outbox (delivered by the sender like any other).
    outbox_letter_id: Mapped[int | None] = mapped_column(
        ForeignKey("letter.id", ondelete="SET NULL")
    )
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("uq_letter_reminder_day", "letter_id", "day", unique=True),)


class SentMessageId(Base):
    """Every Message-ID a letter went out under after its first (`Letter.message_id`): each
    resend and each reminder is a new message with its own ID, and an answer or a bounce
    that names any of them finds the letter."""

    __tablename__ = "sent_message_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    letter_id: Mapped[int] = mapped_column(ForeignKey("letter.id", ondelete="CASCADE"), index=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    #: "resend" or "reminder".
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MailboxState(Base):
    """How far a mailbox has been read: UIDs above `last_uid` are new, as long as the
    folder's UIDVALIDITY is still `uidvalidity` (else it is read again from the start;
    the processed-message table keeps that from counting anything twice)."""

    __tablename__ = "mailbox_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "login@host:port/INBOX".
    mailbox: Mapped[str] = mapped_column(String(400), unique=True)
    uidvalidity: Mapped[int] = mapped_column(BigInteger, default=0)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    checked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class ProcessedMessage(Base):
    """A mailbox message already handled (whatever came of it): never handled again."""

    __tablename__ = "processed_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The Message-ID, or `sha256:<hex>` of the bytes when the message has none.
    message_key: Mapped[str] = mapped_column(String(255), unique=True)
    mailbox: Mapped[str] = mapped_column(String(400), default="")
    uid: Mapped[int | None] = mapped_column(BigInteger)
    #: answer / bounce / auto / unmatched / error / conflict.
    outcome: Mapped[str] = mapped_column(String(16))
    #: Who sent it (the `From` address), whatever came of it.
    from_address: Mapped[str] = mapped_column(String(254), default="")
    letter_id: Mapped[int | None] = mapped_column(ForeignKey("letter.id", ondelete="SET NULL"))
    detail: Mapped[str] = mapped_column(Text, default="")
    processed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UnreadableMessage(Base):
    """A mailbox message intake could not apply (issue 10): unreadable, over a limit, or
    naming two letters at once. Listed for a person ("Okunamayan iletiler") with its raw
    headers; the intake went on past it."""

    __tablename__ = "unreadable_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The Message-ID, or `sha256:<hex>` of the bytes (as `ProcessedMessage.message_key`).
    message_key: Mapped[str] = mapped_column(String(255), unique=True)
    mailbox: Mapped[str] = mapped_column(String(400), default="")
    uid: Mapped[int | None] = mapped_column(BigInteger)
    #: The Message-ID header as written (may be empty or malformed).
    message_id: Mapped[str] = mapped_column(String(255), default="")
    #: error (could not be read or applied) / conflict (references disagree).
    reason: Mapped[str] = mapped_column(String(16))
    error: Mapped[str] = mapped_column(Text, default="")
    headers: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    seen_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
