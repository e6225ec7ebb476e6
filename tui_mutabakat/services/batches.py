"""Create a batch of letters (SPEC D4, D5) and end or cancel it (D6, D7).

`create_batch` checks every selected row, renders and builds each letter's message and
writes the batch, its letters and recipients, all `queued`, with their first history event,
in the caller's transaction: once it commits, the outbox holds everything the sender needs,
and nothing has gone to a server yet. Rows that cannot be sent are returned (and kept on the
batch) with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from tui_mutabakat.data.balance_queries import BalanceKey, balances_for_keys
from tui_mutabakat.data.outbox_models import Letter, LetterMessage, Recipient, ReconciliationBatch
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.states import BatchState, LetterState, RecipientState
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.batch_status import finish_batches
from tui_mutabakat.services.compose import (
    BatchCreated,
    Composer,
    LetterPreview,
    Prepared,
    SendOptions,
    SkippedAccount,
    answer_by_default,
    prepare,
    preview_letter,
)
from tui_mutabakat.services.context import Actor, record
from tui_mutabakat.services.errors import InvalidInput
from tui_mutabakat.services.letters import (
    open_items_for,
    recipients_for,
)
from tui_mutabakat.services.outbox import utcnow, write_letter_events, write_recipient_events

__all__ = [
    "BatchCreated",
    "LetterPreview",
    "SendOptions",
    "SkippedAccount",
    "answer_by_default",
    "batch_skipped",
    "create_batch",
    "create_batch_streaming",
    "letters_of",
    "preview_letter",
]

_CHUNK = 500


def create_batch(
    session: Session,
    actor: Actor,
    as_of: date,
    keys: Sequence[BalanceKey],
    options: SendOptions,
    *,
    criteria: dict[str, Any] | None = None,
) -> BatchCreated:
    """Check, render and queue a letter for every selected (account, currency) row, all in
    the caller's transaction."""
    builder = _BatchBuilder(session, actor, as_of, keys, options, criteria)
    for part in builder.parts():
        builder.add(session, part)
    return builder.close(session)


def create_batch_streaming(
    database: Database,
    actor: Actor,
    as_of: date,
    keys: Sequence[BalanceKey],
    options: SendOptions,
    *,
    criteria: dict[str, Any] | None = None,
) -> BatchCreated:
    """Like `create_batch`, but each chunk of letters is committed as soon as it is built,
    so a running sender starts on the first letters while the others are being rendered.
    The batch cannot end before its last chunk is in (`prepared_at`)."""
    with database.unit_of_work() as session:
        builder = _BatchBuilder(session, actor, as_of, keys, options, criteria)
    for part in builder.parts():
        with database.unit_of_work() as session:
            builder.add(session, part)
    with database.unit_of_work() as session:
        return builder.close(session)


