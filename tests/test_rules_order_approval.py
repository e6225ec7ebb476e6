"""Controlled order approval (SPEC C3): each criterion's pass/fail and figures, and combos."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui_mutabakat.domain.enums import DocumentType
from tui_mutabakat.domain.rules import (
    ApprovalCriteria,
    Criterion,
    OpenItem,
    evaluate_order_approval,
)

D = Decimal
TODAY = date(2026, 6, 30)


def item(mid: int, amount: str, age: int, due_in: int | None = 30, settled: str = "0") -> OpenItem:
    """An open debit item dated `age` days ago, due `due_in` days after its date."""
    doc = TODAY - timedelta(days=age)
    due = None if due_in is None else doc + timedelta(days=due_in)
    return OpenItem(mid, DocumentType.SALES_INVOICE, doc, due, D(amount), D(settled))


RISK = {
    "total equal to the limit passes": ("1000", "600", "300", "100", True),
    "one kuruş over the limit fails": ("1000", "600", "300", "100.01", False),
    "well under passes": ("1000", "0", "0", "10", True),
    "no risk limit: not limited, passes": (None, "9000000", "1", "1", True),
    "credit balance leaves room": ("1000", "-500", "0", "1500", True),
}


@pytest.mark.parametrize(
    ("limit", "balance", "unshipped", "order", "passed"), RISK.values(), ids=RISK.keys()
)
def test_risk_criterion(
    limit: str | None, balance: str, unshipped: str, order: str, passed: bool
) -> None:
    result = evaluate_order_approval(
        ApprovalCriteria(risk=True),
        None if limit is None else D(limit),
        D(balance),
        D(unshipped),
        D(order),
        [],
        TODAY,
    )
    risk = result.criterion(Criterion.RISK)
    assert risk.ticked and risk.passed is passed and result.approved is passed
    total = D(balance) + D(unshipped) + D(order)
    assert risk.figures["total"] == total
    if limit is None:
        assert risk.figures["risk_limit"] == "-"
        assert "Risk limiti tanımlı değil" in risk.text
    else:
        assert risk.figures["headroom"] == D(limit) - total


DUE = {
    "nothing open": ([], True),
    "due today is not past due": ([item(1, "100", age=30, due_in=30)], True),
    "due yesterday is past due": ([item(1, "100", age=31, due_in=30)], False),
    "past due but settled": ([item(1, "100", age=90, settled="100")], True),
    "past due, part settled, still open": ([item(1, "100", age=90, settled="99.99")], False),
    "no due date: due on its document date": ([item(1, "100", age=1, due_in=None)], False),
    "no due date, dated today": ([item(1, "100", age=0, due_in=None)], True),
}


@pytest.mark.parametrize(("items", "passed"), DUE.values(), ids=DUE.keys())
def test_due_date_criterion(items: list[OpenItem], passed: bool) -> None:
    result = evaluate_order_approval(
        ApprovalCriteria(due_date=True), None, D(0), D(0), D(1), items, TODAY
    )
    due = result.criterion(Criterion.DUE_DATE)
    assert due.passed is passed and result.approved is passed
    if not passed:
        assert due.figures["past_due_count"] == 1
        assert due.figures["oldest_due"] == items[0].effective_due


# 1000 aged 10 days and 3000 aged 50 days: weighted average (10000 + 150000) / 4000 = 40 days.
AGED = [item(1, "1000", age=10), item(2, "3000", age=50)]
AGEING = {
    "average equal to the limit passes": (AGED, 40, True),
    "average one day over fails": (AGED, 39, False),
    "no open items: age 0 passes": ([], 0, True),
    "settled items do not age": ([item(1, "1000", 400, settled="1000"), AGED[0]], 10, True),
    "open part is the weight": ([item(1, "4000", 100, settled="3000"), AGED[0]], 55, True),
    "future-dated document counts as age 0": ([item(1, "100", age=-20)], 0, True),
    "ticked without ageing days fails": (AGED, None, False),
}


@pytest.mark.parametrize(("items", "days", "passed"), AGEING.values(), ids=AGEING.keys())
def test_ageing_criterion(items: list[OpenItem], days: int | None, passed: bool) -> None:
    result = evaluate_order_approval(
        ApprovalCriteria(ageing=True, ageing_days=days), None, D(0), D(0), D(1), items, TODAY
    )
    ageing = result.criterion(Criterion.AGEING)
    assert ageing.passed is passed and result.approved is passed
    assert ageing.figures["ageing_days"] == ("-" if days is None else days)


def test_ageing_figures_and_text() -> None:
    result = evaluate_order_approval(
        ApprovalCriteria(ageing=True, ageing_days=40), None, D(0), D(0), D(1), AGED, TODAY
    )
    ageing = result.criterion(Criterion.AGEING)
    assert ageing.figures["average_age"] == D("40.00")
    assert ageing.figures["open_total"] == D("4000")
    assert ageing.text == "Açık borçların tutar ağırlıklı ortalama yaşı 40,00 gün; sınır 40 gün."


OVERDUE = [item(1, "5000", age=100, due_in=30)]  # 70 days past due, aged 100 days
FRESH = [item(1, "5000", age=5, due_in=30)]
COMBOS = {
    "nothing ticked: approved even with everything failing": (
        ApprovalCriteria(ageing_days=10),
        "100",
        OVERDUE,
        (),
    ),
    "all ticked, all pass": (ApprovalCriteria(True, True, True, 365), "100000", FRESH, ()),
    "risk passes, due date fails": (
        ApprovalCriteria(risk=True, due_date=True),
        "100000",
        OVERDUE,
        (Criterion.DUE_DATE,),
    ),
    "all ticked, all fail": (
        ApprovalCriteria(True, True, True, 10),
        "100",
        OVERDUE,
        (Criterion.RISK, Criterion.DUE_DATE, Criterion.AGEING),
    ),
    "only ageing ticked and failing": (
        ApprovalCriteria(ageing=True, ageing_days=99),
        "100",
        OVERDUE,
        (Criterion.AGEING,),
    ),
}


@pytest.mark.parametrize(
    ("criteria", "limit", "items", "failed"), COMBOS.values(), ids=COMBOS.keys()
)
def test_combinations(
    criteria: ApprovalCriteria, limit: str, items: list[OpenItem], failed: tuple[Criterion, ...]
) -> None:
    result = evaluate_order_approval(criteria, D(limit), D("5000"), D("0"), D("1000"), items, TODAY)
    approved = not failed
    assert result.approved is approved
    assert tuple(c.name for c in result.failed) == failed
    assert [c.name for c in result.criteria] == list(Criterion)
    assert [c.ticked for c in result.criteria] == [
        criteria.risk,
        criteria.due_date,
        criteria.ageing,
    ]
    if approved:
        assert result.text.startswith("Sipariş onaylanabilir")
    else:
        assert all(c.name.label in result.text for c in result.failed)
    assert f"approved={int(approved)}" in result.audit_detail


def test_unticked_criteria_are_still_reported() -> None:
    result = evaluate_order_approval(
        ApprovalCriteria(), D("100"), D("5000"), D("0"), D("1000"), OVERDUE, TODAY
    )
    assert result.approved
    assert [c.passed for c in result.criteria] == [False, False, False]
    assert result.failed == ()


# --- properties ---------------------------------------------------------------------------

money = st.integers(min_value=-10_000_000, max_value=10_000_000).map(lambda c: D(c) / 100)


@given(st.none() | money, money, money, money)
def test_risk_passes_iff_sum_within_limit(
    limit: D | None, balance: D, unshipped: D, order: D
) -> None:
    result = evaluate_order_approval(
        ApprovalCriteria(risk=True), limit, balance, unshipped, order, [], TODAY
    )
    expected = limit is None or balance + unshipped + order <= limit
    assert result.criterion(Criterion.RISK).passed is expected
    assert result.approved is expected


@st.composite
def open_items(draw: st.DrawFn) -> list[OpenItem]:
    return [
        item(
            mid,
            str(draw(st.integers(1, 10_000_000)) / 100),
            draw(st.integers(-10, 500)),
            draw(st.none() | st.integers(0, 120)),
            settled=draw(st.sampled_from(["0", "0.5"])),
        )
        for mid in range(draw(st.integers(0, 8)))
    ]


@given(open_items(), st.integers(0, 500), st.booleans(), st.booleans(), st.booleans())
def test_approved_iff_every_ticked_criterion_passes(
    items: list[OpenItem], days: int, risk: bool, due: bool, ageing: bool
) -> None:
    criteria = ApprovalCriteria(risk, due, ageing, days)
    result = evaluate_order_approval(criteria, D("50000"), D(0), D(0), D("100"), items, TODAY)
    assert result.approved is all(c.passed for c in result.criteria if c.ticked)
    due_result = result.criterion(Criterion.DUE_DATE)
    assert due_result.passed is (not any(i.is_open and i.effective_due < TODAY for i in items))
    average = result.criterion(Criterion.AGEING).figures["average_age"]
    ages = [max(0, (TODAY - i.date).days) for i in items if i.is_open]
    assert isinstance(average, Decimal)
    assert (min(ages, default=0) - D("0.01")) <= average <= max(ages, default=0) + D("0.01")
