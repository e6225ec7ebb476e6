"""What the mailbox brings back, applied to the letters (SPEC E4, E7).

`process_message` reads one raw message and, in the caller's transaction: records it as
processed (its Message-ID is unique, so it is handled once whatever happens), matches it to
a letter (reply token, then our Message-IDs it refers to), and then

- an answer: appends a `LetterAnswer` and moves the letter to agreed / disagreed / unclear
  with a `LetterEvent` by "mailbox" (an unclear reply never undoes a definite answer);
- a bounce: marks each named recipient `bounced` with the diagnostic (`RecipientEvent`,
  `BounceNotice`), and the letter `bounced` once every accepted recipient has bounced;
- an automatic reply: noted, nothing changes;
- nothing matched: noted; the mailbox reader leaves such mail alone.

The history's "why" is written in Turkish, like the rest of the stored history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.outbox_models import Letter, LetterEvent, Recipient, RecipientEvent
from tui_mutabakat.data.tracking_models import (
    AnswerBalance,
    BounceNotice,
    LetterAnswer,
    ProcessedMessage,
)
from tui_mutabakat.domain.states import LetterState, RecipientState, can_transition
from tui_mutabakat.mail.addresses import wire_address
from tui_mutabakat.mail.answers import FailedRecipient, MessageKind, ReadMessage, read_message
from tui_mutabakat.mail.reply_text import AnswerKind, Figure
from tui_mutabakat.services.letter_balances import BalanceFigure, figures_of
from tui_mutabakat.services.message_ids import letters_by_message_id

MAILBOX_ACTOR = "mailbox"

#: States in which an unclear reply is allowed to move the letter.
_OPEN_FOR_UNCLEAR = frozenset({LetterState.SENT, LetterState.NO_ANSWER})

KIND_TO_STATE = {
    AnswerKind.AGREED: LetterState.AGREED,
    AnswerKind.DISAGREED: LetterState.DISAGREED,
    AnswerKind.UNCLEAR: LetterState.UNCLEAR,
}
_KIND_WORD = {
    AnswerKind.AGREED: "mutabık",
    AnswerKind.DISAGREED: "mutabık değil",
    AnswerKind.UNCLEAR: "belirsiz",
}


class Outcome:
    ANSWER = "answer"
    BOUNCE = "bounce"
    AUTO = "auto"
    UNMATCHED = "unmatched"
    DUPLICATE = "duplicate"


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


class LetterLookup:
    """What a chunk of messages needs from the database, read in three queries instead of
    two per message: which were processed already, and the letters their tokens and
    Message-IDs name."""

    def __init__(self, session: Session, reads: Sequence[ReadMessage]) -> None:
        keys = [r.key for r in reads]
        tokens = {t for r in reads for t in r.tokens}
        ids = {m for r in reads for m in r.refers_to}
        self.processed: set[str] = set(
            session.scalars(
                select(ProcessedMessage.message_key).where(ProcessedMessage.message_key.in_(keys))
            )
        )
        self._by_token: dict[str, Letter] = {}
        self._by_id: dict[str, Letter] = {}
        if tokens:
            for letter in session.scalars(select(Letter).where(Letter.token.in_(tokens))):
                self._by_token[letter.token] = letter
        if ids:
            self._by_id = letters_by_message_id(session, ids)

    def find(self, read: ReadMessage) -> Letter | None:
        for token in read.tokens:
            if token in self._by_token:
                return self._by_token[token]
        for message_id in read.refers_to:
            if message_id in self._by_id:
                return self._by_id[message_id]
        return None


def process_message(
    session: Session,
    raw: bytes,
    *,
    mailbox: str = "",
    uid: int | None = None,
    now: dt.datetime | None = None,
) -> IntakeResult:
    """Handle one message once; a message already processed changes nothing."""
    return process_read(session, read_message(raw), mailbox=mailbox, uid=uid, now=now)


def process_read(
    session: Session,
    read: ReadMessage,
    *,
    mailbox: str = "",
    uid: int | None = None,
    now: dt.datetime | None = None,
    lookup: LetterLookup | None = None,
) -> IntakeResult:
    """`process_message` for a message already read; `lookup` serves a whole chunk."""
    done = (read.key in lookup.processed) if lookup else already_processed(session, read.key)
    if done:
        return IntakeResult(Outcome.DUPLICATE, read.key)
    now = now or utcnow()
    letter = lookup.find(read) if lookup else find_letter(session, read)
    if letter is None:
        result = IntakeResult(Outcome.UNMATCHED, read.key, detail=read.subject[:200])
    elif read.kind == MessageKind.BOUNCE:
        result = _apply_bounce(session, letter, read, now)
    elif read.kind == MessageKind.AUTO:
        result = IntakeResult(Outcome.AUTO, read.key, letter.id, letter.state, read.subject[:200])
    else:
        result = _apply_answer(session, letter, read, now)
    session.add(
        ProcessedMessage(
            message_key=read.key,
            mailbox=mailbox,
            uid=uid,
            outcome=result.outcome,
            letter_id=result.letter_id,
            detail=result.detail,
            processed_at=now,
        )
    )
    if lookup is None:
        session.flush()
    else:
        lookup.processed.add(read.key)
    return result


def find_letter(session: Session, read: ReadMessage) -> Letter | None:
    """The letter a message is about: by reply token first, then by our Message-ID."""
    if read.tokens:
        found = session.scalars(select(Letter).where(Letter.token.in_(read.tokens))).all()
        by_token = {letter.token: letter for letter in found}
        for token in read.tokens:
            if token in by_token:
                return by_token[token]
    by_id = letters_by_message_id(session, read.refers_to)
    return next((by_id[m] for m in read.refers_to if m in by_id), None)


def signed_balance(amount: Decimal, side: str, ours: Decimal) -> Decimal:
    """Their balance signed like `Letter.balance` (debit positive). Without a side it is
    taken to lie on the same side as ours."""
    if side == "B":
        return abs(amount)
    if side == "A":
        return -abs(amount)
    return -abs(amount) if ours < 0 else abs(amount)


def change_letter_state(
    session: Session, letter: Letter, new: LetterState, actor: str, why: str, now: dt.datetime
) -> bool:
    """Move the letter and append the event; False when the move is not allowed."""
    if letter.state is new or not can_transition(letter.state, new):
        return False
    session.add(
        LetterEvent(
            letter_id=letter.id,
            actor=actor,
            from_state=letter.state.value,
            to_state=new.value,
            reason=why,
            at=now,
        )
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
) -> LetterAnswer:
    """`theirs`: their balance per currency (amount, side); without it, `balance` is their
    balance in the letter's (first) currency."""
    ours = {f.currency: f for f in figures_of(session, letter)}
    if theirs is None:
        theirs = {} if balance is None else {letter.currency: (balance, side)}
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
    answer = LetterAnswer(
        letter_id=letter.id,
        kind=kind.value,
        their_balance=balance,
        their_side=side,
        difference=difference,
        note=note,
        excerpt=excerpt,
        from_address=from_address,
        channel=channel,
        recorded_by=recorded_by,
        message_key=message_key,
        answered_at=now,
    )
    session.add(answer)
    if differences:
        session.flush()
        session.add_all(
            AnswerBalance(
                answer_id=answer.id,
                currency=currency,
                their_balance=theirs[currency][0],
                their_side=theirs[currency][1],
                difference=value,
            )
            for currency, value in differences.items()
        )
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
    session: Session, letter: Letter, read: ReadMessage, now: dt.datetime
) -> IntakeResult:
    theirs: dict[str, tuple[Decimal, str]] | None = {}
    if read.answer is AnswerKind.DISAGREED:
        theirs = tie_figures(read, figures_of(session, letter))
        if theirs is None:
            read = replace(read, answer=AnswerKind.UNCLEAR)
            theirs = {}
    add_answer(
        session,
        letter,
        read.answer,
        balance=None,
        side="",
        theirs=theirs,
        note="",
        excerpt=read.text,
        from_address=read.from_address,
        channel="email",
        recorded_by=MAILBOX_ACTOR,
        message_key=read.key,
        now=now,
    )
    target = KIND_TO_STATE[read.answer]
    detail = f"{_KIND_WORD[read.answer]} ({read.from_address})"
    for currency, (amount, side) in (theirs or {}).items():
        detail += f", bakiye {amount} {currency} {side}".rstrip()
    if read.answer is not AnswerKind.UNCLEAR or letter.state in _OPEN_FOR_UNCLEAR:
        change_letter_state(
            session, letter, target, MAILBOX_ACTOR, f"E-posta yanıtı: {detail}", now
        )
    return IntakeResult(Outcome.ANSWER, read.key, letter.id, letter.state, detail)


