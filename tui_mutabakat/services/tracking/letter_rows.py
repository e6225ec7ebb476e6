"""The letters a chunk of mailbox messages names, as plain rows (SPEC E4, issue 14).

Intake reads a letter's few columns and changes only its state (and a recipient's): loading
whole ORM objects for a chunk of messages and flushing them back one by one cost as much as
reading the mail. `LetterLookup` reads what a chunk needs in a handful of Core queries —
which messages were processed already, the letters their tokens and Message-IDs name, those
letters' recipients and balances — into `LetterRow` and `RecipientRow`; intake changes
those in memory, and `write` stores the changed states by one `executemany` per table, in
the caller's transaction (or savepoint). `undo` puts the rows back as last written, for a
message whose savepoint was rolled back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Executable, Table, bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from tui_mutabakat.data.outbox_models import Letter, Recipient
from tui_mutabakat.data.tracking_models import ProcessedMessage, SentMessageId
from tui_mutabakat.domain.states import LetterState, RecipientState
from tui_mutabakat.mail.answers import ReadMessage, tokens_in_ids
from tui_mutabakat.services.tracking.letter_balances import BalanceFigure, letter_figures


@dataclass(eq=False, slots=True)
class LetterRow:
    """What intake reads of a letter; `state` and `state_at` are what it changes."""

    id: int
    token: str
    message_id: str
    currency: str
    debit_total: Decimal
    credit_total: Decimal
    balance: Decimal
    state: LetterState
    state_at: dt.datetime


@dataclass(eq=False, slots=True)
class RecipientRow:
    id: int
    letter_id: int
    address: str
    state: RecipientState


_LETTER = Letter.__table__
_RECIPIENT = Recipient.__table__
_PROCESSED = ProcessedMessage.__table__
_SENT = SentMessageId.__table__
assert isinstance(_LETTER, Table) and isinstance(_RECIPIENT, Table)
assert isinstance(_PROCESSED, Table) and isinstance(_SENT, Table)
# Core columns, not ORM attributes: statements built and compiled without the ORM.
_LETTER_COLUMNS = tuple(
    _LETTER.c[name]
    for name in (
        "id",
        "token",
        "message_id",
        "currency",
        "debit_total",
        "credit_total",
        "balance",
        "state",
        "state_at",
    )
)
_SET_LETTER_STATE = (
    update(_LETTER)
    .where(_LETTER.c.id == bindparam("row_id"))
    .values(state=bindparam("new_state"), state_at=bindparam("new_state_at"))
)
_SET_RECIPIENT_STATE = (
    update(_RECIPIENT)
    .where(_RECIPIENT.c.id == bindparam("row_id"))
    .values(state=bindparam("new_state"))
)


def _rows(session: Session, statement: Executable) -> list[Any]:
    """Plain rows, by the session's connection (in its transaction), without the ORM's
    per-row work."""
    return list(session.connection().execute(statement))


class LetterLookup:
    """What a chunk of messages needs from the database, read in a few queries instead of
    several per message: which were processed already, and the letters their tokens and
    Message-IDs name (with their recipients and balances, read on first need)."""

    def __init__(self, session: Session, reads: Sequence[ReadMessage]) -> None:
        keys = [r.key for r in reads]
        tokens = {t for r in reads for t in r.tokens}
        ids = {m for r in reads for m in r.refers_to}
        if session.autoflush:
            session.flush()  # as an ORM query would: the queries below go by the connection
        self.processed: set[str] = set()
        if keys:
            self.processed.update(
                key
                for (key,) in _rows(
                    session,
                    select(_PROCESSED.c.message_key).where(_PROCESSED.c.message_key.in_(keys)),
                )
            )
        self._letters: dict[int, LetterRow] = {}
        self._by_token: dict[str, LetterRow] = {}
        self._by_id: dict[str, LetterRow] = {}
        self._addresses: dict[int, set[str]] = {}
        self._figures: dict[int, list[BalanceFigure]] = {}
        self._recipients: dict[int, list[RecipientRow]] = {}
        #: (state, state_at) of each letter row, and state of each recipient row, as in
        #: the database (read, or last written).
        self._stored: dict[int, tuple[LetterState, dt.datetime]] = {}
        self._stored_recipients: dict[int, RecipientState] = {}
        if tokens:
            for row in _rows(session, select(*_LETTER_COLUMNS).where(_LETTER.c.token.in_(tokens))):
                letter = self._row(row)
                self._by_token[letter.token] = letter
        if ids:
            self._by_id = self._by_message_id(session, ids)

    def _row(self, row: Sequence[object]) -> LetterRow:
        letter = self._letters.get(int(row[0]))  # type: ignore[call-overload]
        if letter is None:
            letter = LetterRow(*row)  # type: ignore[arg-type]
            self._letters[letter.id] = letter
            self._stored[letter.id] = (letter.state, letter.state_at)
        return letter

    def _by_message_id(
        self, session: Session, message_ids: Collection[str]
    ) -> dict[str, LetterRow]:
        """The letter each of these Message-IDs was sent for. A reminder's own outbox row
        has the reminder's ID too; the letter it reminds of wins."""
        ids = list(message_ids)
        found = {
            letter.message_id: letter
            for letter in map(
                self._row,
                _rows(session, select(*_LETTER_COLUMNS).where(_LETTER.c.message_id.in_(ids))),
            )
        }
        rows = _rows(
            session,
            select(_SENT.c.message_id, *_LETTER_COLUMNS)
            .select_from(_SENT.join(_LETTER, _LETTER.c.id == _SENT.c.letter_id))
            .where(_SENT.c.message_id.in_(ids)),
        )
        for message_id, *letter in rows:
            found[message_id] = self._row(letter)
        return found

    def _missing(self, letter: LetterRow, have: Collection[int]) -> list[int]:
        """Every letter found that `have` lacks, `letter` among them: one query for all."""
        ids = set(self._letters)
        ids.add(letter.id)
        return sorted(ids - set(have))

    def figures(self, session: Session, letter: LetterRow) -> list[BalanceFigure]:
        """The letter's balances; those of every letter found, in one query."""
        if letter.id not in self._figures:
            rows = [self._letters.get(i, letter) for i in self._missing(letter, self._figures)]
            self._figures.update(letter_figures(session, rows))
        return self._figures[letter.id]

    def recipients(self, session: Session, letter: LetterRow) -> list[RecipientRow]:
        """The letter's recipients; those of every letter found, in one query."""
        if letter.id not in self._recipients:
            ids = self._missing(letter, self._recipients)
            found: dict[int, list[RecipientRow]] = {i: [] for i in ids}
            rows = _rows(
                session,
                select(_RECIPIENT.c.id, _RECIPIENT.c.letter_id, _RECIPIENT.c.address)
                .add_columns(_RECIPIENT.c.state)
                .where(_RECIPIENT.c.letter_id.in_(ids))
                .order_by(_RECIPIENT.c.id),
            )
            for row in rows:
                recipient = RecipientRow(*row)
                found[recipient.letter_id].append(recipient)
                self._stored_recipients[recipient.id] = recipient.state
            self._recipients.update(found)
        return self._recipients[letter.id]

    def addresses(self, session: Session, letter: LetterRow) -> set[str]:
        """The letter's recipients' addresses, lower case."""
        if letter.id not in self._addresses:
            ids = self._missing(letter, self._addresses)
            found: dict[int, set[str]] = {i: set() for i in ids}
            rows = _rows(
                session,
                select(_RECIPIENT.c.letter_id, _RECIPIENT.c.address).where(
                    _RECIPIENT.c.letter_id.in_(ids)
                ),
            )
            for letter_id, address in rows:
                found[letter_id].add(address.lower())
            self._addresses.update(found)
        return self._addresses[letter.id]

    def conflict(self, read: ReadMessage) -> tuple[LetterRow, LetterRow] | None:
        """The letter the message names itself (token) and a different one it replies to
        (`In-Reply-To`/`References`), when they share nothing."""
        named = [self._by_token[t] for t in read.named_tokens if t in self._by_token]
        referred = [self._by_id[m] for m in read.refers_to if m in self._by_id]
        # Our Message-IDs carry the letter's token (a reminder's, the original's).
        referred += [
            self._by_token[t] for t in tokens_in_ids(read.refers_to) if t in self._by_token
        ]
        if not named or not referred:
            return None
        if {letter.id for letter in named} & {letter.id for letter in referred}:
            return None
        return named[0], referred[0]

    def find(self, read: ReadMessage) -> LetterRow | None:
        for token in read.tokens:
            if token in self._by_token:
                return self._by_token[token]
        for message_id in read.refers_to:
            if message_id in self._by_id:
                return self._by_id[message_id]
        return None

    def write(self, session: Session) -> None:
        """Store every state changed since the last `write`: one statement per table. An
        ORM object of a changed row already in the session is expired, to be read again."""
        letters = [x for x in self._letters.values() if (x.state, x.state_at) != self._stored[x.id]]
        recipients = [
            r
            for rows in self._recipients.values()
            for r in rows
            if r.state is not self._stored_recipients[r.id]
        ]
        # Core statements on the session's connection: in its transaction, no ORM.
        if letters:
            session.connection().execute(
                _SET_LETTER_STATE,
                [
                    {"row_id": x.id, "new_state": x.state, "new_state_at": x.state_at}
                    for x in letters
                ],
            )
            for x in letters:
                self._stored[x.id] = (x.state, x.state_at)
        if recipients:
            session.connection().execute(
                _SET_RECIPIENT_STATE, [{"row_id": r.id, "new_state": r.state} for r in recipients]
            )
            for r in recipients:
                self._stored_recipients[r.id] = r.state
        for model, ids, names in (
            (Letter, [x.id for x in letters], ["state", "state_at"]),
            (Recipient, [r.id for r in recipients], ["state"]),
        ):
            for row_id in ids:
                held = session.identity_map.get(identity_key(model, row_id))
                if held is not None:
                    session.expire(held, names)

    def undo(self) -> None:
        """Every row back as last written (its changes were rolled back)."""
        for letter in self._letters.values():
            letter.state, letter.state_at = self._stored[letter.id]
        for rows in self._recipients.values():
            for recipient in rows:
                recipient.state = self._stored_recipients[recipient.id]
