"""Debt closing (SPEC C5): the due-date gap control, manual matches and FIFO settlement."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui_mutabakat.domain.enums import DocumentType, RuleAction
from tui_mutabakat.domain.rules import (
    Match,
    OpenItem,
    Outcome,
    Refusal,
    evaluate_closing_gap,
    evaluate_closing_match,
    fifo_order,
    plan_fifo,
    plan_match,
)

D = Decimal
BASE = date(2026, 1, 1)


def day(n: int) -> date:
    return BASE + timedelta(days=n)


def debit(mid: int, amount: str, settled: str = "0", due: int | None = 0, doc: int = 0) -> OpenItem:
    return OpenItem(
        mid,
        DocumentType.SALES_INVOICE,
        day(doc),
        None if due is None else day(due),
        D(amount),
        D(settled),
    )


def credit(
    mid: int, amount: str, settled: str = "0", due: int | None = 0, doc: int = 0
) -> OpenItem:
    return OpenItem(
        mid, DocumentType.BANK, day(doc), None if due is None else day(due), D(amount), D(settled)
    )


GAPS = {
    "K empty: no control however far": (None, 0, 900, False, False),
    "gap exactly K: no fire": (30, 0, 30, True, False),
    "gap K + 1: fires": (30, 0, 31, True, True),
    "credit due first, gap K + 1: fires": (30, 31, 0, True, True),
    "K = 0, same day: no fire": (0, 5, 5, True, False),
    "K = 0, one day apart: fires": (0, 5, 6, True, True),
}


@pytest.mark.parametrize(
    ("k", "debit_due", "credit_due", "checked", "fired"), GAPS.values(), ids=GAPS.keys()
)
def test_closing_gap_table(
    k: int | None, debit_due: int, credit_due: int, checked: bool, fired: bool
) -> None:
    result = evaluate_closing_gap(k, RuleAction.STOP, day(debit_due), day(credit_due))
    assert result.checked is checked
    assert result.fired is fired
    assert result.gap_days == abs(debit_due - credit_due)
    assert result.limit_days == k
    assert result.outcome is (Outcome.STOP if fired else Outcome.PASS)


@pytest.mark.parametrize(
    ("action", "outcome"),
    [
        (RuleAction.CONTINUE, Outcome.PASS),
        (RuleAction.WARN, Outcome.WARN),
        (RuleAction.STOP, Outcome.STOP),
    ],
    ids=["continue", "warn", "stop"],
)
def test_closing_gap_action(action: RuleAction, outcome: Outcome) -> None:
    result = evaluate_closing_gap(10, action, day(0), day(11))
    assert result.fired and result.must_log and result.outcome is outcome
    assert (
        result.text
        == "Borç vadesi 01.01.2026, alacak vadesi 12.01.2026: 11 gün fark; 10 günlük sınırı aşıyor."
    )
    assert "gap=11" in result.audit_detail


def test_closing_match_uses_document_date_without_due_date() -> None:
    d = debit(1, "100", due=None, doc=0)
    c = credit(2, "100", due=None, doc=45)
    result = evaluate_closing_match(44, RuleAction.WARN, d, c)
    assert result.gap_days == 45 and result.outcome is Outcome.WARN
    with_due = evaluate_closing_match(44, RuleAction.WARN, debit(1, "100", due=40), c)
    assert with_due.gap_days == 5 and not with_due.fired


MANUAL = {
    "no amount: the smaller open part": (debit(1, "100", "30"), credit(2, "50"), None, D("50")),
    "exactly the debit's open part": (debit(1, "100", "30"), credit(2, "500"), D("70"), D("70")),
    "exactly the credit's open part": (debit(1, "100"), credit(2, "50", "10"), D("40"), D("40")),
    "a part of both": (debit(1, "100"), credit(2, "50"), D("0.01"), D("0.01")),
    "over the debit's open part": (debit(1, "100", "30"), credit(2, "500"), D("70.01"), "borç"),
    "over the credit's open part": (debit(1, "100"), credit(2, "50", "10"), D("40.01"), "alacak"),
    "zero": (debit(1, "100"), credit(2, "50"), D("0"), "sıfırdan büyük"),
    "negative": (debit(1, "100"), credit(2, "50"), D("-5"), "sıfırdan büyük"),
    "not a number": (debit(1, "100"), credit(2, "50"), D("NaN"), "sıfırdan büyük"),
    "closed item, no amount": (debit(1, "100", "100"), credit(2, "50"), None, "kapanmış"),
}


@pytest.mark.parametrize(("d", "c", "amount", "expected"), MANUAL.values(), ids=MANUAL.keys())
def test_plan_match(d: OpenItem, c: OpenItem, amount: D | None, expected: D | str) -> None:
    result = plan_match(d, c, amount)
    if isinstance(expected, Decimal):
        assert result == Match(1, 2, expected)
    else:
        assert isinstance(result, Refusal) and expected in result.reason


FIFO = {
    "one debit over three credits, last in part": (
        [debit(1, "100")],
        [credit(11, "30", due=1), credit(12, "50", due=2), credit(13, "40", due=3)],
        [(1, 11, "30"), (1, 12, "50"), (1, 13, "20")],
    ),
    "two debits share a credit": (
        [debit(2, "50", due=5), debit(1, "100", due=1)],
        [credit(11, "120")],
        [(1, 11, "100"), (2, 11, "20")],
    ),
    "part-settled items match only their open parts": (
        [debit(1, "100", "60")],
        [credit(11, "100", "75", due=0), credit(12, "100", due=1)],
        [(1, 11, "25"), (1, 12, "15")],
    ),
    "settled items are skipped": (
        [debit(1, "100", "100"), debit(2, "10", due=9)],
        [credit(11, "5", "5"), credit(12, "10", due=3)],
        [(2, 12, "10")],
    ),
    "oldest by due date, then document date, then id": (
        [
            debit(3, "10", due=1, doc=0),
            debit(2, "10", due=1, doc=0),
            debit(4, "10", due=1, doc=-5),
            debit(1, "10", due=2),
        ],
        [credit(11, "35", due=None, doc=7)],
        [(4, 11, "10"), (2, 11, "10"), (3, 11, "10"), (1, 11, "5")],
    ),
    "no due date: due on its document date": (
        [debit(1, "10", due=None, doc=9), debit(2, "10", due=5, doc=0)],
        [credit(11, "10")],
        [(2, 11, "10")],
    ),
    "nothing to match against": ([debit(1, "10")], [], []),
}


@pytest.mark.parametrize(("debits", "credits_", "expected"), FIFO.values(), ids=FIFO.keys())
def test_plan_fifo_table(
    debits: list[OpenItem], credits_: list[OpenItem], expected: list[tuple[int, int, str]]
) -> None:
    assert plan_fifo(debits, credits_) == [Match(d, c, D(a)) for d, c, a in expected]


def test_plan_fifo_skips_vetoed_pairs() -> None:
    debits = [debit(1, "100", due=0), debit(2, "100", due=100)]
    credits_ = [credit(11, "60", due=0), credit(12, "60", due=95)]

    def within_30_days(d: OpenItem, c: OpenItem) -> bool:
        return evaluate_closing_match(30, RuleAction.STOP, d, c).outcome is not Outcome.STOP

    assert plan_fifo(debits, credits_, within_30_days) == [
        Match(1, 11, D("60")),
        Match(2, 12, D("60")),
    ]


# --- properties ---------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=1_000_000).map(lambda c: D(c) / 100)


@st.composite
def items(draw: st.DrawFn, first_id: int) -> list[OpenItem]:
    count = draw(st.integers(min_value=0, max_value=10))
    result = []
    for offset in range(count):
        amount = draw(cents)
        settled = draw(st.sampled_from([D(0), amount]) | cents)
        due = draw(st.none() | st.integers(0, 60))
        result.append(
            OpenItem(
                first_id + offset,
                DocumentType.CASH,
                day(draw(st.integers(0, 60))),
                None if due is None else day(due),
                amount,
                settled,
            )
        )
    return result


def open_total(seq: list[OpenItem]) -> D:
    return sum((i.unsettled for i in seq if i.unsettled > 0), D(0))


def matched_by(matches: list[Match], side: str) -> dict[int, D]:
    totals: dict[int, D] = defaultdict(lambda: D(0))
    for m in matches:
        totals[m.debit_id if side == "debit" else m.credit_id] += m.amount
    return totals


@given(items(1), items(1000))
def test_fifo_settles_the_smaller_side_in_full_and_never_over_settles(
    debits: list[OpenItem], credits_: list[OpenItem]
) -> None:
    matches = plan_fifo(debits, credits_)
    total = sum((m.amount for m in matches), D(0))
    assert total == min(open_total(debits), open_total(credits_))
    assert all(m.amount > 0 for m in matches)
    for side, seq in (("debit", debits), ("credit", credits_)):
        taken = matched_by(matches, side)
        by_id = {i.movement_id: i for i in seq}
        for mid, amount in taken.items():
            assert by_id[mid].unsettled > 0 and amount <= by_id[mid].unsettled
    # FIFO: an item is touched only when every older one on its side is used up.
    for side, seq in (("debit", debits), ("credit", credits_)):
        taken = matched_by(matches, side)
        ordered = fifo_order(seq)
        touched = [i for i, it in enumerate(ordered) if it.movement_id in taken]
        if touched:
            for older in ordered[: touched[-1]]:
                assert taken.get(older.movement_id, D(0)) == older.unsettled


@given(items(1), items(1000), st.integers(0, 30))
def test_fifo_with_a_veto_never_matches_a_vetoed_pair(
    debits: list[OpenItem], credits_: list[OpenItem], k: int
) -> None:
    def allowed(d: OpenItem, c: OpenItem) -> bool:
        return not evaluate_closing_match(k, RuleAction.STOP, d, c).fired

    by_id = {i.movement_id: i for i in debits + credits_}
    matches = plan_fifo(debits, credits_, allowed)
    assert all(allowed(by_id[m.debit_id], by_id[m.credit_id]) for m in matches)
    total = sum((m.amount for m in matches), D(0))
    assert total <= min(open_total(debits), open_total(credits_))
    for side in ("debit", "credit"):
        for mid, amount in matched_by(matches, side).items():
            assert amount <= by_id[mid].unsettled
