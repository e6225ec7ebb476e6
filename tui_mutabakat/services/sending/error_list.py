"""A batch's error list as a work list (SPEC D5): kept on the batch, grouped, and up to date.

The list is the batch's `skipped` rows: accounts that got no letter (an error to fix, a
zero balance left out, a letter already live for the date) and accounts whose letter went
without some invalid addresses. A row whose account has since got a live letter for the
same date (sent again from the list, or otherwise) shows as done with that batch. Sending
again from the list writes the new reasons back, so what still cannot be sent stays listed
with why, however the list is reached again (the send's summary, tracking, the command
line).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tui_mutabakat.data.balance_queries import BalanceKey
from tui_mutabakat.data.outbox_models import Letter, ReconciliationBatch
from tui_mutabakat.domain.errors import NotFound
from tui_mutabakat.domain.formatting import currency_label
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.services.sending.compose import SendOptions, SkipKind, SkippedAccount
from tui_mutabakat.services.sending.send_guard import live_letter_batches

#: The order of the groups on the list: what needs work first.
GROUP_ORDER = (SkipKind.ERROR, SkipKind.ADDRESS, SkipKind.DUPLICATE, SkipKind.ZERO)


def kind_label(kind: str) -> str:
    """The group's short name (the list's "Tür" column)."""
    labels: dict[str, str] = {
        SkipKind.ERROR: _("Hata"),
        SkipKind.ADDRESS: _("Adres"),
        SkipKind.DUPLICATE: _("Mevcut"),
        SkipKind.ZERO: _("Sıfır"),
    }
    return labels.get(kind, kind)


def group_title(kind: str) -> str:
    titles: dict[str, str] = {
        SkipKind.ERROR: _("Düzeltilecek hatalar (mektup yazılmadı)"),
        SkipKind.ADDRESS: _("Atlanan geçersiz adresler (mektup diğer adreslere gitti)"),
        SkipKind.DUPLICATE: _("Bu tarih için mektubu olanlar (ikinci mektup yazılmadı)"),
        SkipKind.ZERO: _("Sıfır bakiyeliler (seçenek gereği atlandı)"),
    }
    return titles.get(kind, kind)


@dataclass(frozen=True, slots=True)
class ErrorRow:
    item: SkippedAccount
    #: The batch in which the account got a live letter for the date since; `None`: not yet.
    sent_in: int | None = None

    @property
    def key(self) -> BalanceKey:
        return (self.item.account_id, self.item.currency)

    @property
    def kind(self) -> str:
        return self.item.kind

    @property
    def open(self) -> bool:
        """Still waiting for a letter: an error or a zero balance not sent since."""
        return self.kind in (SkipKind.ERROR, SkipKind.ZERO) and self.sent_in is None


@dataclass(frozen=True, slots=True)
class ErrorList:
    batch_id: int
    as_of: date
    options: SendOptions
    criteria: dict[str, Any]
    rows: list[ErrorRow]

    def counts(self) -> dict[str, int]:
        """Rows per group, in the list's order (empty groups left out)."""
        counts = {kind.value: 0 for kind in GROUP_ORDER}
        for row in self.rows:
            counts[row.kind] = counts.get(row.kind, 0) + 1
        return {kind: n for kind, n in counts.items() if n}

    def head(self) -> str:
        """One line: how many rows of which group, and how many sent since."""
        if not self.rows:
            return _("Bu gönderimde atlanan hesap ya da adres yok.")
        parts = [f"{kind_label(kind)}: {n}" for kind, n in self.counts().items()]
        done = sum(1 for row in self.rows if row.sent_in is not None and row.kind != "address")
        if done:
            parts.append(_("sonradan gönderilen: {count}").format(count=done))
        return " · ".join(parts)


def batch_options(batch: ReconciliationBatch) -> SendOptions:
    """The options a batch was written with: sending again from its list uses the same.
    The subject comes from the template (the batch keeps one title, which may be the
    first letter's subject)."""
    return SendOptions(
        title="",
        answer_by=batch.answer_by,
        template=batch.template_name,
        attach_statement=batch.attach_statement,
        open_items=batch.open_items,
        exclude_zero=batch.exclude_zero,
        per_currency=batch.per_currency,
        attach_pdf=batch.attach_pdf,
        statement_from=batch.statement_from,
    )


