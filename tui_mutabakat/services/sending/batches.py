"""Opening a batch of letters (SPEC D4, D5) and writing its letters to the outbox (D6).

`start_batch` is where every batch begins — the send screen's and `mutabakat send`'s: in
one transaction it leaves out the rows whose account already has its letter (`send_guard`),
plans the send (`SendPlan`: the options checked, the template compiled) and writes the
batch's own row. The writer it returns fills the batch chunk by chunk: `send_now` while the
sender delivers, or `batch_writer.write_chunks` alone (`mutabakat send --queue-only`, for
`mutabakat worker` to deliver). Rows that cannot be sent are kept on the batch with the
reason.
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
from tui_mutabakat.services.sending.batch_writer import BatchWriter, SendPlan
from tui_mutabakat.services.sending.compose import (
    SendOptions,
)
from tui_mutabakat.services.sending.send_guard import guard_keys
from tui_mutabakat.services.text_input import checked_text


def start_batch(
    database: Database,
    actor: Actor,
    as_of: date,
    keys: Sequence[BalanceKey],
    options: SendOptions,
    *,
    criteria: dict[str, Any] | None = None,
    again: bool = False,
) -> BatchWriter:
    """Open the batch (refusing bad options before anything is written, `ServiceError`)
    and return the writer that fills it. Accounts that already have a live letter for the
    date are left out (and listed on the batch's error list) unless `again`."""
    with database.unit_of_work() as session:
        keys, duplicates = guard_keys(session, as_of, keys, again=again)
        plan = SendPlan.build(session, actor, as_of, keys, options)
        batch_id = open_batch(session, plan, criteria=criteria)
        writer = BatchWriter(plan, batch_id)
        writer.skipped += duplicates
    return writer


def open_batch(session: Session, plan: SendPlan, *, criteria: dict[str, Any] | None = None) -> int:
    """The batch's own row, with no letter yet; refuses what the send dialog got wrong
    (no row selected, a title that is no text) before anything is written — the plan has
    checked the dates and compiled the template."""
    if not plan.keys:
        raise InvalidInput(_("Gönderilecek hesap seçilmedi."))
    options, composer, actor = plan.options, plan.composer, plan.actor
    batch = ReconciliationBatch(
        title=checked_text(options.title, ReconciliationBatch.title, _("Başlık"), "title")
        or _("Cari hesap mutabakatı"),
        as_of=plan.as_of,
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
