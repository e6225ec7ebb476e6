"""Resending a bounced or failed letter (SPEC E3), to the same or to corrected addresses.

The letter goes back to `queued` with one new recipient row per address (a recipient row
is one delivery attempt to one address; the bounced ones stay as they were, with their
diagnostic). With `corrected=True` the addresses come from the account card as it is now
(after the user fixed it); otherwise the letter's own addresses are used again. The stored
message keeps its Message-ID and reply token; only its `To` header is rewritten, byte for
byte in place, so answers still find the letter. The sender delivers it like any other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.utils import formataddr

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from tui_mutabakat.data.base import utcnow
from tui_mutabakat.data.outbox_models import (
    Letter,
    Recipient,
    RecipientEvent,
)
from tui_mutabakat.domain.states import BatchState, LetterState, RecipientState
from tui_mutabakat.mail.message import clean_header
from tui_mutabakat.services.context import Actor, record
from tui_mutabakat.services.intake import change_letter_state
from tui_mutabakat.services.letters import recipients_for

RESENDABLE = frozenset({LetterState.BOUNCED, LetterState.FAILED})
_TO = re.compile(rb"^To:[^\r\n]*(?:\r\n[ \t][^\r\n]*)*\r\n", re.IGNORECASE | re.MULTILINE)


@dataclass
class ResendResult:
    queued: list[int] = field(default_factory=list)
    #: (letter id, why it was not resent) — in Turkish, for the user.
    skipped: list[tuple[int, str]] = field(default_factory=list)


def replace_to(message: bytes, to: Sequence[tuple[str, str]]) -> bytes:
    """The message with its `To` header (in the header block only) replaced."""
    head, sep, body = message.partition(b"\r\n\r\n")
    value = ", ".join(
        formataddr((clean_header(n), clean_header(a)), charset="utf-8") for n, a in to
    )
    line = f"To: {value}\r\n".encode("ascii", "replace")
    new_head, count = _TO.subn(lambda _m: line, head + b"\r\n", count=1)
    if count == 0:
        new_head = head + b"\r\n" + line
    return new_head[:-2] + sep + body


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
        if letter.state not in RESENDABLE:
            result.skipped.append((letter.id, "Yalnız geri dönen ya da gönderilemeyen mektup"))
            continue
        if corrected:
            people = current.get(letter.account_id) if letter.account_id is not None else None
            if people is None or not people.addressees:
                why = "; ".join(people.problems) if people else "Hesap bulunamadı"
                result.skipped.append((letter.id, why or "Geçerli alıcı yok"))
                continue
            to = [(a.name, a.address, a.contact_id) for a in people.addressees]
        else:
            seen: dict[str, tuple[str, str, int | None]] = {}
            for r in letter.recipients:
                seen.setdefault(r.address.lower(), (r.name, r.address, r.contact_id))
            to = list(seen.values())
        stored = letter.content
        if stored is not None:
            stored.message = replace_to(stored.message, [(n, a) for n, a, _c in to])
        rows = [Recipient(letter_id=letter.id, contact_id=c, name=n, address=a) for n, a, c in to]
        session.add_all(rows)
        session.flush()
        why = "Yeniden gönderim: " + ", ".join(a for _n, a, _c in to)
        for row in rows:
            session.add(
                RecipientEvent(
                    recipient_id=row.id,
                    actor=actor.login,
                    from_state=None,
                    to_state=RecipientState.QUEUED.value,
                    reason=why,
                    at=now,
                )
            )
        change_letter_state(session, letter, LetterState.QUEUED, actor.login, why, now)
        letter.next_attempt_at = now
        letter.last_error = ""
        if letter.batch.state is BatchState.DONE:
            letter.batch.state = BatchState.OPEN
            letter.batch.finished_at = None
        record(session, actor, "resend", "letter", letter.id, why[:500])
        result.queued.append(letter.id)
    session.flush()
    return result
