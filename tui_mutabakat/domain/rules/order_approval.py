"""Controlled order approval ("kontrollü onaylama", SPEC C3).

Every criterion is evaluated and reported with its figures, ticked or not, so the dialog can
show them all; the order is approved only when every *ticked* criterion passes (nothing
ticked: approved).

Amounts are in TL (the open items at their own rates, orders in TL) and their texts say so.

* Risk: open balance + shipped but not yet invoiced dispatch notes ("irsaliye": a shipment is
  a commitment before its invoice debits the account) + approved-but-unshipped orders (other
  than this one) + this order ≤ the risk limit. An account without a risk limit is not
  limited: the criterion passes and its text says so.
* Due date: no open debit item is past due on the approval date (due date < today; an item
  without a due date is due on its document date).
* Ageing: the amount-weighted average age, in days since the document date, of the open
  debit items ≤ the ageing days. No open items: age 0, passes. A document dated after today
  counts as age 0. Ticked without ageing days (a setup the parameter form refuses): fails,
  saying why, rather than approving unchecked.

The account's ticks are the approval's defaults ("öndeğer"): the user may tick more, or
untick one that passes, freely. Unticking a default criterion that fails for this order is
bypassing it — the same as approving despite it — so it blocks the approval like a ticked
failure (`CriterionResult.bypassed`); only an admin's override with a reason lets it through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from types import MappingProxyType

from tui_mutabakat.domain.formatting import format_amount, format_day, format_money
from tui_mutabakat.domain.rules.common import ZERO, Figure, OpenItem, total_unsettled
from tui_mutabakat.i18n import gettext as _
from tui_mutabakat.i18n import ngettext


class Criterion(StrEnum):
    RISK = "risk"
    DUE_DATE = "due_date"
    AGEING = "ageing"

    @property
    def label(self) -> str:
        labels = {
            Criterion.RISK: _("Risk kriteri"),
            Criterion.DUE_DATE: _("Vade kriteri"),
            Criterion.AGEING: _("Yaşlandırma kriteri"),
        }
        return labels[self]


@dataclass(frozen=True, slots=True)
class ApprovalCriteria:
    """The ticked criteria of the account (defaults for the approval dialog)."""

    risk: bool = False
    due_date: bool = False
    ageing: bool = False
    ageing_days: int | None = None


@dataclass(frozen=True, slots=True)
class CriterionResult:
    """One criterion's evaluation: `passed` is its own verdict, whether ticked or not."""

    name: Criterion
    ticked: bool
    passed: bool
    figures: Mapping[str, Figure]
    text: str
    #: Whether the account ticks it by default (the approval's "öndeğer").
    default: bool = False

    @property
    def bypassed(self) -> bool:
        """Unticked for this approval though the account ticks it, and failing: a bypass."""
        return self.default and not self.ticked and not self.passed

    @property
    def blocks(self) -> bool:
        """True when this criterion stops the approval: ticked and failing, or bypassed."""
        return not self.passed and (self.ticked or self.default)


@dataclass(frozen=True, slots=True)
class ApprovalResult:
    approved: bool
    criteria: tuple[CriterionResult, ...]
    today: dt.date

    @property
    def failed(self) -> tuple[CriterionResult, ...]:
        return tuple(c for c in self.criteria if c.blocks)

    def criterion(self, name: Criterion) -> CriterionResult:
        return next(c for c in self.criteria if c.name is name)

    @property
    def text(self) -> str:
        if self.approved:
            return _("Sipariş onaylanabilir: işaretli kriterlerin tümü sağlanıyor.")
        names = ", ".join(
            _("{criterion} (işareti kaldırıldı)").format(criterion=c.name.label)
            if c.bypassed
            else c.name.label
            for c in self.failed
        )
        return _("Sipariş onaylanamaz; sağlanmayan kriterler: {names}.").format(names=names)

    @property
    def audit_detail(self) -> str:
        def mark(c: CriterionResult) -> str:
            return "ticked" if c.ticked else "bypassed" if c.bypassed else "off"

        parts = [
            f"{c.name.value}={mark(c)}:{'pass' if c.passed else 'fail'}" for c in self.criteria
        ]
        return f"order_approval approved={int(self.approved)} " + " ".join(parts)


def _frozen(figures: dict[str, Figure]) -> Mapping[str, Figure]:
    return MappingProxyType(figures)


