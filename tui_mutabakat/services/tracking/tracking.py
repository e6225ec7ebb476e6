"""Tracking sent letters (SPEC E1–E3, E7): counts per batch, the unclear answers waiting
for a person, a user's decision, answers recorded by hand, and what is still unseen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from tui_mutabakat.data.base import as_utc, utcnow
from tui_mutabakat.data.outbox_models import (
    Letter,
    LetterEvent,
    Recipient,
    RecipientEvent,
    ReconciliationBatch,
)
from tui_mutabakat.data.tracking_models import (
    AnswerAttachment,
    AnswerBalance,
    BounceNotice,
    LetterAnswer,
    LetterReminder,
    UnreadableMessage,
)
from tui_mutabakat.domain.errors import InvalidInput, NotFound, Refused
from tui_mutabakat.domain.formatting import currency_label, format_money
from tui_mutabakat.domain.history import FILE_DELIVERY, delivered_to_file, event_text
from tui_mutabakat.domain.history import reason as history_reason
from tui_mutabakat.domain.states import (
    LetterState,
    RecipientState,
    can_transition,
    letter_state_label,
    recipient_state_label,
)
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.mail.reply_text import AnswerKind
from tui_mutabakat.services.context import Actor, record
from tui_mutabakat.services.limits import amount_in_range
from tui_mutabakat.services.sending.doubt import IN_DOUBT, RESENT
from tui_mutabakat.services.tracking.intake import (
    KIND_TO_STATE,
    MAILBOX_ACTOR,
    add_answer,
    change_letter_state,
    signed_balance,
)
from tui_mutabakat.services.tracking.letter_balances import BalanceFigure, figures_of
from tui_mutabakat.services.tracking.unseen import unseen_counts as unseen_counts

#: The columns of the grouped view, in order (SPEC E1). `queued` counts `sending` too.
COUNT_COLUMNS: tuple[str, ...] = (
    "queued",
    "sent",
    "failed",
    "bounced",
    "agreed",
    "disagreed",
    "unclear",
    "no_answer",
    "cancelled",
)
#: Marks a batch made of reminders (kept in `ReconciliationBatch.criteria`).
REMINDER_MARK = '{"reminder_of":'
MANUAL_CHANNELS = ("phone", "paper")


def is_reminder_batch() -> ColumnElement[bool]:
    """True for a batch made of reminders. A reminder is a follow-up of a letter that is
    counted in its own batch (its state, its answers): whatever counts letters or batches
    (the grouped view, the dashboard, the expiry) leaves these batches out, and the reminder
    is shown in the original letter's history (`LetterReminder`, its events)."""
    return ReconciliationBatch.criteria.startswith(REMINDER_MARK)


def batch_counts(
    session: Session, batch_ids: Sequence[int] | None = None
) -> dict[int, dict[str, int]]:
    """Letters per state of each batch, every column of `COUNT_COLUMNS` present."""
    query = select(Letter.batch_id, Letter.state, func.count()).group_by(
        Letter.batch_id, Letter.state
    )
    if batch_ids is not None:
        query = query.where(Letter.batch_id.in_(list(batch_ids)))
    counts: dict[int, dict[str, int]] = {}
    for batch_id, state, count in session.execute(query):
        row = counts.setdefault(batch_id, dict.fromkeys(COUNT_COLUMNS, 0))
        column = "queued" if state is LetterState.SENDING else LetterState(state).value
        row[column] = row.get(column, 0) + int(count)
    for batch_id in batch_ids or ():
        counts.setdefault(batch_id, dict.fromkeys(COUNT_COLUMNS, 0))
    return counts


def tracking_batches(session: Session) -> list[ReconciliationBatch]:
    """The batches of the grouped view, newest first (reminder batches left out)."""
    return list(
        session.scalars(
            select(ReconciliationBatch)
            .where(~is_reminder_batch())
            .order_by(ReconciliationBatch.id.desc())
        )
    )


def mark_seen(session: Session, letter_ids: Iterable[int] | None = None) -> None:
    """The user has seen the answers and bounces of these letters (all when None)."""
    now = utcnow()
    for model in (LetterAnswer, BounceNotice):
        statement = update(model).where(model.seen_at.is_(None)).values(seen_at=now)
        if letter_ids is not None:
            statement = statement.where(model.letter_id.in_(list(letter_ids)))
        session.execute(statement)