class _BatchBuilder:
    def __init__(
        self,
        session: Session,
        actor: Actor,
        as_of: date,
        keys: Sequence[BalanceKey],
        options: SendOptions,
        criteria: dict[str, Any] | None,
    ) -> None:
        if not keys:
            raise InvalidInput(_("Gönderilecek hesap seçilmedi."))
        self.actor = actor
        self.as_of = as_of
        self.options = options
        self.keys = list(dict.fromkeys(keys))
        self.composer = Composer(session, actor, as_of, options)
        self.skipped: list[SkippedAccount] = []
        self.warnings: list[SkippedAccount] = []
        self.letters = 0
        self.first_subject = ""
        batch = ReconciliationBatch(
            title=options.title.strip() or _("Cari hesap mutabakatı"),
            as_of=as_of,
            answer_by=self.composer.answer_by,
            template_name=options.template,
            attach_statement=options.attach_statement,
            open_items=options.open_items,
            exclude_zero=options.exclude_zero,
            criteria=json.dumps(criteria or {}, ensure_ascii=False, default=str),
            state=BatchState.OPEN,
            sender_login=actor.login,
            from_address=self.composer.sender.address,
            from_name=self.composer.sender.name,
            created_by=actor.login,
        )
        session.add(batch)
        session.flush()
        self.batch_id = batch.id

    def parts(self) -> list[list[BalanceKey]]:
        return [self.keys[i : i + _CHUNK] for i in range(0, len(self.keys), _CHUNK)]

    def add(self, session: Session, part: list[BalanceKey]) -> None:
        options = self.options
        rows = {r.key: r for r in balances_for_keys(session, self.as_of, part)}
        people = recipients_for(session, sorted({a for a, _c in part}))
        want_items = options.open_items or options.attach_statement
        items = open_items_for(session, self.as_of, part) if want_items else {}
        prepared: list[Prepared] = []
        for key in part:
            letter, why, warning = prepare(self.composer, key, rows.get(key), people, items)
            if letter is None:
                if why is not None:
                    self.skipped.append(why)
                continue
            if warning is not None:
                self.warnings.append(warning)
            self.first_subject = self.first_subject or str(letter[0]["subject"])
            prepared.append(letter)
        _insert_letters(session, self.actor, self.batch_id, prepared)
        self.letters += len(prepared)

    def close(self, session: Session) -> BatchCreated:
        batch = session.get(ReconciliationBatch, self.batch_id)
        assert batch is not None
        now = utcnow()
        if not self.options.title.strip() and self.first_subject:
            batch.title = self.first_subject.rsplit(" [", 1)[0][:400]
        batch.letter_count = self.letters
        batch.skipped = json.dumps([asdict(s) for s in self.skipped], ensure_ascii=False)
        batch.prepared_at = now
        if not self.letters:
            batch.state = BatchState.DONE
            batch.finished_at = now
        session.flush()
        record(
            session,
            self.actor,
            "create",
            "batch",
            self.batch_id,
            _("{letters} mektup kuyrukta, {skipped} hesap atlandı").format(
                letters=self.letters, skipped=len(self.skipped)
            ),
        )
        finish_batches(session.connection(), {self.batch_id}, now)
        return BatchCreated(self.batch_id, self.letters, self.skipped, self.warnings)


def _insert_letters(
    session: Session,
    actor: Actor,
    batch_id: int,
    prepared: list[Prepared],
) -> None:
    now = utcnow()
    conn = session.connection()
    reason = _("Gönderim kuyruğuna alındı")
    for start in range(0, len(prepared), _CHUNK):
        part = prepared[start : start + _CHUNK]
        letter_rows = [
            {
                **{k: v for k, v in letter.items() if k != "message"},
                "batch_id": batch_id,
                "state": LetterState.QUEUED,
                "state_at": now,
                "next_attempt_at": now,
                "created_at": now,
                "attempts": 0,
                "claimed_by": "",
                "last_error": "",
            }
            for letter, _r in part
        ]
        ids = (
            conn.execute(
                insert(Letter).returning(Letter.id, sort_by_parameter_order=True), letter_rows
            )
            .scalars()
            .all()
        )
        conn.execute(
            insert(LetterMessage),
            [
                {"letter_id": letter_id, "message": letter["message"]}
                for letter_id, (letter, _r) in zip(ids, part, strict=True)
            ],
        )
        recipient_rows = [
            {
                **recipient,
                "letter_id": letter_id,
                "state": RecipientState.QUEUED,
                "smtp_answer": "",
                "attempts": 0,
                "in_doubt": False,
            }
            for letter_id, (_l, recipients) in zip(ids, part, strict=True)
            for recipient in recipients
        ]
        recipient_ids = (
            conn.execute(
                insert(Recipient).returning(Recipient.id, sort_by_parameter_order=True),
                recipient_rows,
            )
            .scalars()
            .all()
        )
        write_letter_events(
            conn,
            [
                {
                    "letter_id": i,
                    "actor": actor.login,
                    "from_state": None,
                    "to_state": LetterState.QUEUED.value,
                    "reason": reason,
                    "at": now,
                }
                for i in ids
            ],
        )
        write_recipient_events(
            conn,
            [
                {
                    "recipient_id": i,
                    "actor": actor.login,
                    "from_state": None,
                    "to_state": RecipientState.QUEUED.value,
                    "smtp_code": None,
                    "reason": reason,
                    "at": now,
                }
                for i in recipient_ids
            ],
        )


def batch_skipped(session: Session, batch_id: int) -> list[SkippedAccount]:
    batch = session.get(ReconciliationBatch, batch_id)
    if batch is None:
        return []
    return [SkippedAccount(**item) for item in json.loads(batch.skipped or "[]")]


def letters_of(session: Session, batch_id: int) -> list[Letter]:
    return list(session.scalars(select(Letter).where(Letter.batch_id == batch_id)))
