"""Resending a bounced or failed letter (SPEC E3), to the same or to corrected addresses.

The letter goes back to `queued` with one new recipient row per address (a recipient row
is one delivery attempt to one address; the bounced ones stay as they were, with their
diagnostic). With `corrected=True` the addresses come from the account card as it is now
(after the user fixed it); otherwise the letter's own addresses are used again. A resend is
a new message (mail systems drop a message whose ID they have seen): the stored message gets
a new Message-ID, `In-Reply-To`/`References` naming the earlier ones, a new `Date` and the new
`To`; the body and the reply token stay, byte for byte. The new ID is recorded
(`services/sending/message_ids.py`), so an answer to any of the messages finds the letter.
The sender delivers it like any other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import format_datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.outbox_models import (
    Letter,
    Recipient,
    RecipientEvent,
)
from tui_mutabakat.domain.history import reason as history_reason
from tui_mutabakat.domain.states import BatchState, LetterState, RecipientState
from tui_mutabakat.domain.text import join_sentences
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.mail.message import (
    address_field,
    follow_up_fields,
    header_field,
    new_message_id,
    set_fields,
)
from tui_mutabakat.services.context import Actor, record
from tui_mutabakat.services.sending.letters import recipients_for
from tui_mutabakat.services.sending.message_ids import message_ids_of, record_message_id
from tui_mutabakat.services.tracking.intake import change_letter_state

RESENDABLE = frozenset({LetterState.BOUNCED, LetterState.FAILED})


@dataclass
class ResendResult:
    queued: list[int] = field(default_factory=list)
    #: (letter id, why it was not resent) — in Turkish, for the user.
    skipped: list[tuple[int, str]] = field(default_factory=list)


def as_resend(
    message: bytes,
    to: Sequence[tuple[str, str]],
    message_id: str,
    earlier: Sequence[str],
    now: dt.datetime,
) -> bytes:
    """The stored message as a new message: its `To`, `Message-ID`, `Date`, `In-Reply-To`
    (the first message) and `References` (the earlier ones) replaced, the body unchanged."""
    in_reply_to, references = follow_up_fields(earlier[0], earlier)
    return set_fields(
        message,
        [
            ("To", address_field("To", to)),
            ("Date", header_field("Date", format_datetime(now))),
            ("Message-ID", header_field("Message-ID", message_id)),
            ("In-Reply-To", in_reply_to),
            ("References", references),
        ],
    )


def resend_letters(
    session: Session, actor: Actor, letter_ids: Sequence[int], *, corrected: bool = True
) -> ResendResult:
    result = ResendResult()
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
    account_ids = [letter.account_id for letter in letters if letter.account_id is not None]
    current = recipients_for(session, account_ids) if corrected and account_ids else {}
    for letter in letters:
        named = f"{letter.account_code} {letter.account_title}"
        if letter.state not in RESENDABLE:
            refusal = _(
                "{letter}: yeniden gönderilmedi — yalnız geri dönen ya da gönderilemeyen "
                "mektup yeniden gönderilir."
            )
            result.skipped.append((letter.id, refusal.format(letter=named)))
            continue
        if corrected:
            people = current.get(letter.account_id) if letter.account_id is not None else None
            if people is None or not people.addressees:
                problems = join_sentences(people.problems) if people else _("Hesap bulunamadı")
                refusal = _("{letter}: yeniden gönderilmedi — {problems}.")
                result.skipped.append(
                    (
                        letter.id,
                        refusal.format(
                            letter=named,
                            problems=(problems or _("Geçerli alıcı yok")).rstrip("."),
                        ),
                    )
                )
                continue
            to = [(a.name, a.address, a.contact_id) for a in people.addressees]
        else:
            seen: dict[str, tuple[str, str, int | None]] = {}
            for r in letter.recipients:
                seen.setdefault(r.address.lower(), (r.name, r.address, r.contact_id))
            to = list(seen.values())
        stored = letter.content
        if stored is not None:
            message_id = new_message_id(letter.token, letter.batch.from_address)
            earlier = message_ids_of(session, letter)
            addresses = [(n, a) for n, a, _c in to]
            stored.message = as_resend(stored.message, addresses, message_id, earlier, now)
            record_message_id(session, letter.id, message_id, "resend", now)
        rows = [Recipient(letter_id=letter.id, contact_id=c, name=n, address=a) for n, a, c in to]
        session.add_all(rows)
        session.flush()
        why = history_reason("resend", addresses=", ".join(a for _n, a, _c in to))
        for row in rows:
            session.add(
                RecipientEvent(
                    recipient_id=row.id,
                    actor=actor.login,
                    from_state=None,
                    to_state=RecipientState.QUEUED.value,
                    **why.columns(),
                    at=now,
                )
            )
        change_letter_state(session, letter, LetterState.QUEUED, actor.login, why, now)
        letter.next_attempt_at = now
        letter.last_error = ""
        if letter.batch.state is BatchState.DONE:
            letter.batch.state = BatchState.OPEN
            letter.batch.finished_at = None
        record(session, actor, "resend", "letter", letter.id, why.turkish[:500])
        result.queued.append(letter.id)
    session.flush()
    return result
