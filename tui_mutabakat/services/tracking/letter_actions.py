"""What the tracking screens need to ask before and after acting on sent letters (SPEC E3):
which letters a question names, what the answer dialog shows, and which batches the
queued resends and reminders went into (the screen sends those at once)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from tui_mutabakat.data.outbox_models import Letter
from tui_mutabakat.data.tracking_models import LetterReminder
from tui_mutabakat.domain.states import LETTER_TRANSITIONS, LetterState, letter_state_label
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.services.tracking.letter_balances import figures_of, figures_text
from tui_mutabakat.services.tracking.tracking import latest_answer


def letters_named(session: Session, ids: Sequence[int]) -> str:
    """Which letters an action acts on: one → its account code and title ("120.001 Firma 1");
    several → their count and the first three codes ("5 mektup: 120.001, 120.002, 120.003…")."""
    rows = session.execute(
        select(Letter.account_code, Letter.account_title)
        .where(Letter.id.in_(sorted(ids)[:3]))
        .order_by(Letter.id)
    ).all()
    if len(ids) == 1 and rows:
        code, title = rows[0]
        return f"{code} {title}"
    codes = ", ".join(code for code, _title in rows)
    more = "…" if len(ids) > 3 else ""
    return ngettext("{count} mektup: {codes}", "{count} mektup: {codes}", len(ids)).format(
        count=len(ids), codes=codes + more
    )


@dataclass(frozen=True, slots=True)
class AnswerContext:
    """What the answer dialog shows for the chosen letters.

    `unclear`: one letter whose e-mailed answer could not be read — the user decides it,
    seeing `message` (the answer's excerpt or note). `currencies`: the letter's currencies
    (one field each); empty for several letters. `subject`: the letter and our balances, or
    the letters named. `answered`: a line naming the letters that already have an answer
    (which a new one overwrites), empty when none has. `codes`: the account codes of
    several letters (a balance is typed per letter: the dialog names them), empty for one."""

    unclear: bool
    message: str | None
    currencies: tuple[str, ...]
    subject: str
    answered: str = ""
    codes: str = ""
    #: The answer the dialog opens with: what the letter's state says ("agreed",
    #: "disagreed"); none ("") for an unclear reply — the user decides it.
    chosen: str = "agreed"


_ANSWERED = (LetterState.AGREED, LetterState.DISAGREED)


def answered_line(session: Session, ids: Sequence[int]) -> str:
    """ "120.01.002 zaten yanıtlı: Mutabık — üzerine yazılacak" for the letters among `ids`
    that already have an answer (the first five named); empty when none has."""
    rows = session.execute(
        select(Letter.account_code, Letter.state)
        .where(Letter.id.in_(ids), Letter.state.in_(_ANSWERED))
        .order_by(Letter.account_code, Letter.id)
    ).all()
    if not rows:
        return ""
    named = ", ".join(f"{code}: {letter_state_label(state)}" for code, state in rows[:5])
    more = "…" if len(rows) > 5 else ""
    return _("Zaten yanıtlı (üzerine yazılacak): {letters}").format(letters=named + more)


def letter_codes(session: Session, ids: Sequence[int]) -> str:
    """The account codes of the letters, in code order (the first eight)."""
    codes = list(
        session.scalars(
            select(Letter.account_code).where(Letter.id.in_(ids)).order_by(Letter.account_code)
        )
    )
    return ", ".join(codes[:8]) + ("…" if len(codes) > 8 else "")


def answer_context(session: Session, ids: Sequence[int]) -> AnswerContext:
    letter = session.get(Letter, ids[0]) if len(ids) == 1 else None
    answered = answered_line(session, ids)
    if letter is None:
        named = letters_named(session, ids)
        return AnswerContext(False, None, (), named, answered, letter_codes(session, ids))
    unclear = letter.state is LetterState.UNCLEAR
    answer = latest_answer(session, letter.id) if unclear else None
    message = (answer.excerpt or answer.note) if answer is not None else None
    figures = figures_of(session, letter)
    subject = _("{letter} — bizim bakiyemiz: {figures}").format(
        letter=f"{letter.account_code} {letter.account_title}", figures=figures_text(figures)
    )
    currencies = tuple(f.currency for f in figures)
    chosen = {LetterState.AGREED: "agreed", LetterState.DISAGREED: "disagreed"}.get(
        letter.state, "" if unclear else "agreed"
    )
    return AnswerContext(unclear, message, currencies, subject, answered, chosen=chosen)


def not_cancellable(session: Session, ids: Sequence[int]) -> list[tuple[int, str]]:
    """The letters among `ids` that cannot be cancelled, each with a whole sentence naming
    it and why ("120.01.006 Ekinci …: yanıtlanmış; yanıtlanmış mektup iptal edilemez.")."""
    rows = session.execute(
        select(
            Letter.id, Letter.account_code, Letter.account_title, Letter.state, Letter.claim_token
        )
        .where(Letter.id.in_(list(ids)))
        .order_by(Letter.account_code, Letter.id)
    ).all()
    refused = []
    for letter_id, code, title, state, claim in rows:
        after = LETTER_TRANSITIONS[LetterState(state)]
        if state in _ANSWERED:
            why = _("yanıtlanmış; yanıtlanmış mektup iptal edilemez.")
        elif state is LetterState.CANCELLED:
            why = _("zaten iptal edilmiş.")
        elif LetterState.CANCELLED not in after:
            why = _("{state} durumundaki mektup iptal edilemez.").format(
                state=letter_state_label(LetterState(state))
            )
        elif claim is not None:
            why = _("şu an gönderiliyor; gönderim bitince yeniden deneyin.")
        else:
            continue
        refused.append((letter_id, f"{code} {title}: {why}"))
    return refused


def letter_account_id(session: Session, letter_id: int) -> int | None:
    """The account a letter went to, or `None` when the letter or its account is gone."""
    return session.scalar(select(Letter.account_id).where(Letter.id == letter_id))


def batches_of(session: Session, letter_ids: Sequence[int]) -> list[int]:
    """The batches the given letters are in (a resend goes out with its batch)."""
    if not letter_ids:
        return []
    found = session.scalars(select(Letter.batch_id).where(Letter.id.in_(letter_ids)))
    return sorted(set(found))


def reminder_batches(session: Session, letter_ids: Sequence[int], day: dt.date) -> list[int]:
    """The batches of the reminders written on `day` for the given letters: a reminder is a
    new letter in a reminder batch of its own."""
    if not letter_ids:
        return []
    found = session.scalars(
        select(Letter.batch_id)
        .join(LetterReminder, LetterReminder.outbox_letter_id == Letter.id)
        .where(LetterReminder.letter_id.in_(letter_ids), LetterReminder.day == day)
    )
    return sorted(set(found))