def answers_of(session: Session, letter_id: int) -> list[LetterAnswer]:
    return list(
        session.scalars(
            select(LetterAnswer)
            .where(LetterAnswer.letter_id == letter_id)
            .order_by(LetterAnswer.id)
        )
    )


def latest_answer(session: Session, letter_id: int) -> LetterAnswer | None:
    return session.scalars(
        select(LetterAnswer)
        .where(LetterAnswer.letter_id == letter_id)
        .order_by(LetterAnswer.id.desc())
        .limit(1)
    ).first()


def unclear_letters(session: Session) -> list[Letter]:
    """Letters whose answer waits for a person's decision, oldest first."""
    return list(
        session.scalars(
            select(Letter).where(Letter.state == LetterState.UNCLEAR).order_by(Letter.state_at)
        )
    )


def _kind(kind: AnswerKind | str) -> AnswerKind:
    try:
        value = AnswerKind(kind)
    except ValueError:
        raise InvalidInput(_("Yanıt mutabık ya da mutabık değil olmalı."), "kind") from None
    if value not in (AnswerKind.AGREED, AnswerKind.DISAGREED):
        raise InvalidInput(_("Yanıt mutabık ya da mutabık değil olmalı."), "kind")
    return value


def _letter(session: Session, letter_id: int) -> Letter:
    letter = session.get(Letter, letter_id)
    if letter is None:
        raise NotFound(_("Mektup bulunamadı."))
    return letter


def decide_unclear(
    session: Session,
    actor: Actor,
    letter_id: int,
    kind: AnswerKind | str,
    balance: Decimal | None = None,
    note: str = "",
    side: str = "",
    balances: Mapping[str, tuple[Decimal, str]] | None = None,
) -> LetterAnswer:
    """A user reads an unclear reply and says what it means. `balances`: their balance
    per currency (amount, side "B"/"A"/""); `balance`: in a one-currency letter."""
    value = _kind(kind)
    letter = _letter(session, letter_id)
    if letter.state is not LetterState.UNCLEAR:
        raise Refused(_("Bu mektubun karar bekleyen bir yanıtı yok."))
    theirs = _theirs(session, letter, balance, side, balances)
    return _record(session, actor, letter, value, theirs, note, "email")


def record_manual_answer(
    session: Session,
    actor: Actor,
    letter_id: int,
    kind: AnswerKind | str,
    balance: Decimal | None = None,
    note: str = "",
    channel: str = "phone",
    side: str = "",
    balances: Mapping[str, tuple[Decimal, str]] | None = None,
) -> LetterAnswer:
    """An answer given by phone or on paper, typed in by a user (`balances`: see
    `decide_unclear`)."""
    value = _kind(kind)
    if channel not in MANUAL_CHANNELS:
        raise InvalidInput(_("Yanıt kanalı telefon ya da kâğıt olmalı."), "channel")
    letter = _letter(session, letter_id)
    target = KIND_TO_STATE[value]
    if letter.state is not target and not can_transition(letter.state, target):
        raise Refused(_("Bu durumdaki mektuba yanıt kaydedilemez."))
    theirs = _theirs(session, letter, balance, side, balances)
    return _record(session, actor, letter, value, theirs, note, channel)


def _theirs(
    session: Session,
    letter: Letter,
    balance: Decimal | None,
    side: str,
    balances: Mapping[str, tuple[Decimal, str]] | None,
) -> dict[str, tuple[Decimal, str]]:
    """Their balance per currency, checked against the letter's currencies."""
    ours = {f.currency: f for f in figures_of(session, letter)}
    if balances is None:
        if balance is None:
            return {}
        if len(ours) > 1:
            raise InvalidInput(
                _("Bu mektupta birden çok para birimi var: bakiyeyi para birimiyle girin."),
                "balance",
            )
        balances = {letter.currency: (balance, side)}
    theirs: dict[str, tuple[Decimal, str]] = {}
    for currency, (amount, their_side) in balances.items():
        figure = ours.get(currency)
        if figure is None:
            raise InvalidInput(
                _("Mektupta {currency} bakiyesi yok.").format(currency=currency_label(currency)),
                "balance",
            )
        if amount < 0:
            raise InvalidInput(_("Bakiye eksi olamaz; tarafını B/A ile belirtin."), "balance")
        amount_in_range(amount, "balance")
        if their_side not in ("", "B", "A"):
            raise InvalidInput(_("Taraf B, A ya da boş olmalı."), "side")
        theirs[currency] = (amount, their_side)
    return theirs


