"""Due-date tracking ("vade takibi", SPEC C4): may a movement that debits the account be saved?

The seed's definitions, taken literally and with ≥ throughout:

* overdue items: the account's unsettled debit items past their due date (today > due date —
  the seed speaks of "geçmiş tarihli ödenmemiş borçlar": an item due today is not yet
  overdue) whose (today − due date) ≥ D days;
* S: the sum of their unsettled amounts;
* the check fires when there is at least one overdue item and S ≥ A;
* D and A both empty: no check; D empty: D = 0; A empty: any overdue item fires.

An item without a due date is due on its document date (`OpenItem.effective_due`). With D = 0
(or D empty and A given) every item past its due date counts, from the day after it.

The caller passes the account's open debit items *other than* the movement being saved (for
an edit: without the edited movement's stored version), so a new invoice never blocks itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from tui_mutabakat.domain.enums import DocumentType, RuleAction
from tui_mutabakat.domain.formatting import format_money
from tui_mutabakat.domain.rules.common import ZERO, OpenItem, Outcome, outcome_for
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext


@dataclass(frozen=True, slots=True)
class DueTrackingParams:
    """The account's due-date tracking parameters, as stored."""

    types: frozenset[DocumentType]
    days: int | None
    amount: Decimal | None
    action: RuleAction

    def __post_init__(self) -> None:
        if self.days is not None and self.days < 0:
            raise ValueError("due tracking day count must not be negative")
        if self.amount is not None and self.amount < ZERO:
            raise ValueError("due tracking amount must not be negative")


@dataclass(frozen=True, slots=True)
class DueTrackingResult:
    """The decision with everything behind it, for the warning dialog and the audit log.

    `checked` is False when the rule did not apply at all (type not tracked, a credit
    movement, or neither D nor A set); then `days_used`/`amount_used` are None and the item
    list is empty. `fired` with `action` CONTINUE gives `Outcome.PASS`: the movement is saved
    and the caller logs the decision (`must_log`).
    """

    checked: bool
    fired: bool
    action: RuleAction
    outcome: Outcome
    overdue: tuple[OpenItem, ...]
    overdue_total: Decimal
    days_used: int | None
    amount_used: Decimal | None
    today: dt.date
    text: str

    @property
    def must_log(self) -> bool:
        return self.fired

    def days_overdue(self, item: OpenItem) -> int:
        return (self.today - item.effective_due).days

    @property
    def audit_detail(self) -> str:
        """A compact, language-neutral line for the audit log."""
        ids = ",".join(str(item.movement_id) for item in self.overdue)
        amount = "-" if self.amount_used is None else str(self.amount_used)
        return (
            f"due_tracking fired={int(self.fired)} action={self.action.value} "
            f"outcome={self.outcome.value} D={self.days_used} A={amount} "
            f"S={self.overdue_total} items=[{ids}] today={self.today.isoformat()}"
        )


def overdue_items(items: Sequence[OpenItem], days: int, today: dt.date) -> tuple[OpenItem, ...]:
    """The open items past their due date (from the day after it) whose (today − due date)
    ≥ `days`, oldest due first."""
    found = [
        item
        for item in items
        if item.is_open and item.effective_due < today and (today - item.effective_due).days >= days
    ]
    found.sort(key=lambda item: (item.effective_due, item.date, item.movement_id))
    return tuple(found)


def evaluate_due_tracking(
    params: DueTrackingParams,
    doc_type: DocumentType,
    debits_account: bool,
    items: Sequence[OpenItem],
    today: dt.date,
    *,
    currency: str = "TRY",
) -> DueTrackingResult:
    """Decide whether a movement of `doc_type` may be saved (see the module docstring)."""
    skip_reason: str | None = None
    if doc_type not in params.types:
        skip_reason = _("Bu fiş türü için vade takibi yapılmıyor.")
    elif not debits_account:
        skip_reason = _("Hareket hesabı borçlandırmıyor; vade takibi yapılmaz.")
    elif params.days is None and params.amount is None:
        skip_reason = _("Vade takibi gün sayısı ve tutarı girilmemiş; kontrol yapılmaz.")
    if skip_reason is not None:
        return DueTrackingResult(
            checked=False,
            fired=False,
            action=params.action,
            outcome=Outcome.PASS,
            overdue=(),
            overdue_total=ZERO,
            days_used=None,
            amount_used=None,
            today=today,
            text=skip_reason,
        )

    days = params.days if params.days is not None else 0
    overdue = overdue_items(items, days, today)
    total = sum((item.unsettled for item in overdue), ZERO)
    fired = bool(overdue) and (params.amount is None or total >= params.amount)
    return DueTrackingResult(
        checked=True,
        fired=fired,
        action=params.action,
        outcome=outcome_for(params.action, fired),
        overdue=overdue,
        overdue_total=total,
        days_used=days,
        amount_used=params.amount,
        today=today,
        text=_describe(len(overdue), total, days, params.amount, fired, currency),
    )


def _describe(
    count: int, total: Decimal, days: int, limit: Decimal | None, fired: bool, currency: str
) -> str:
    if count == 0:
        if days == 0:
            return _("Vadesi geçmiş açık kalem yok.")
        return ngettext(
            "Vadesinden en az {days} gün geçmiş açık kalem yok.",
            "Vadesinden en az {days} gün geçmiş açık kalem yok.",
            days,
        ).format(days=days)
    if days == 0:
        what = ngettext("Vadesi geçmiş {count} kalem", "Vadesi geçmiş {count} kalem", count).format(
            count=count
        )
    else:
        what = ngettext(
            "Vadesinden en az {days} gün geçmiş {count} kalem",
            "Vadesinden en az {days} gün geçmiş {count} kalem",
            count,
        ).format(days=days, count=count)
    money = format_money(total, currency)
    if limit is None:
        return _("{what}, toplam {total} (tutar sınırı yok).").format(what=what, total=money)
    bound = format_money(limit, currency)
    if fired:
        return _("{what}, toplam {total} (sınır {limit}).").format(
            what=what, total=money, limit=bound
        )
    return _("{what}, toplam {total}; sınırın ({limit}) altında.").format(
        what=what, total=money, limit=bound
    )