def _apply_bounce(
    session: Session, letter: Letter, read: ReadMessage, now: dt.datetime
) -> IntakeResult:
    recipients = list(session.scalars(select(Recipient).where(Recipient.letter_id == letter.id)))
    # A report names an IDN domain as the server saw it: in A-labels (`xn--…`).
    by_address = {
        key: r for r in recipients for key in (r.address.lower(), wire_address(r.address).lower())
    }
    failed = [(by_address.get(f.address), f) for f in read.failed]
    hits = [(r, f) for r, f in failed if r is not None]
    if not hits and len(read.failed) <= 1:
        # A bounce that names no address we know (or none at all) for a letter that went
        # to one address only can only be about that address.
        accepted = [r for r in recipients if r.state is RecipientState.ACCEPTED]
        if len(accepted) == 1 and len(recipients) == 1:
            info = read.failed[0] if read.failed else FailedRecipient(accepted[0].address)
            hits = [(accepted[0], info)]
    notes: list[str] = []
    for recipient, info in hits:
        if recipient.state is RecipientState.BOUNCED:
            continue
        diagnostic = info.diagnostic or read.text[:300]
        reason = f"{info.status} {diagnostic}".strip()
        session.add(
            RecipientEvent(
                recipient_id=recipient.id,
                actor=MAILBOX_ACTOR,
                from_state=recipient.state.value,
                to_state=RecipientState.BOUNCED.value,
                smtp_code=_smtp_code(diagnostic),
                reason=reason,
                at=now,
            )
        )
        session.add(
            BounceNotice(
                letter_id=letter.id,
                recipient_id=recipient.id,
                address=recipient.address,
                status=info.status,
                diagnostic=diagnostic,
                message_key=read.key,
                received_at=now,
            )
        )
        recipient.state = RecipientState.BOUNCED
        notes.append(f"{recipient.address}: {reason}")
    detail = "; ".join(notes) or "alıcı bulunamadı"
    delivered = [r for r in recipients if r.state is RecipientState.ACCEPTED]
    bounced = [r for r in recipients if r.state is RecipientState.BOUNCED]
    if notes and bounced and not delivered:
        change_letter_state(
            session, letter, LetterState.BOUNCED, MAILBOX_ACTOR, f"Geri döndü: {detail}", now
        )
    return IntakeResult(Outcome.BOUNCE, read.key, letter.id, letter.state, detail[:1000])


def _smtp_code(diagnostic: str) -> int | None:
    head = diagnostic.strip()[:3]
    return int(head) if head.isdigit() else None
