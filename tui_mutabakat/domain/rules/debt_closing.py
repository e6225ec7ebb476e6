"""Debt closing ("borç kapama", SPEC C5): the due-date gap control and settlement planning.

The gap control: when a debit and a credit item are matched and their due dates differ by
*more than* K days ("fazla ise" in the seed), the configured action applies; exactly K days
does not fire. K empty: no control. Items without a due date use their document date.

Planning is pure: `plan_fifo` and `plan_match` return the matches to apply; the service
writes them (raises both movements' `settled` by each match's amount).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from tui_mutabakat.domain.enums import RuleAction
from tui_mutabakat.domain.formatting import format_amount, format_day
from tui_mutabakat.domain.rules.common import ZERO, OpenItem, Outcome, Refusal, outcome_for
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext


@dataclass(frozen=True, slots=True)
class ClosingResult:
    """The gap control's decision for one debit/credit pair, with its figures."""

    checked: bool
    fired: bool
    action: RuleAction
    outcome: Outcome
    gap_days: int
    limit_days: int | None
    debit_due: dt.date
    credit_due: dt.date
    text: str

    @property
    def must_log(self) -> bool:
        return self.fired

    @property
    def audit_detail(self) -> str:
        return (
            f"closing_gap fired={int(self.fired)} action={self.action.value} "
            f"outcome={self.outcome.value} K={self.limit_days} gap={self.gap_days} "
            f"debit_due={self.debit_due.isoformat()} credit_due={self.credit_due.isoformat()}"
        )


def evaluate_closing_gap(
    days: int | None, action: RuleAction, debit_due: dt.date, credit_due: dt.date
) -> ClosingResult:
    """Check the due-date gap of a matched pair; the dates are already resolved."""
    if days is not None and days < 0:
        raise ValueError("closing check day count must not be negative")
    gap = abs((debit_due - credit_due).days)
    pair = ngettext(
        "Borç vadesi {debit}, alacak vadesi {credit}: {gap} gün fark",
        "Borç vadesi {debit}, alacak vadesi {credit}: {gap} gün fark",
        gap,
    ).format(debit=format_day(debit_due), credit=format_day(credit_due), gap=gap)
    if days is None:
        checked, fired = False, False
        text = _("{pair}; kontrol gün sayısı girilmemiş, kontrol yapılmaz.").format(pair=pair)
    else:
        checked, fired = True, gap > days
        template = (
            ngettext(
                "{pair}; {days} günlük sınırı aşıyor.", "{pair}; {days} günlük sınırı aşıyor.", days
            )
            if fired
            else ngettext(
                "{pair}; {days} günlük sınır içinde.", "{pair}; {days} günlük sınır içinde.", days
            )
        )
        text = template.format(pair=pair, days=days)
    return ClosingResult(
        checked=checked,
        fired=fired,
        action=action,
        outcome=outcome_for(action, fired),
        gap_days=gap,
        limit_days=days,
        debit_due=debit_due,
        credit_due=credit_due,
        text=text,
    )


def evaluate_closing_match(
    days: int | None, action: RuleAction, debit: OpenItem, credit: OpenItem
) -> ClosingResult:
    """`evaluate_closing_gap` for two items, each due on its due date or else its date."""
    return evaluate_closing_gap(days, action, debit.effective_due, credit.effective_due)


@dataclass(frozen=True, slots=True)
class Match:
    """Settle `amount` of debit movement `debit_id` against credit movement `credit_id`."""

    debit_id: int
    credit_id: int
    amount: Decimal


def fifo_order(items: Sequence[OpenItem]) -> list[OpenItem]:
    """Open items oldest first: by due date, then document date, then movement id."""
    return sorted(
        (item for item in items if item.is_open),
        key=lambda item: (item.effective_due, item.date, item.movement_id),
    )


def plan_fifo(
    debit_items: Sequence[OpenItem],
    credit_items: Sequence[OpenItem],
    allowed: Callable[[OpenItem, OpenItem], bool] | None = None,
) -> list[Match]:
    """Match the oldest open debits against the oldest open credits, parts allowed.

    Each debit takes from the credits in order until it is settled or the credits run out.
    `allowed(debit, credit)` may veto a pair (e.g. the gap control with action "stop"); a
    vetoed pair is skipped and the debit tries the next credit. Without a veto the matched
    total is exactly min(open debits, open credits).
    """
    credit_left = {item.movement_id: item.unsettled for item in credit_items if item.is_open}
    ordered_credits = fifo_order(credit_items)
    matches: list[Match] = []
    first_open = 0
    for debit in fifo_order(debit_items):
        need = debit.unsettled
        while first_open < len(ordered_credits) and (
            credit_left[ordered_credits[first_open].movement_id] <= ZERO
        ):
            first_open += 1
        for credit in ordered_credits[first_open:]:
            if need <= ZERO:
                break
            left = credit_left[credit.movement_id]
            if left <= ZERO or (allowed is not None and not allowed(debit, credit)):
                continue
            amount = min(need, left)
            matches.append(Match(debit.movement_id, credit.movement_id, amount))
            credit_left[credit.movement_id] = left - amount
            need -= amount
    return matches


def plan_match(debit: OpenItem, credit: OpenItem, amount: Decimal | None = None) -> Match | Refusal:
    """A manual match; `amount` None means as much as both items allow."""
    largest = min(debit.unsettled, credit.unsettled)
    if amount is None:
        if largest <= ZERO:
            return Refusal(_("Kalemlerden biri zaten kapanmış; eşlenecek tutar yok."))
        return Match(debit.movement_id, credit.movement_id, largest)
    if not amount.is_finite() or amount <= ZERO:
        return Refusal(_("Kapatılacak tutar sıfırdan büyük olmalı."))
    if amount > debit.unsettled:
        return Refusal(
            _("Tutar borç kaleminin açık tutarını ({open}) aşıyor.").format(
                open=format_amount(debit.unsettled)
            )
        )
    if amount > credit.unsettled:
        return Refusal(
            _("Tutar alacak kaleminin açık tutarını ({open}) aşıyor.").format(
                open=format_amount(credit.unsettled)
            )
        )
    return Match(debit.movement_id, credit.movement_id, amount)
