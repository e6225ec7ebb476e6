"""Due-date tracking (SPEC C4): the seed's edge cases as a table, the definitions as properties."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui_mutabakat.domain.enums import DUE_TRACKABLE_TYPES, DocumentType, RuleAction
from tui_mutabakat.domain.rules import (
    DueTrackingParams,
    OpenItem,
    Outcome,
    evaluate_due_tracking,
)

TODAY = date(2026, 6, 30)
D = Decimal
INVOICE = DocumentType.SALES_INVOICE
ALL_TYPES = frozenset(DUE_TRACKABLE_TYPES)


def item(
    movement_id: int,
    days_past_due: int | None,
    amount: str,
    settled: str = "0",
    *,
    doc_days_ago: int = 90,
) -> OpenItem:
    """An open debit item `days_past_due` days after its due date (None: no due date)."""
    due = None if days_past_due is None else TODAY - timedelta(days=days_past_due)
    return OpenItem(
        movement_id, INVOICE, TODAY - timedelta(days=doc_days_ago), due, D(amount), D(settled)
    )


def params(
    days: int | None, amount: str | None, action: RuleAction = RuleAction.STOP
) -> DueTrackingParams:
    return DueTrackingParams(ALL_TYPES, days, None if amount is None else D(amount), action)


@dataclass(frozen=True)
class Case:
    params: DueTrackingParams
    items: tuple[OpenItem, ...]
    checked: bool
    fired: bool
    overdue_ids: tuple[int, ...] = ()
    total: str = "0"
    doc_type: DocumentType = INVOICE
    debits: bool = True


CASES = {
    "doc type not tracked": Case(
        DueTrackingParams(frozenset({DocumentType.CASH}), 0, None, RuleAction.STOP),
        (item(1, 100, "500"),),
        checked=False,
        fired=False,
    ),
    "purchase invoice never tracked": Case(
        params(0, None),
        (item(1, 100, "500"),),
        checked=False,
        fired=False,
        doc_type=DocumentType.PURCHASE_INVOICE,
    ),
    "credit movement not checked": Case(
        params(0, None), (item(1, 100, "500"),), checked=False, fired=False, debits=False
    ),
    "days and amount both empty: no check": Case(
        params(None, None), (item(1, 400, "99999"),), checked=False, fired=False
    ),
    "days empty, amount given: D = 0, overdue from the day after the due date": Case(
        params(None, "300"),
        (item(1, 1, "100"), item(2, 5, "200"), item(3, 0, "1000"), item(4, -1, "1000")),
        checked=True,
        fired=True,
        overdue_ids=(2, 1),
        total="300",
    ),
    "days empty, sum one kuruş under the amount": Case(
        params(None, "300.01"),
        (item(1, 1, "100"), item(2, 5, "200")),
        checked=True,
        fired=False,
        overdue_ids=(2, 1),
        total="300",
    ),
    "an item due today is not overdue, whatever D and A": Case(
        params(0, "0"), (item(1, 0, "99999"), item(2, None, "5", doc_days_ago=0)), True, False
    ),
    "amount empty, days given: one item exactly D days over fires": Case(
        params(30, None), (item(1, 30, "0.01"), item(2, 29, "5000")), True, True, (1,), "0.01"
    ),
    "amount empty, days given: D - 1 days over does not fire": Case(
        params(30, None), (item(1, 29, "5000"),), checked=True, fired=False
    ),
    "days and amount: both exactly at the boundary fire": Case(
        params(30, "1000"),
        (item(1, 30, "600"), item(2, 45, "400"), item(3, 29, "9000")),
        checked=True,
        fired=True,
        overdue_ids=(2, 1),
        total="1000",
    ),
    "days and amount: day boundary met, amount not": Case(
        params(30, "1000.01"), (item(1, 30, "600"), item(2, 45, "400")), True, False, (2, 1), "1000"
    ),
    "amount zero, days given: any overdue item fires": Case(
        params(10, "0"), (item(1, 10, "1"),), True, True, (1,), "1"
    ),
    "no open items: at least one is needed even when A = 0": Case(
        params(0, "0"), (), checked=True, fired=False
    ),
    "fully settled item ignored": Case(
        params(30, None), (item(1, 90, "500", "500"),), checked=True, fired=False
    ),
    "over-settled item ignored": Case(
        params(0, "0"), (item(1, 90, "500", "600"),), checked=True, fired=False
    ),
    "part-settled item counts its open part": Case(
        params(30, "400"), (item(1, 60, "1000", "600"),), True, True, (1,), "400"
    ),
    "part-settled item: open part under the amount": Case(
        params(30, "400.01"), (item(1, 60, "1000", "600"),), True, False, (1,), "400"
    ),
    "no due date: due on its document date": Case(
        params(30, None),
        (item(1, None, "100", doc_days_ago=30), item(2, None, "100", doc_days_ago=29)),
        checked=True,
        fired=True,
        overdue_ids=(1,),
        total="100",
    ),
    "future due date not overdue with D = 0": Case(
        params(0, None), (item(1, -3, "100"),), checked=True, fired=False
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_due_tracking_table(case: Case) -> None:
    result = evaluate_due_tracking(case.params, case.doc_type, case.debits, case.items, TODAY)
    assert result.checked is case.checked
    assert result.fired is case.fired
    assert tuple(i.movement_id for i in result.overdue) == case.overdue_ids
    assert result.overdue_total == D(case.total)
    assert result.outcome is (Outcome.STOP if case.fired else Outcome.PASS)
    if case.checked:
        expected_days = case.params.days if case.params.days is not None else 0
        assert result.days_used == expected_days
        assert result.amount_used == case.params.amount
    else:
        assert result.days_used is None and result.overdue == ()


ACTIONS = {
    "continue: fired, saved and logged": (RuleAction.CONTINUE, Outcome.PASS),
    "warn: user confirms": (RuleAction.WARN, Outcome.WARN),
    "stop: refused": (RuleAction.STOP, Outcome.STOP),
}


@pytest.mark.parametrize(("action", "outcome"), ACTIONS.values(), ids=ACTIONS.keys())
def test_action_decides_outcome_when_fired(action: RuleAction, outcome: Outcome) -> None:
    fired = evaluate_due_tracking(
        params(30, None, action), INVOICE, True, [item(1, 31, "1")], TODAY
    )
    assert fired.fired and fired.must_log
    assert fired.outcome is outcome
    calm = evaluate_due_tracking(params(30, None, action), INVOICE, True, [item(1, 2, "1")], TODAY)
    assert not calm.fired and not calm.must_log
    assert calm.outcome is Outcome.PASS


def test_texts_carry_the_figures() -> None:
    items = [item(1, 31, "5000"), item(2, 40, "7000"), item(3, 90, "345.67"), item(4, 3, "9")]
    result = evaluate_due_tracking(params(30, "10000"), INVOICE, True, items, TODAY)
    assert result.text == (
        "Vadesinden en az 30 gün geçmiş 3 kalem, toplam 12.345,67 TL (sınır 10.000,00 TL)."
    )
    assert "items=[3,2,1]" in result.audit_detail and "S=12345.67" in result.audit_detail
    assert result.days_overdue(result.overdue[0]) == 90
    under = evaluate_due_tracking(params(30, "20000"), INVOICE, True, items, TODAY)
    assert under.text.endswith("sınırın (20.000,00 TL) altında.")
    no_limit = evaluate_due_tracking(params(None, None), INVOICE, True, items, TODAY)
    assert "yapılmaz" in no_limit.text


def test_negative_parameters_rejected() -> None:
    with pytest.raises(ValueError):
        params(-1, None)
    with pytest.raises(ValueError):
        params(None, "-0.01")


# --- properties ---------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=5_000_000).map(lambda c: D(c) / 100)


@st.composite
def open_items(draw: st.DrawFn) -> list[OpenItem]:
    count = draw(st.integers(min_value=0, max_value=12))
    result = []
    for movement_id in range(1, count + 1):
        doc_date = TODAY - timedelta(days=draw(st.integers(min_value=-30, max_value=400)))
        due_offset = draw(st.none() | st.integers(min_value=0, max_value=180))
        due = None if due_offset is None else doc_date + timedelta(days=due_offset)
        amount = draw(cents)
        settled = draw(st.sampled_from([D(0), amount, amount / 2, amount + 1]) | cents)
        result.append(OpenItem(movement_id, INVOICE, doc_date, due, amount, settled))
    return result


days_st = st.none() | st.integers(min_value=0, max_value=365)
amount_st = st.none() | cents


def fires(items: list[OpenItem], days: int | None, amount: D | None, today: date) -> bool:
    result = evaluate_due_tracking(
        DueTrackingParams(ALL_TYPES, days, amount, RuleAction.WARN), INVOICE, True, items, today
    )
    return result.fired


@given(open_items(), days_st, amount_st)
def test_listed_items_are_exactly_the_overdue_ones(
    items: list[OpenItem], days: int | None, amount: D | None
) -> None:
    p = DueTrackingParams(ALL_TYPES, days, amount, RuleAction.WARN)
    result = evaluate_due_tracking(p, INVOICE, True, items, TODAY)
    if days is None and amount is None:
        assert not result.checked and not result.fired
        return
    threshold = days or 0
    listed = {i.movement_id for i in result.overdue}
    assert len(listed) == len(result.overdue)
    assert result.overdue_total == sum((i.unsettled for i in result.overdue), D(0))
    for it in items:
        past_due = (TODAY - it.effective_due).days
        is_overdue = it.unsettled > 0 and past_due >= 1 and past_due >= threshold
        assert (it.movement_id in listed) is is_overdue
    assert result.fired is (bool(listed) and (amount is None or result.overdue_total >= amount))
    assert (result.outcome is Outcome.WARN) is result.fired


@given(open_items(), days_st, amount_st, st.integers(min_value=0, max_value=400))
def test_a_later_today_never_unfires(
    items: list[OpenItem], days: int | None, amount: D | None, later: int
) -> None:
    if fires(items, days, amount, TODAY):
        assert fires(items, days, amount, TODAY + timedelta(days=later))


@given(open_items(), days_st, cents, cents)
def test_a_lower_amount_never_unfires(items: list[OpenItem], days: int | None, a: D, b: D) -> None:
    high, low = max(a, b), min(a, b)
    if fires(items, days, high, TODAY):
        assert fires(items, days, low, TODAY)
        assert fires(items, days if days is not None else 0, None, TODAY)


@given(open_items(), st.integers(0, 365), st.integers(0, 365), amount_st)
def test_a_lower_day_count_never_unfires(
    items: list[OpenItem], a: int, b: int, amount: D | None
) -> None:
    if fires(items, max(a, b), amount, TODAY):
        assert fires(items, min(a, b), amount, TODAY)
