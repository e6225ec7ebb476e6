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
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tui_mutabakat.data.balance_queries import BalanceKey
from tui_mutabakat.data.outbox_models import ReconciliationBatch
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.errors import InvalidInput
from tui_mutabakat.domain.states import BatchState
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.batch_writer import BatchWriter, fill_batch
from tui_mutabakat.services.sending.compose import (
    BatchCreated,
    Composer,
    LetterPreview,
    SendOptions,
    SkippedAccount,
    answer_by_default,
    preview_letter,
)
from tui_mutabakat.services.text_input import checked_text

__all__ = [
    "BatchCreated",
    "LetterPreview",
    "SendOptions",
    "SkippedAccount",
    "answer_by_default",
    "batch_skipped",
    "create_batch",
    "create_batch_streaming",
    "fill_batch",
    "open_batch",
    "preview_letter",
]


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
    composer = Composer(session, actor, as_of, options)
    batch_id = open_batch(
        session, actor, as_of, keys, options, criteria=criteria, composer=composer
    )
    writer = BatchWriter(session, actor, batch_id, as_of, keys, options, composer=composer)
    for part in writer.parts():
        chunk = writer.compose(session, part)
        writer.write(session, chunk)
        writer.take(chunk)
    return writer.close(session)


def open_batch(
    session: Session,
    actor: Actor,
    as_of: date,
    keys: Sequence[BalanceKey],
    options: SendOptions,
    *,
    criteria: dict[str, Any] | None = None,
    composer: Composer | None = None,
) -> int:
    """The batch's own row, with no letter yet; refuses what the send dialog got wrong
    (no row selected, an answer-by date before the as-of date, a template that does not
    compile) before anything is written."""
    if not keys:
        raise InvalidInput(_("Gönderilecek hesap seçilmedi."))
    composer = composer or Composer(session, actor, as_of, options)
    batch = ReconciliationBatch(
        title=checked_text(options.title, ReconciliationBatch.title, _("Başlık"), "title")
        or _("Cari hesap mutabakatı"),
        as_of=as_of,
        answer_by=composer.answer_by,
        template_name=options.template,
        attach_statement=options.attach_statement,
        open_items=options.open_items,
        exclude_zero=options.exclude_zero,
        per_currency=options.per_currency,
        attach_pdf=options.attach_pdf,
        statement_from=options.statement_from,
        criteria=json.dumps(criteria or {}, ensure_ascii=False, default=str),
        state=BatchState.OPEN,
        sender_login=actor.login,
        from_address=composer.sender.address,
        from_name=composer.sender.name,
        created_by=actor.login,
    )
    session.add(batch)
    session.flush()
    return batch.id


def create_batch_streaming(
    database: Database,
    actor: Actor,
    as_of: date,
    keys: Sequence[BalanceKey],
    options: SendOptions,
    *,
    criteria: dict[str, Any] | None = None,
) -> BatchCreated:
    """`open_batch` and `fill_batch` in one call."""
    with database.unit_of_work() as session:
        batch_id = open_batch(session, actor, as_of, keys, options, criteria=criteria)
    return fill_batch(database, actor, batch_id, as_of, keys, options)


def batch_skipped(session: Session, batch_id: int) -> list[SkippedAccount]:
    batch = session.get(ReconciliationBatch, batch_id)
    if batch is None:
        return []
    return [SkippedAccount(**item) for item in json.loads(batch.skipped or "[]")]
