"""Reminders and expiry (SPEC E6).

A reminder goes through the same outbox as the letters: one reminder batch per original
batch and day (marked in `criteria`, left out of the grouped view), one outbox letter per
reminded letter, to the addresses that accepted the original. Its message carries the
ORIGINAL letter's reply token (subject, `X-Mutabakat-Token`, inside its Message-ID) and
names the letter's messages in `In-Reply-To`/`References`; its own Message-ID is recorded
for the original letter (`services/sending/message_ids.py`), so an answer to the reminder is matched
to the original letter. `LetterReminder` has one row per
letter and day (unique): never two reminders on the same day.

Automatic reminders (`due_reminders`) go once per letter, N days (working settings) before
the answer-by date, only to letters still `sent` (never to an answered one).
`expire_overdue` moves letters still `sent` past their answer-by date to `no_answer`.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
from collections.abc import Sequence
from email.message import EmailMessage

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.outbox_models import (
    Letter,
    LetterBalance,
    LetterEvent,
    LetterMessage,
    Recipient,
    ReconciliationBatch,
)
from tui_mutabakat.data.tracking_models import LetterReminder
from tui_mutabakat.domain.formatting import format_day
from tui_mutabakat.domain.history import reason as history_reason
from tui_mutabakat.domain.states import BatchState, LetterState, RecipientState
from tui_mutabakat.mail.message import (
    OutgoingLetter,
    build_message,
    new_message_id,
    new_token,
    subject_with_token,
)
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.portal.links import links_of
from tui_mutabakat.services.sending.message_ids import message_ids_of, record_message_id
from tui_mutabakat.services.sending.outbox import (
    letter_event,
    recipient_event,
    write_letter_events,
    write_recipient_events,
)
from tui_mutabakat.services.settings.working_settings import get_working_settings
from tui_mutabakat.services.tracking.intake import change_letter_state
from tui_mutabakat.services.tracking.tracking import REMINDER_MARK, is_reminder_batch

#: Letter states a reminder may be sent for (not answered).
REMINDABLE = frozenset({LetterState.SENT, LetterState.NO_ANSWER})


def due_reminders(session: Session, today: dt.date) -> list[int]:
    """Letters that get their automatic reminder today: still `sent`, sent before today (a
    letter is never reminded of on the day it went out), the answer-by date within the next
    N days, no reminder yet."""
    days = get_working_settings(session).reminder_days_before
    if days <= 0:
        return []
    start_of_today = dt.datetime.combine(today, dt.time.min, tzinfo=dt.UTC)
    query = (
        select(Letter.id)
        .join(ReconciliationBatch, Letter.batch_id == ReconciliationBatch.id)
        .where(
            Letter.state == LetterState.SENT,
            Letter.sent_at < start_of_today,
            ReconciliationBatch.answer_by >= today,
            ReconciliationBatch.answer_by <= today + dt.timedelta(days=days),
            ~exists().where(LetterReminder.letter_id == Letter.id),
            ~is_reminder_batch(),
        )
        .order_by(Letter.id)
    )
    return list(session.scalars(query))


def send_reminders(
    session: Session, actor: Actor | str, letter_ids: Sequence[int], today: dt.date
) -> list[int]:
    """Queue a reminder for each letter that may have one today; returns their ids.

    Skipped without error: answered or cancelled letters, letters reminded today already,
    letters with no address that accepted the original.
    """
    who = actor if isinstance(actor, str) else actor.login
    now = utcnow()
    letters = session.scalars(
        select(Letter)
        .where(Letter.id.in_(list(letter_ids)))
        .options(
            selectinload(Letter.recipients),
            selectinload(Letter.batch),
            selectinload(Letter.content),
        )
        .order_by(Letter.id)
    ).all()
    reminded_today = set(
        session.scalars(
            select(LetterReminder.letter_id).where(
                LetterReminder.letter_id.in_(list(letter_ids)), LetterReminder.day == today
            )
        )
    )
    done: list[int] = []
    batches: dict[int, ReconciliationBatch] = {}
    for letter in letters:
        if letter.state not in REMINDABLE or letter.id in reminded_today:
            continue
        to = [r for r in letter.recipients if r.state is RecipientState.ACCEPTED]
        if not to:
            continue
        original = letter.batch
        batch = batches.get(original.id) or _reminder_batch(session, original, who, today, now)
        batches[original.id] = batch
        outbox_letter = _queue_reminder(session, batch, letter, to, who, now)
        session.add(
            LetterReminder(
                letter_id=letter.id,
                day=today,
                outbox_letter_id=outbox_letter.id,
                created_by=who,
                created_at=now,
            )
        )
        session.add(
            LetterEvent(
                letter_id=letter.id,
                actor=who,
                from_state=letter.state.value,
                to_state=letter.state.value,
                **history_reason(
                    "reminder_queued", addresses=", ".join(r.address for r in to)
                ).columns(),
                at=now,
            )
        )
        done.append(letter.id)
    session.flush()
    for batch in batches.values():
        batch.letter_count = (
            session.scalar(select(func.count()).where(Letter.batch_id == batch.id)) or 0
        )
        batch.prepared_at = now
    session.flush()
    return done


def _reminder_batch(
    session: Session, original: ReconciliationBatch, who: str, today: dt.date, now: dt.datetime
) -> ReconciliationBatch:
    batch = ReconciliationBatch(
        title=f"Hatırlatma {format_day(today)}: {original.title}",
        as_of=original.as_of,
        answer_by=original.answer_by,
        template_name=original.template_name,
        criteria=REMINDER_MARK + json.dumps(original.id) + "}",
        state=BatchState.OPEN,
        sender_login=original.sender_login,
        from_address=original.from_address,
        from_name=original.from_name,
        created_by=who,
        created_at=now,
    )
    session.add(batch)
    session.flush()
    return batch


def _parts(raw: bytes) -> tuple[str, str]:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    text = plain.get_content() if plain is not None else ""
    markup = html.get_content() if html is not None else ""
    return str(text), str(markup)


def _queue_reminder(
    session: Session,
    batch: ReconciliationBatch,
    letter: Letter,
    to: list[Recipient],
    who: str,
    now: dt.datetime,
) -> Letter:
    stored = letter.content
    text, html = _parts(stored.message) if stored is not None else ("", "")
    answer_by = format_day(letter.batch.answer_by)
    lead = (
        f"HATIRLATMA — {answer_by} tarihine kadar yanıtınızı beklediğimiz mutabakat "
        'mektubumuz aşağıdadır. Lütfen bu iletiyi yanıtlayarak "mutabıkız" ya da '
        '"mutabık değiliz" (bakiyenizle) yazınız.\n\n'
    )
    links = links_of(session.info)
    if links is not None:
        url = links.url(letter.token, letter.batch.answer_by)
        if url not in text:
            lead += f"Yanıtınızı şu sayfadan da verebilirsiniz: {url}\n\n"
    base_subject = letter.subject.replace(f"[{letter.token}]", "").strip()

    subject = f"Hatırlatma: {base_subject}"
    message_id = new_message_id(letter.token, batch.from_address)
    earlier = message_ids_of(session, letter)
    raw = build_message(
        OutgoingLetter(
            from_address=batch.from_address,
            from_name=batch.from_name,
            to=tuple((r.name, r.address) for r in to),
            subject=subject,
            text=lead + text,
            html=(f"<p>{lead.strip()}</p>" + html) if html else "",
            token=letter.token,
            message_id=message_id,
            date=now,
            in_reply_to=letter.message_id,
            references=tuple(earlier),
        )
    )
    reminder = Letter(
        batch_id=batch.id,
        account_id=letter.account_id,
        account_code=letter.account_code,
        account_title=letter.account_title,
        currency=letter.currency,
        debit_total=letter.debit_total,
        credit_total=letter.credit_total,
        balance=letter.balance,
        side=letter.side,
        # Its own unique token (the column is unique); the mail carries the original's.
        token=new_token(),
        message_id=message_id,
        subject=subject_with_token(subject, letter.token),
        state=LetterState.QUEUED,
        state_at=now,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(reminder)
    session.flush()
    session.add(LetterMessage(letter_id=reminder.id, message=raw))
    record_message_id(session, letter.id, message_id, "reminder", now)
    # The reminder states the balances of the letter it repeats, every currency.
    session.add_all(
        LetterBalance(
            letter_id=reminder.id,
            currency=row.currency,
            position=row.position,
            debit_total=row.debit_total,
            credit_total=row.credit_total,
            balance=row.balance,
            side=row.side,
        )
        for row in session.scalars(
            select(LetterBalance).where(LetterBalance.letter_id == letter.id)
        ).all()
    )
    rows = [
        Recipient(letter_id=reminder.id, contact_id=r.contact_id, name=r.name, address=r.address)
        for r in to
    ]
    session.add_all(rows)
    session.flush()
    why = history_reason("reminder", account=letter.account_code, letter=letter.id)
    conn = session.connection()
    write_letter_events(
        conn,
        [letter_event(reminder.id, who, None, LetterState.QUEUED.value, why, now)],
    )
    write_recipient_events(
        conn,
        [
            recipient_event(r.id, who, None, RecipientState.QUEUED.value, None, why, now)
            for r in rows
        ],
    )
    return reminder


def expire_overdue(session: Session, today: dt.date, actor: str = "worker") -> list[int]:
    """Letters still `sent` after their answer-by date become `no_answer`."""
    letters = session.scalars(
        select(Letter)
        .join(ReconciliationBatch, Letter.batch_id == ReconciliationBatch.id)
        .where(Letter.state == LetterState.SENT, ReconciliationBatch.answer_by < today)
        .where(~is_reminder_batch())
        .order_by(Letter.id)
    ).all()
    now = utcnow()
    moved = []
    for letter in letters:
        why = history_reason("answer_overdue")
        if change_letter_state(session, letter, LetterState.NO_ANSWER, actor, why, now):
            moved.append(letter.id)
    session.flush()
    return moved


def run_daily(
    session: Session, today: dt.date, actor: str = "worker"
) -> tuple[list[int], list[int]]:
    """What the worker does once a day: expire, then queue the due reminders."""
    expired = expire_overdue(session, today, actor)
    reminded = send_reminders(session, actor, due_reminders(session, today), today)
    return expired, reminded