def stored_items(batch: ReconciliationBatch) -> list[SkippedAccount]:
    fields = set(SkippedAccount.__dataclass_fields__)
    return [
        SkippedAccount(**{k: v for k, v in item.items() if k in fields})
        for item in json.loads(batch.skipped or "[]")
    ]


def _one_per_account(items: list[SkippedAccount]) -> list[SkippedAccount]:
    """An invalid address is the account's, not a currency's: listed once per account."""
    seen: set[tuple[int, str]] = set()
    kept = []
    for item in items:
        if item.kind == SkipKind.ADDRESS:
            if (item.account_id, item.reason) in seen:
                continue
            seen.add((item.account_id, item.reason))
        kept.append(item)
    return kept


def _sorted(rows: list[ErrorRow]) -> list[ErrorRow]:
    order = {kind.value: n for n, kind in enumerate(GROUP_ORDER)}
    return sorted(
        rows,
        key=lambda r: (order.get(r.kind, len(order)), r.sent_in is not None, r.item.code),
    )


def error_list(session: Session, batch_id: int) -> ErrorList:
    batch = session.get(ReconciliationBatch, batch_id)
    if batch is None:
        raise NotFound(_("Gönderim bulunamadı."))
    items = _one_per_account(stored_items(batch))
    waiting = [s.account_id for s in items if s.kind in (SkipKind.ERROR, SkipKind.ZERO)]
    sent = live_letter_batches(session, batch.as_of, waiting, since_batch=batch_id)
    rows = [
        ErrorRow(s, sent.get(s.account_id) if s.kind in (SkipKind.ERROR, SkipKind.ZERO) else None)
        for s in items
    ]
    criteria = json.loads(batch.criteria or "{}")
    return ErrorList(
        batch_id,
        batch.as_of,
        batch_options(batch),
        criteria if isinstance(criteria, dict) else {},
        _sorted(rows),
    )


def resend_keys(errors: ErrorList, accounts: Sequence[int]) -> list[BalanceKey]:
    """Every open row of `accounts`: a fixed account is sent again in every currency
    listed, not only the row under the cursor."""
    wanted = set(accounts)
    return [
        row.key
        for row in errors.rows
        if row.item.account_id in wanted and row.kind == SkipKind.ERROR and row.sent_in is None
    ]


def update_reasons(
    session: Session, batch_id: int, sent_again: Sequence[BalanceKey], still: list[SkippedAccount]
) -> None:
    """After sending `sent_again` from the batch's list: the rows that still got no letter
    take their new reason (and group); those sent show as done by their new letter."""
    batch = session.get(ReconciliationBatch, batch_id)
    if batch is None:
        return
    new = {(s.account_id, s.currency): s for s in still}
    again = set(sent_again)
    kept: list[dict[str, Any]] = []
    for item in stored_items(batch):
        key = (item.account_id, item.currency)
        if key in again and key in new:
            fresh = new[key]
            item = SkippedAccount(
                item.account_id, item.code, item.title, item.currency, fresh.reason, fresh.kind
            )
        kept.append(asdict(item))
    batch.skipped = json.dumps(kept, ensure_ascii=False)


def address_warnings(session: Session, letter_id: int) -> list[str]:
    """The invalid addresses left out of this letter (the letter went to the others)."""
    letter = session.get(Letter, letter_id)
    if letter is None:
        return []
    batch = session.get(ReconciliationBatch, letter.batch_id)
    if batch is None:
        return []
    reasons = [
        s.reason
        for s in stored_items(batch)
        if s.kind == SkipKind.ADDRESS and s.account_id == letter.account_id
    ]
    return list(dict.fromkeys(reasons))


def error_lines(errors: ErrorList) -> list[str]:
    """The list as text, grouped (the command line prints it)."""
    lines: list[str] = []
    for kind in GROUP_ORDER:
        rows = [row for row in errors.rows if row.kind == kind]
        if not rows:
            continue
        lines += ["", f"{group_title(kind)}: {len(rows)}"]
        for row in rows:
            item = row.item
            done = ""
            if row.sent_in is not None:
                done = " " + _("(sonradan gönderildi: {batch})").format(batch=row.sent_in)
            currency = currency_label(item.currency) if item.currency else ""
            lines.append(f"  {item.code} {item.title} {currency}: {item.reason}{done}")
    return lines