def checked_balances(
    session: Session, letter: Letter, balances: Mapping[str, tuple[Decimal, str]]
) -> dict[str, tuple[Decimal, str]]:
    """Their balance per currency, checked against the letter's currencies (amount not
    negative and in range, side "B"/"A"/"")."""
    return _theirs(session, letter, None, "", balances)


def _record(
    session: Session,
    actor: Actor,
    letter: Letter,
    kind: AnswerKind,
    theirs: dict[str, tuple[Decimal, str]],
    note: str,
    channel: str,
) -> LetterAnswer:
    ours = {f.currency: f for f in figures_of(session, letter)}
    for currency, (amount, their_side) in theirs.items():
        figure = ours[currency]
        signed = signed_balance(amount, their_side, figure.balance)
        if kind is AnswerKind.AGREED and signed != figure.balance:
            raise InvalidInput(
                _(
                    "Mutabıkız seçildi ama verilen bakiye ({theirs}) bizimkinden ({ours}) "
                    'farklı: "Mutabık değiliz" seçin ya da bakiyeyi boş bırakın.'
                ).format(
                    theirs=format_money(amount, currency),
                    ours=format_money(abs(figure.balance), currency),
                ),
                "balance",
            )
    now = utcnow()
    answer = add_answer(
        session,
        letter,
        kind,
        balance=None,
        side="",
        theirs=theirs,
        note=note,
        excerpt="",
        from_address="",
        channel=channel,
        recorded_by=actor.login,
        message_key=None,
        now=now,
    )
    # Typed in by the user: nothing new to be told about.
    answer.seen_at = now
    if channel == "email":  # a user's decision on an unclear e-mail reply
        why = history_reason("decided", kind=kind.value, note=note)
    else:
        why = history_reason("manual_answer", channel=channel, kind=kind.value, note=note)
    change_letter_state(session, letter, KIND_TO_STATE[kind], actor.login, why, now)
    record(session, actor, "answer", "letter", letter.id, why.turkish[:500])
    session.flush()
    return answer


@dataclass(frozen=True, slots=True)
class HistoryLine:
    """One line of a letter's history (SPEC E7): its own events and its recipients'."""

    at: dt.datetime
    actor: str
    #: "" for the letter itself, else the recipient's address.
    address: str
    from_state: str | None
    to_state: str
    reason: str
    smtp_code: int | None = None
    #: The reason's code (`domain.history.TEXTS`), "" for words as stored.
    reason_code: str = ""


@dataclass(frozen=True, slots=True)
class LetterDetails:
    """Everything the details screen shows (SPEC E2)."""

    letter: Letter
    recipients: list[Recipient]
    answers: list[LetterAnswer]
    bounces: list[BounceNotice]
    reminders: list[LetterReminder]
    history: list[HistoryLine]
    #: The balances the letter stated, one per currency.
    balances: list[BalanceFigure]
    #: Their balances per currency, by answer id.
    answer_balances: dict[int, list[AnswerBalance]]
    #: Files attached on the answer page, by answer id.
    attachments: dict[int, list[AnswerAttachment]]


