"""The Message-IDs a letter went out under (SPEC E3, E4, E6).

A letter's first message has `Letter.message_id`. A resend and a reminder are new
messages (a mail system drops a message whose ID it has seen): each gets its own
Message-ID, names the earlier ones in `In-Reply-To`/`References` and carries the letter's
reply token; its ID is kept in `SentMessageId`, so an answer or a bounce that refers to
any of them finds the letter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from tui_mutabakat.data.outbox_models import Letter
from tui_mutabakat.data.tracking_models import SentMessageId

#: At most this many earlier Message-IDs in `References` (the first and the newest).
MAX_REFERENCES = 20


def record_message_id(
    session: Session, letter_id: int, message_id: str, kind: str, now: dt.datetime
) -> None:
    session.add(
        SentMessageId(letter_id=letter_id, message_id=message_id, kind=kind, created_at=now)
    )


def message_ids_of(session: Session, letter: Letter) -> list[str]:
    """Every Message-ID the letter went out under, the first one first (for `References`:
    the first and the newest ones when there are many)."""
    later = list(
        session.scalars(
            select(SentMessageId.message_id)
            .where(SentMessageId.letter_id == letter.id)
            .order_by(SentMessageId.id)
        )
    )
    ids = [letter.message_id, *later]
    return ids if len(ids) <= MAX_REFERENCES else [ids[0], *ids[-(MAX_REFERENCES - 1) :]]


def letters_by_message_id(session: Session, message_ids: Collection[str]) -> dict[str, Letter]:
    """The letter each of these Message-IDs was sent for. A reminder's own outbox row has
    the reminder's ID too; the letter it reminds of wins."""
    ids = list(message_ids)
    if not ids:
        return {}
    found = {
        letter.message_id: letter
        for letter in session.scalars(select(Letter).where(Letter.message_id.in_(ids)))
    }
    for message_id, letter in session.execute(
        select(SentMessageId.message_id, Letter)
        .join(Letter, Letter.id == SentMessageId.letter_id)
        .where(SentMessageId.message_id.in_(ids))
    ):
        found[message_id] = letter
    return found
