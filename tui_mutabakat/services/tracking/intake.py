"""What the mailbox brings back, applied to the letters (SPEC E4, E7).

`process_message` reads one raw message and, in the caller's transaction: records it as
processed (its Message-ID is unique, so it is handled once whatever happens), matches it to
a letter (reply token, then our Message-IDs it refers to), and then

- an answer: appends a `LetterAnswer` and moves the letter to agreed / disagreed / unclear
  with a `LetterEvent` by "mailbox" (an unclear reply never undoes a definite answer);
- a bounce: marks each named recipient `bounced` with the diagnostic (`RecipientEvent`,
  `BounceNotice`), and the letter `bounced` once every accepted recipient has bounced;
- an automatic reply: noted, nothing changes;
- nothing matched: noted; the mailbox reader leaves such mail alone;
- references that disagree (`In-Reply-To` naming one letter, the token another): neither
  letter changes; the message is listed for a person (`UnreadableMessage`, "conflict").

Who sent each message is kept (`ProcessedMessage.from_address`); an answer from an address
that is not one of the letter's recipients is applied but flagged (`foreign_sender`).
A delivery report bounces only the recipients it says failed; a delay is a note on the
recipient; a free-text bounce naming no known address is pinned on a letter's only
recipient only when it quotes the letter.

The history's "why" is written in Turkish, like the rest of the stored history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from email.parser import HeaderParser
from email.utils import parsedate_to_datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.bulk_insert import BulkRows, Rows, SessionRows
from tui_mutabakat.data.outbox_models import Letter, LetterEvent
from tui_mutabakat.data.tracking_models import (
    AnswerBalance,
    LetterAnswer,
    ProcessedMessage,
    UnreadableMessage,
)
from tui_mutabakat.domain.formatting import format_moment, format_money
from tui_mutabakat.domain.history import HistoryReason, reason_columns
from tui_mutabakat.domain.history import reason as history_reason
from tui_mutabakat.domain.states import LetterState, can_transition, side_label
from tui_mutabakat.mail.answers import (
    MessageKind,
    ReadMessage,
    read_message,
)
from tui_mutabakat.mail.headers import header_block
from tui_mutabakat.mail.reply_text import AnswerKind, Figure
from tui_mutabakat.services.tracking.bounce_notes import record_bounce
from tui_mutabakat.services.tracking.letter_balances import BalanceFigure, figures_of
from tui_mutabakat.services.tracking.letter_rows import LetterLookup, LetterRow, RecipientRow

MAILBOX_ACTOR = "mailbox"

#: Their balance must fit `LetterAnswer.their_balance` and the difference to ours.
_MAX_FIGURE = Decimal(10) ** 15

#: States in which an unclear reply is allowed to move the letter.
_OPEN_FOR_UNCLEAR = frozenset({LetterState.SENT, LetterState.NO_ANSWER})

KIND_TO_STATE = {
    AnswerKind.AGREED: LetterState.AGREED,
    AnswerKind.DISAGREED: LetterState.DISAGREED,
    AnswerKind.UNCLEAR: LetterState.UNCLEAR,
}
KIND_WORD = {
    AnswerKind.AGREED: "mutabık",
    AnswerKind.DISAGREED: "mutabık değil",
    AnswerKind.UNCLEAR: "belirsiz",
}


class IntakeOutcome:
    """What intake did with a message (`IntakeResult.outcome`)."""

    ANSWER = "answer"
    BOUNCE = "bounce"
    AUTO = "auto"
    UNMATCHED = "unmatched"
    DUPLICATE = "duplicate"
    #: A delivery report that names no failure: a delay noted, or nothing at all.
    REPORT = "report"
    #: Could not be read or applied: listed as unreadable.
    ERROR = "error"
    #: Names two letters at once: listed for a person, no letter changed.
    CONFLICT = "conflict"


@dataclass(frozen=True, slots=True)
class IntakeResult:
    outcome: str
    key: str
    letter_id: int | None = None
    #: The letter's state after the message (None when nothing matched).
    state: LetterState | None = None
    detail: str = ""


def already_processed(session: Session, key: str) -> bool:
    return (
        session.scalar(select(ProcessedMessage.id).where(ProcessedMessage.message_key == key))
        is not None
    )


def process_message(
    session: Session,
    raw: bytes,
    *,
    mailbox: str = "",
    uid: int | None = None,
    now: dt.datetime | None = None,
) -> IntakeResult:
    """Handle one message once; a message already processed changes nothing."""
    return process_read(session, read_message(raw), mailbox=mailbox, uid=uid, now=now, raw=raw)


def process_read(
    session: Session,
    read: ReadMessage,
    *,
    mailbox: str = "",
    uid: int | None = None,
    now: dt.datetime | None = None,
    lookup: LetterLookup | None = None,
    raw: bytes = b"",
    rows: Rows | None = None,
) -> IntakeResult:
    """`process_message` for a message already read; `lookup` serves a whole chunk;
    `raw` gives the headers listed with a message that names two letters; `rows` takes
    the new history rows (a chunk's `BulkRows`; by default each an ORM object)."""
    done = (read.key in lookup.processed) if lookup else already_processed(session, read.key)
    if done:
        return IntakeResult(IntakeOutcome.DUPLICATE, read.key)
    now = now or utcnow()
    standalone = lookup is None
    lookup = lookup or LetterLookup(session, [read])
    rows = SessionRows(session) if rows is None else rows
    letter = lookup.find(read)
    conflict = lookup.conflict(read) if read.kind != MessageKind.BOUNCE else None
    if conflict is not None:
        named, referred = conflict
        why = (
            f"Referanslar çelişiyor: belirteç {named.token} (mektup {named.id}), "
            f"yanıtlanan ileti {referred.message_id} (mektup {referred.id}); "
            "hiçbir mektup değiştirilmedi"
        )
        record_unreadable(
            session,
            read.key,
            reason=IntakeOutcome.CONFLICT,
            error=why,
            headers=header_block(raw),
            mailbox=mailbox,
            uid=uid,
            now=now,
        )
        result = IntakeResult(IntakeOutcome.CONFLICT, read.key, detail=why)
    elif letter is None:
        # Listed for a person with the unreadable ones: who sent it, what about, when.
        headers = header_block(raw)
        sent = HeaderParser().parsestr(headers + "\n\n").get("Date", "") if headers else ""
        date = _sent_at(" ".join(str(sent).split()))
        what = (
            f"Hiçbir mektupla eşleşmedi: {read.from_address or '—'} · "
            f"{read.subject or '—'} · {date}"
        )
        record_unreadable(
            session,
            read.key,
            reason=IntakeOutcome.UNMATCHED,
            error=what,
            headers=headers,
            mailbox=mailbox,
            uid=uid,
            now=now,
        )
        result = IntakeResult(IntakeOutcome.UNMATCHED, read.key, detail=read.subject[:200])
    elif read.kind == MessageKind.BOUNCE:
        recipients = lookup.recipients(session, letter)
        result = _apply_bounce(session, letter, read, now, recipients, rows)
    elif read.kind == MessageKind.AUTO:
        result = IntakeResult(
            IntakeOutcome.AUTO, read.key, letter.id, letter.state, read.subject[:200]
        )
    else:
        ours = lookup.figures(session, letter)
        addresses = lookup.addresses(session, letter)
        result = _apply_answer(session, letter, read, now, addresses, ours, rows)
    rows.add(
        ProcessedMessage,
        message_key=read.key,
        mailbox=mailbox,
        uid=uid,
        outcome=result.outcome,
        from_address=read.from_address,
        letter_id=result.letter_id,
        detail=result.detail,
        processed_at=now,
    )
    if standalone:
        lookup.write(session)
        session.flush()
    lookup.processed.add(read.key)
    return result


def record_unreadable(
    session: Session,
    key: str,
    *,
    reason: str,
    error: str,
    headers: str,
    mailbox: str,
    uid: int | None,
    message_id: str = "",
    now: dt.datetime | None = None,
    processed: bool = False,
) -> None:
    """List a message for a person; with `processed`, also mark it handled (an error:
    it is never tried again, whatever it holds)."""
    now = now or utcnow()
    if message_id == "" and not key.startswith("sha256:"):
        message_id = key
    if session.scalar(select(UnreadableMessage.id).where(UnreadableMessage.message_key == key)):
        return
    session.add(
        UnreadableMessage(
            message_key=key,
            mailbox=mailbox[:400],
            uid=uid,
            message_id=message_id[:255],
            reason=reason,
            error=error[:4000].replace("\x00", ""),
            headers=headers.replace("\x00", ""),
            received_at=now,
        )
    )
    if processed:
        session.add(
            ProcessedMessage(
                message_key=key,
                mailbox=mailbox[:400],
                uid=uid,
                outcome=IntakeOutcome.ERROR,
                detail=error[:500].replace("\x00", ""),
                processed_at=now,
            )
        )
    session.flush()


def signed_balance(amount: Decimal, side: str, ours: Decimal) -> Decimal:
    """Their balance signed like `Letter.balance` (debit positive). Without a side it is
    taken to lie on the same side as ours."""
    if side == "B":
        return abs(amount)
    if side == "A":
        return -abs(amount)
    return -abs(amount) if ours < 0 else abs(amount)


def change_letter_state(
    session: Session,
    letter: Letter | LetterRow,
    new: LetterState,
    actor: str,
    why: str | HistoryReason,
    now: dt.datetime,
    rows: Rows | None = None,
) -> bool:
    """Move the letter and append the event; False when the move is not allowed."""
    if letter.state is new or not can_transition(letter.state, new):
        return False
    (SessionRows(session) if rows is None else rows).add(
        LetterEvent,
        letter_id=letter.id,
        actor=actor,
        from_state=letter.state.value,
        to_state=new.value,
        **reason_columns(why),
        at=now,
    )
    letter.state = new
    letter.state_at = now
    return True


def add_answer(
    session: Session,
    letter: Letter,
    kind: AnswerKind,
    *,
    balance: Decimal | None,
    side: str,
    note: str,
    excerpt: str,
    from_address: str,
    channel: str,
    recorded_by: str,
    message_key: str | None,
    now: dt.datetime,
    theirs: Mapping[str, tuple[Decimal, str]] | None = None,
    foreign_sender: bool = False,
    figures: Sequence[BalanceFigure] | None = None,
) -> LetterAnswer:
    """`theirs`: their balance per currency (amount, side); without it, `balance` is their
    balance in the letter's (first) currency. `figures`: the letter's, when known."""
    if figures is None:
        figures = figures_of(session, letter)
    if theirs is None:
        theirs = {} if balance is None else {letter.currency: (balance, side)}
    values, balances = answer_row(
        letter,
        kind,
        theirs,
        figures,
        note=note,
        excerpt=excerpt,
        from_address=from_address,
        channel=channel,
        recorded_by=recorded_by,
        message_key=message_key,
        now=now,
        foreign_sender=foreign_sender,
        balance=balance,
        side=side,
    )
    return write_answer(session, values, balances)


def answer_row(
    letter: Letter | LetterRow,
    kind: AnswerKind,
    theirs: Mapping[str, tuple[Decimal, str]],
    figures: Sequence[BalanceFigure],
    *,
    note: str,
    excerpt: str,
    from_address: str,
    channel: str,
    recorded_by: str,
    message_key: str | None,
    now: dt.datetime,
    foreign_sender: bool,
    balance: Decimal | None = None,
    side: str = "",
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The `LetterAnswer` row's values and those of its `AnswerBalance` rows (their
    balance per currency of the letter, with the difference to ours); `balance` and
    `side` are kept only when `theirs` is empty."""
    ours = {f.currency: f for f in figures}
    differences = {
        currency: signed_balance(amount, their_side, ours[currency].balance)
        - ours[currency].balance
        for currency, (amount, their_side) in theirs.items()
        if currency in ours
    }
    difference = None
    if len(theirs) == 1:
        [(currency, (balance, side))] = theirs.items()
        difference = differences.get(currency)
    elif theirs:
        balance, side = None, ""
    values = {
        "letter_id": letter.id,
        "kind": kind.value,
        "their_balance": balance,
        "their_side": side,
        "difference": difference,
        "note": note,
        "excerpt": excerpt,
        "from_address": from_address,
        "foreign_sender": foreign_sender,
        "channel": channel,
        "recorded_by": recorded_by,
        "message_key": message_key,
        "answered_at": now,
    }
    balances = [
        {
            "currency": currency,
            "their_balance": theirs[currency][0],
            "their_side": theirs[currency][1],
            "difference": value,
        }
        for currency, value in differences.items()
    ]
    return values, balances


def write_answer(
    session: Session, values: Mapping[str, Any], balances: Sequence[Mapping[str, Any]]
) -> LetterAnswer:
    answer = LetterAnswer(**values)
    session.add(answer)
    session.add_all(AnswerBalance(answer=answer, **balance) for balance in balances)
    return answer


def tie_figures(
    read: ReadMessage, ours: Sequence[BalanceFigure]
) -> dict[str, tuple[Decimal, str]] | None:
    """Their balance per currency of the letter, from a disagreeing reply's figures; `None`
    when a figure cannot be tied to one currency of the letter (the letter lists several
    and the figure names none, or names one the letter does not have): unclear then.

    A letter of one currency takes the reply's balance as before. In a letter of several,
    a figure that names a currency is tied to it; an unmarked plain number beside tied
    figures (a phone number, a document number) is left alone."""
    currencies = [f.currency for f in ours]
    if len(currencies) <= 1:
        tied = [f for f in read.figures if f.currency and f.currency in currencies]
        if tied:
            return {currencies[0]: (tied[0].amount, tied[0].side)}
        if read.balance is None or not currencies:
            return {}
        return {currencies[0]: (read.balance, read.side)}
    theirs: dict[str, tuple[Decimal, str]] = {}
    loose: list[Figure] = []
    for figure in read.figures:
        if figure.currency in currencies:
            theirs.setdefault(figure.currency, (figure.amount, figure.side))
        elif figure.currency or figure.marked or figure.decimals:
            return None
        else:
            loose.append(figure)
    if loose and not theirs:
        return None
    return theirs


def _apply_answer(
    session: Session,
    letter: LetterRow,
    read: ReadMessage,
    now: dt.datetime,
    addresses: set[str],
    ours: Sequence[BalanceFigure],
    rows: Rows,
) -> IntakeResult:
    foreign = read.from_address not in addresses
    theirs: dict[str, tuple[Decimal, str]] | None = {}
    if read.answer is AnswerKind.DISAGREED:
        theirs = tie_figures(read, ours)
        if theirs is None:
            read = replace(read, answer=AnswerKind.UNCLEAR)
            theirs = {}
        # A figure no balance column holds (18 digits) is no balance: the text keeps it.
        theirs = {c: v for c, v in theirs.items() if abs(v[0]) < _MAX_FIGURE}
    values, balances = answer_row(
        letter,
        read.answer,
        theirs or {},
        ours,
        note="",
        excerpt=read.text,
        from_address=read.from_address,
        channel="email",
        recorded_by=MAILBOX_ACTOR,
        message_key=read.key,
        now=now,
        foreign_sender=foreign,
    )
    if balances and isinstance(rows, BulkRows):
        rows.add_tree(LetterAnswer, values, AnswerBalance, balances, "answer_id")
    elif balances:
        write_answer(session, values, balances)  # its balances need its key
    else:
        rows.add(LetterAnswer, **values)
    target = KIND_TO_STATE[read.answer]
    sender = read.from_address or "?"
    if foreign:
        sender += ", alıcılardan değil"
    detail = f"{KIND_WORD[read.answer]} ({sender})"
    for currency, (amount, side) in (theirs or {}).items():
        detail += (
            f", bakiye {format_money(amount, currency)} {side_label(side) if side else ''}".rstrip()
        )
    if read.answer is not AnswerKind.UNCLEAR or letter.state in _OPEN_FOR_UNCLEAR:
        why = history_reason(
            "email_answer_foreign" if foreign else "email_answer",
            kind=read.answer.value,
            sender=read.from_address or "?",
            balances=[[str(amount), currency, side] for currency, (amount, side) in theirs.items()]
            if theirs
            else None,
        )
        change_letter_state(session, letter, target, MAILBOX_ACTOR, why, now, rows)
    return IntakeResult(IntakeOutcome.ANSWER, read.key, letter.id, letter.state, detail)


def _apply_bounce(
    session: Session,
    letter: LetterRow,
    read: ReadMessage,
    now: dt.datetime,
    recipients: list[RecipientRow],
    rows: Rows,
) -> IntakeResult:
    recorded = record_bounce(session, letter, read, MAILBOX_ACTOR, now, recipients, rows)
    if not recorded.bounced:
        detail = "; ".join(recorded.delayed) or "başarısız alıcı yok"
        return IntakeResult(IntakeOutcome.REPORT, read.key, letter.id, letter.state, detail[:1000])
    detail = "; ".join(recorded.bounced)
    if recorded.all_bounced:
        why = history_reason("bounced", detail=detail)
        change_letter_state(session, letter, LetterState.BOUNCED, MAILBOX_ACTOR, why, now, rows)
    return IntakeResult(IntakeOutcome.BOUNCE, read.key, letter.id, letter.state, detail[:1000])


def _sent_at(header: str) -> str:
    """A message's Date header as the interface writes a time (`06.12.2026 07:55`, local);
    as it stands when it does not read as a date, "—" when there is none."""
    if not header:
        return "—"
    try:
        sent = parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError, OverflowError):
        return header
    # A header without a zone ("-0000") is said as written, not taken for UTC.
    return format_moment(sent) if sent.tzinfo is not None else f"{sent:%d.%m.%Y %H:%M}"