def letter_details(session: Session, letter_id: int) -> LetterDetails:
    letter = _letter(session, letter_id)
    recipients = list(
        session.scalars(
            select(Recipient).where(Recipient.letter_id == letter_id).order_by(Recipient.id)
        )
    )
    by_id = {r.id: r.address for r in recipients}
    lines = [
        HistoryLine(
            e.at,
            e.actor,
            "",
            e.from_state,
            e.to_state,
            event_text(e.reason_code, e.reason_args, e.reason),
            reason_code=e.reason_code or "",
        )
        for e in session.scalars(select(LetterEvent).where(LetterEvent.letter_id == letter_id))
    ]
    if by_id:
        lines += [
            HistoryLine(
                e.at,
                e.actor,
                by_id[e.recipient_id],
                e.from_state,
                e.to_state,
                event_text(e.reason_code, e.reason_args, e.reason),
                e.smtp_code,
                e.reason_code or "",
            )
            for e in session.scalars(
                select(RecipientEvent).where(RecipientEvent.recipient_id.in_(list(by_id)))
            )
        ]
    lines.sort(key=lambda line: (as_utc(line.at), line.address))
    answers = answers_of(session, letter_id)
    answer_balances: dict[int, list[AnswerBalance]] = {}
    if answers:
        for row in session.scalars(
            select(AnswerBalance)
            .where(AnswerBalance.answer_id.in_([a.id for a in answers]))
            .order_by(AnswerBalance.answer_id, AnswerBalance.currency)
        ):
            answer_balances.setdefault(row.answer_id, []).append(row)
    attachments: dict[int, list[AnswerAttachment]] = {}
    if answers:
        for item in session.scalars(
            select(AnswerAttachment)
            .where(AnswerAttachment.answer_id.in_([a.id for a in answers]))
            .order_by(AnswerAttachment.id)
        ):
            attachments.setdefault(item.answer_id, []).append(item)
    return LetterDetails(
        letter,
        recipients,
        answers,
        list(
            session.scalars(
                select(BounceNotice)
                .where(BounceNotice.letter_id == letter_id)
                .order_by(BounceNotice.id)
            )
        ),
        list(
            session.scalars(
                select(LetterReminder)
                .where(LetterReminder.letter_id == letter_id)
                .order_by(LetterReminder.id)
            )
        ),
        lines,
        figures_of(session, letter),
        answer_balances,
        attachments,
    )


def unreadable_messages(session: Session, limit: int = 1000) -> list[UnreadableMessage]:
    """Mailbox messages intake could not apply, newest first (issue 10)."""
    return list(
        session.scalars(
            select(UnreadableMessage).order_by(UnreadableMessage.id.desc()).limit(limit)
        )
    )


def foreign_answer_letters(session: Session, letter_ids: Sequence[int]) -> set[int]:
    """Letters with an answer from an address that is not one of their recipients."""
    if not letter_ids:
        return set()
    return set(
        session.scalars(
            select(LetterAnswer.letter_id)
            .where(LetterAnswer.letter_id.in_(letter_ids), LetterAnswer.foreign_sender.is_(True))
            .distinct()
        )
    )


def history_state_label(value: str | None) -> str:
    """A state in a history line (a letter's, a recipient's, or in doubt / resent) in words."""
    if not value:
        return "—"
    if value == IN_DOUBT:
        return _("Teslimi belirsiz")
    if value == RESENT:
        return _("Yeniden gönderildi")
    if value in LetterState.__members__.values():
        return letter_state_label(LetterState(value))
    if value in RecipientState.__members__.values():
        return recipient_state_label(RecipientState(value))
    return value


def history_actor_label(actor: str) -> str:
    """The actor of a history event in words: a user's login as it is, the program's own
    parts by what they are ("mailbox" → "Posta kutusu")."""
    labels = {
        MAILBOX_ACTOR: _("Posta kutusu"),
        "worker": _("Otomatik işlem"),
        "portal": _("Yanıt sayfası"),
    }
    if actor.startswith("worker@"):  # a sender without a user: `SenderIdentity.new`
        return _("Gönderici ({where})").format(where=actor.removeprefix("worker@"))
    return labels.get(actor, actor)


def recipient_state_text(state: str, smtp_code: int | None, smtp_answer: str) -> str:
    """A recipient's state in words; a letter the file backend wrote was taken by no server:
    it says so ("Dosyaya yazıldı", not "Sunucu kabul etti")."""
    if state == RecipientState.ACCEPTED.value and delivered_to_file(smtp_code, smtp_answer):
        return _("Dosyaya yazıldı")
    return recipient_state_label(RecipientState(state))


def history_change(line: HistoryLine) -> tuple[str, str]:
    """A history line as (what happened, why) in words.

    "Kuyrukta → Gönderiliyor"; an event that left the state as it was ("Gönderildi →
    Gönderildi": a reminder queued) and the first state ("— → Kuyrukta") are their reason
    alone ("Gönderim kuyruğuna alındı"), or their state when they have none; a letter the
    file backend wrote says so by its reason ("Dosyaya yazıldı: …"), in place of the
    server's acceptance."""
    reason = line.reason
    if line.to_state == RecipientState.ACCEPTED.value and line.reason_code in FILE_DELIVERY:
        new, reason = reason, ""
    else:
        new = history_state_label(line.to_state)
    if line.from_state == line.to_state or not line.from_state:
        return (reason, "") if reason else (new, "")
    return f"{history_state_label(line.from_state)} → {new}", reason
