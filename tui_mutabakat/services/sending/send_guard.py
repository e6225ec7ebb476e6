"""No second letter by accident (SPEC D5): the accounts that already have a live letter for
an as-of date.

A letter is live unless it was cancelled or failed: queued, being sent, sent, answered or
bounced, it is the account's letter for that date. Sending for the same date again asks
first (the screen's question, the command line's `--again`); the default leaves those
accounts out and lists them on the batch's error list with the reason. The check runs in
the service that writes the batch, so every way of sending keeps to it.

The guard reads the letters written so far: two sends for the same date started at the
same moment by two users (or a send while another is still writing its letters) can both
pass it. It prevents the accident of sending twice, not a deliberate race.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tui_mutabakat.data.balance_queries import BalanceKey
from tui_mutabakat.data.outbox_models import Letter, ReconciliationBatch
from tui_mutabakat.domain.errors import Refused
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext
from tui_mutabakat.services.sending.compose import SkipKind, SkippedAccount

#: A letter in one of these states no longer stands for the account: sending again is no
#: second letter.
NOT_LIVE = (LetterState.CANCELLED, LetterState.FAILED)

#: Accounts asked about in one statement (well below every engine's parameter limit).
_IDS_PER_QUERY = 5000


@dataclass(frozen=True, slots=True)
class Duplicates:
    """The selected rows whose account already has a live letter for the date."""

    keys: list[BalanceKey]
    #: The account → the newest batch holding its live letter.
    batches: dict[int, int]

    @property
    def accounts(self) -> int:
        return len({account for account, _currency in self.keys})

    def __bool__(self) -> bool:
        return bool(self.keys)


def live_letter_batches(
    session: Session, as_of: date, account_ids: Iterable[int], *, since_batch: int | None = None
) -> dict[int, int]:
    """Account → the newest batch with a live letter to it as of `as_of` (only batches
    after `since_batch` when given)."""
    ids = sorted(set(account_ids))
    found: dict[int, int] = {}
    for start in range(0, len(ids), _IDS_PER_QUERY):
        part = ids[start : start + _IDS_PER_QUERY]
        statement = (
            select(Letter.account_id, Letter.batch_id)
            .join(ReconciliationBatch, ReconciliationBatch.id == Letter.batch_id)
            .where(
                ReconciliationBatch.as_of == as_of,
                Letter.account_id.in_(part),
                Letter.state.not_in(NOT_LIVE),
            )
        )
        if since_batch is not None:
            statement = statement.where(Letter.batch_id > since_batch)
        for account_id, batch_id in session.execute(statement):
            if account_id is not None and batch_id is not None:
                found[account_id] = max(batch_id, found.get(account_id, 0))
    return found


def newest_batch(session: Session) -> int:
    """The id of the newest batch (0 when none): the letters written after it are those of
    later batches (see `live_letter_batches`' `since_batch`)."""
    return session.scalar(select(func.max(ReconciliationBatch.id))) or 0


def find_duplicates(session: Session, as_of: date, keys: Sequence[BalanceKey]) -> Duplicates:
    """The rows of `keys` whose account already has a live letter as of `as_of`. An account
    gets one letter for a date: any of its rows counts."""
    batches = live_letter_batches(session, as_of, (account for account, _c in keys))
    return Duplicates([key for key in keys if key[0] in batches], batches)


def duplicate_reason(batch_id: int) -> str:
    return _(
        "Bu tarih için mektubu var ({batch} numaralı gönderimde); ikinci mektup gönderilmedi."
    ).format(batch=batch_id)


def guard_keys(
    session: Session, as_of: date, keys: Sequence[BalanceKey], *, again: bool
) -> tuple[list[BalanceKey], list[SkippedAccount]]:
    """The rows to send and, unless `again`, the rows left out because their account
    already has a live letter for the date (for the batch's error list, names filled in
    when it closes). `Refused` when that leaves nothing to send."""
    if again or not keys:
        return list(keys), []
    duplicates = find_duplicates(session, as_of, keys)
    if not duplicates:
        return list(keys), []
    left_out = set(duplicates.keys)
    rest = [key for key in keys if key not in left_out]
    if not rest:
        raise Refused(nothing_left_message(duplicates.accounts))
    skipped = [
        SkippedAccount(
            account,
            "",
            "",
            currency,
            duplicate_reason(duplicates.batches[account]),
            SkipKind.DUPLICATE,
        )
        for account, currency in duplicates.keys
    ]
    return rest, skipped


def nothing_left_message(accounts: int) -> str:
    return ngettext(
        "Seçilen {count} hesabın hepsinin bu tarih için mektubu var; yeni mektup yazılmadı. "
        "İkinci mektup için soruda 'Yine gönder (Y)' seçin (komut satırında --again).",
        "Seçilen {count} hesabın hepsinin bu tarih için mektubu var; yeni mektup yazılmadı. "
        "İkinci mektup için soruda 'Yine gönder (Y)' seçin (komut satırında --again).",
        accounts,
    ).format(count=accounts)