def risk_criterion(
    ticked: bool,
    risk_limit: Decimal | None,
    open_balance: Decimal,
    approved_unshipped: Decimal,
    order_total: Decimal,
    *,
    open_dispatches: Decimal = ZERO,
) -> CriterionResult:
    total = open_balance + open_dispatches + approved_unshipped + order_total
    figures: dict[str, Figure] = {
        "open_balance": open_balance,
        "open_dispatches": open_dispatches,
        "approved_unshipped": approved_unshipped,
        "order_total": order_total,
        "total": total,
    }
    if risk_limit is None:
        figures["risk_limit"] = "-"
        text = _("Risk limiti tanımlı değil; toplam risk {total}, sınırsız kabul edildi.").format(
            total=format_money(total)
        )
        return CriterionResult(Criterion.RISK, ticked, True, _frozen(figures), text)
    figures["risk_limit"] = risk_limit
    figures["headroom"] = risk_limit - total
    passed = total <= risk_limit
    text = _(
        "Açık bakiye {balance} + faturalanmamış irsaliyeler {dispatched} + onaylı sevk "
        "edilmemiş siparişler {unshipped} + bu sipariş {order} = {total}; risk limiti {limit}."
    ).format(
        balance=format_money(open_balance),
        dispatched=format_money(open_dispatches),
        unshipped=format_money(approved_unshipped),
        order=format_money(order_total),
        total=format_money(total),
        limit=format_money(risk_limit),
    )
    return CriterionResult(Criterion.RISK, ticked, passed, _frozen(figures), text)


def due_date_criterion(ticked: bool, items: Sequence[OpenItem], today: dt.date) -> CriterionResult:
    past_due = sorted(
        (item for item in items if item.is_open and item.effective_due < today),
        key=lambda item: (item.effective_due, item.movement_id),
    )
    figures: dict[str, Figure] = {
        "past_due_count": len(past_due),
        "past_due_total": total_unsettled(past_due),
    }
    if not past_due:
        text = _("{day} tarihinde vadesi geçmiş açık borç yok.").format(day=format_day(today))
        return CriterionResult(Criterion.DUE_DATE, ticked, True, _frozen(figures), text)
    oldest = past_due[0].effective_due
    figures["oldest_due"] = oldest
    figures["max_days_past_due"] = (today - oldest).days
    text = ngettext(
        "Vadesi geçmiş {count} açık kalem, toplam {total}; en eski vade {oldest} ({days} gün).",
        "Vadesi geçmiş {count} açık kalem, toplam {total}; en eski vade {oldest} ({days} gün).",
        len(past_due),
    ).format(
        count=len(past_due),
        total=format_money(total_unsettled(past_due)),
        oldest=format_day(oldest),
        days=(today - oldest).days,
    )
    return CriterionResult(Criterion.DUE_DATE, ticked, False, _frozen(figures), text)


def weighted_age(items: Sequence[OpenItem], today: dt.date) -> tuple[Decimal, Decimal]:
    """(Σ open amount × age in days, Σ open amount) over the open items; age ≥ 0."""
    weighted = ZERO
    total = ZERO
    for item in items:
        if item.is_open:
            weighted += item.unsettled * max(0, (today - item.date).days)
            total += item.unsettled
    return weighted, total


def ageing_criterion(
    ticked: bool, ageing_days: int | None, items: Sequence[OpenItem], today: dt.date
) -> CriterionResult:
    weighted, total = weighted_age(items, today)
    average = (weighted / total).quantize(Decimal("0.01")) if total > ZERO else ZERO
    figures: dict[str, Figure] = {"average_age": average, "open_total": total}
    if ageing_days is None:
        figures["ageing_days"] = "-"
        text = _("Yaşlandırma günü tanımlı değil; ortalama yaş {age} gün.").format(
            age=format_amount(average)
        )
        return CriterionResult(Criterion.AGEING, ticked, False, _frozen(figures), text)
    figures["ageing_days"] = ageing_days
    # Compared without dividing, so rounding never moves the boundary.
    passed = weighted <= ageing_days * total
    text = _("Açık borçların tutar ağırlıklı ortalama yaşı {age} gün; sınır {limit} gün.").format(
        age=format_amount(average), limit=ageing_days
    )
    return CriterionResult(Criterion.AGEING, ticked, passed, _frozen(figures), text)


def evaluate_order_approval(
    criteria: ApprovalCriteria,
    risk_limit: Decimal | None,
    open_balance: Decimal,
    approved_unshipped: Decimal,
    order_total: Decimal,
    items: Sequence[OpenItem],
    today: dt.date,
    *,
    open_dispatches: Decimal = ZERO,
    defaults: ApprovalCriteria | None = None,
) -> ApprovalResult:
    """Evaluate the three criteria; `items` are the account's open debit items,
    `open_dispatches` the total of its dispatch notes not yet invoiced, `defaults` the
    account's ticks (None: the same as `criteria`) — a failing default unticked blocks."""
    results: tuple[CriterionResult, ...] = (
        risk_criterion(
            criteria.risk,
            risk_limit,
            open_balance,
            approved_unshipped,
            order_total,
            open_dispatches=open_dispatches,
        ),
        due_date_criterion(criteria.due_date, items, today),
        ageing_criterion(criteria.ageing, criteria.ageing_days, items, today),
    )
    if defaults is not None:
        by_name = {
            Criterion.RISK: defaults.risk,
            Criterion.DUE_DATE: defaults.due_date,
            Criterion.AGEING: defaults.ageing,
        }
        results = tuple(replace(result, default=by_name[result.name]) for result in results)
    approved = not any(result.blocks for result in results)
    return ApprovalResult(approved=approved, criteria=results, today=today)
