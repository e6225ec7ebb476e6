"""Debt closing (SPEC C5): manual and FIFO matching, the due-date gap control, undo."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.ops_data import TODAY, add_movement, audit, make_account, movement
from tests.test_movements_service import invoice
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import RuleAction
from tui_mutabakat.domain.errors import Refused
from tui_mutabakat.domain.rules import Outcome
from tui_mutabakat.services.accounts.movements import check_movement, open_balance
from tui_mutabakat.services.accounts.settlement import (
    ClosingStop,
    ClosingWarning,
    FifoWarning,
    last_fifo_run,
    last_match_id,
    load_view,
    plan_fifo_settlement,
    settle_fifo,
    settle_pair,
    undo_fifo_run,
    undo_match,
)
from tui_mutabakat.services.context import Actor

JAN = dt.date(2026, 1, 1)


def day(offset: int) -> dt.date:
    return JAN + dt.timedelta(days=offset)


def settled(database: Database, movement_id: int) -> Decimal:
    row = movement(database, movement_id)
    assert row is not None
    return row.settled


def test_part_match_and_undo(database: Database, actor: Actor) -> None:
    account = make_account(database, actor)
    debit = add_movement(database, account, debit="1000", date=JAN, doc_no="FT-1")
    credit = add_movement(database, account, credit="300", date=day(5), doc_no="TH-1")
    with database.unit_of_work() as session:
        settle_pair(session, actor, account, debit, credit, Decimal("120.50"))
    assert settled(database, debit) == settled(database, credit) == Decimal("120.50")
    with database.reader() as session:
        view = load_view(session, account)
        assert [i.unsettled for i in view.debits] == [Decimal("879.50")]
        assert [i.unsettled for i in view.credits] == [Decimal("179.50")]
        [match] = view.matches
        assert (match.debit_doc, match.credit_doc, match.amount) == (
            "FT-1",
            "TH-1",
            Decimal("120.50"),
        )
        assert last_match_id(session, account) == match.id
    with database.unit_of_work() as session:
        settle_pair(session, actor, account, debit, credit)  # the rest of the credit
    assert settled(database, credit) == Decimal("300")
    with database.reader() as session:
        assert load_view(session, account).credits == ()
        last = last_match_id(session, account)
    assert last is not None
    with database.unit_of_work() as session:
        undo_match(session, actor, last)
    assert settled(database, debit) == settled(database, credit) == Decimal("120.50")
    assert [e.entity_id for e in audit(database, "undo_settle")] == [str(last)]
    assert len(audit(database, "settle")) == 2


def test_settling_feeds_the_rules(database: Database, actor: Actor) -> None:
    account = make_account(database, actor)
    debit = add_movement(database, account, debit="1000", date=JAN, due_date=JAN)
    credit = add_movement(database, account, credit="1000", date=day(3))
    with database.unit_of_work() as session:
        assert open_balance(session, account) == Decimal("0")
        settle_pair(session, actor, account, debit, credit)
        assert open_balance(session, account) == Decimal("0")
        assert check_movement(session, invoice(account), TODAY).result.overdue == ()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Decimal("1000.01"), "borç kaleminin"),
        (Decimal("500.01"), "alacak kaleminin"),
        (Decimal("0"), "sıfırdan büyük"),
    ],
)
def test_amounts_beyond_the_open_items_are_refused(
    database: Database, actor: Actor, amount: Decimal, message: str
) -> None:
    account = make_account(database, actor)
    debit = add_movement(database, account, debit="1000", date=JAN)
    credit = add_movement(database, account, credit="500", date=JAN)
    with pytest.raises(Refused, match=message), database.unit_of_work() as session:
        settle_pair(session, actor, account, debit, credit, amount)
    assert settled(database, debit) == Decimal("0")


def test_other_currency_or_same_side_is_refused(database: Database, actor: Actor) -> None:
    account = make_account(database, actor)
    debit = add_movement(database, account, debit="1000", date=JAN)
    usd = add_movement(database, account, credit="10", currency="USD", fx_rate="30", date=JAN)
    other_debit = add_movement(database, account, debit="10", date=JAN)
    with pytest.raises(Refused, match="döviz"), database.unit_of_work() as session:
        settle_pair(session, actor, account, debit, usd)
    with pytest.raises(Refused, match="alacak"), database.unit_of_work() as session:
        settle_pair(session, actor, account, debit, other_debit)


def gap_account(database: Database, actor: Actor, action: RuleAction) -> tuple[int, int, int]:
    """A debit due 1 Jan and a credit due 11 Feb (41 days apart), control K = 30."""
    account = make_account(database, actor, close_check_days=30, close_check_action=action)
    debit = add_movement(database, account, debit="1000", date=JAN, due_date=JAN)
    credit = add_movement(database, account, credit="400", date=day(10), due_date=day(41))
    return account, debit, credit


def test_gap_stop_refuses_the_match(database: Database, actor: Actor) -> None:
    account, debit, credit = gap_account(database, actor, RuleAction.STOP)
    for confirmed in (False, True):
        with pytest.raises(ClosingStop) as caught, database.unit_of_work() as session:
            settle_pair(session, actor, account, debit, credit, confirmed=confirmed)
        assert caught.value.pair.closing.gap_days == 41
        assert "30 günlük sınırı aşıyor" in str(caught.value)
    assert settled(database, debit) == Decimal("0")


def test_gap_warn_needs_confirmation(database: Database, actor: Actor) -> None:
    account, debit, credit = gap_account(database, actor, RuleAction.WARN)
    with pytest.raises(ClosingWarning), database.unit_of_work() as session:
        settle_pair(session, actor, account, debit, credit)
    assert settled(database, debit) == Decimal("0")
    with database.unit_of_work() as session:
        settle_pair(session, actor, account, debit, credit, confirmed=True)
    assert settled(database, debit) == Decimal("400")
    [logged] = audit(database, "settle")
    assert "closing_gap fired=1 action=warn" in logged.detail and "gap=41" in logged.detail


def test_gap_continue_matches_and_logs(database: Database, actor: Actor) -> None:
    account, debit, credit = gap_account(database, actor, RuleAction.CONTINUE)
    with database.unit_of_work() as session:
        settle_pair(session, actor, account, debit, credit)
    [logged] = audit(database, "settle")
    assert "closing_gap fired=1 action=continue" in logged.detail


def test_gap_of_exactly_k_days_passes(database: Database, actor: Actor) -> None:
    account = make_account(database, actor, close_check_days=30, close_check_action=RuleAction.STOP)
    debit = add_movement(database, account, debit="100", date=JAN, due_date=JAN)
    credit = add_movement(database, account, credit="100", date=JAN, due_date=day(30))
    with database.unit_of_work() as session:
        settle_pair(session, actor, account, debit, credit)
    assert "closing_gap" not in audit(database, "settle")[0].detail


def fifo_account(database: Database, actor: Actor, action: RuleAction) -> dict[str, int]:
    """Debits due 1 Jan and 1 Mar, a USD debit, credits due 5 Mar and 10 Mar; K = 10."""
    account = make_account(database, actor, close_check_days=10, close_check_action=action)
    return {
        "account": account,
        "d_jan": add_movement(database, account, debit="100", date=JAN, due_date=JAN),
        "d_mar": add_movement(database, account, debit="100", date=day(59), due_date=day(59)),
        "d_usd": add_movement(
            database, account, debit="50", currency="USD", fx_rate="30", date=day(59)
        ),
        "c_mar5": add_movement(database, account, credit="150", date=day(63), due_date=day(63)),
        "c_mar10": add_movement(database, account, credit="80", date=day(68), due_date=day(68)),
    }


def test_fifo_skips_the_pairs_stop_refuses(database: Database, actor: Actor) -> None:
    ids = fifo_account(database, actor, RuleAction.STOP)
    with database.unit_of_work() as session:
        result = settle_fifo(session, actor, ids["account"])
    # d_jan is 62+ days from every credit: stopped; d_mar takes 100 of c_mar5; USD has no credit.
    assert result.count == 1 and result.totals == {"TRY": Decimal("100")}
    assert result.stopped == 2
    assert settled(database, ids["d_jan"]) == Decimal("0")
    assert settled(database, ids["d_mar"]) == Decimal("100")
    assert settled(database, ids["c_mar5"]) == Decimal("100")
    assert settled(database, ids["d_usd"]) == Decimal("0")


def test_fifo_warn_asks_once_listing_the_pairs(database: Database, actor: Actor) -> None:
    ids = fifo_account(database, actor, RuleAction.WARN)
    with pytest.raises(FifoWarning) as caught, database.unit_of_work() as session:
        settle_fifo(session, actor, ids["account"])
    warned = caught.value.plan.warned
    assert [(p.match.debit_id, p.match.credit_id) for p in warned] == [
        (ids["d_jan"], ids["c_mar5"])
    ]
    assert settled(database, ids["d_jan"]) == Decimal("0")
    with database.unit_of_work() as session:
        result = settle_fifo(session, actor, ids["account"], confirmed=True)
    assert result.count == 3 and result.totals == {"TRY": Decimal("200")}
    assert settled(database, ids["c_mar5"]) == Decimal("150")
    assert settled(database, ids["c_mar10"]) == Decimal("50")


def test_fifo_without_control_settles_everything(database: Database, actor: Actor) -> None:
    ids = fifo_account(database, actor, RuleAction.CONTINUE)
    with database.reader() as session:
        plan = plan_fifo_settlement(session, ids["account"])
    assert plan.stopped == () and all(p.closing.outcome is Outcome.PASS for p in plan.pairs)
    with database.unit_of_work() as session:
        result = settle_fifo(session, actor, ids["account"])
    assert result.totals == {"TRY": Decimal("200")}
    assert sum(1 for e in audit(database, "settle") if "closing_gap fired=1" in e.detail) == 1


def test_the_last_fifo_run_is_known_until_a_match_by_hand(database: Database, actor: Actor) -> None:
    """U after F6 undoes the run: the run is found from the log (so also after the screen was
    left), two runs apart, and none once the last match was made by hand."""
    account = make_account(database, actor)
    debits = [add_movement(database, account, debit="100", date=day(i)) for i in (0, 1)]
    for i in (2, 3):
        add_movement(database, account, credit="100", date=day(i))
    with database.unit_of_work() as session:
        assert last_fifo_run(session, account) == ()
        settle_fifo(session, actor, account)
    with database.reader() as session:
        run = last_fifo_run(session, account)
        assert len(run) == 2
    later_debit = add_movement(database, account, debit="50", date=day(4))
    later_credit = add_movement(database, account, credit="50", date=day(5))
    with database.unit_of_work() as session:
        settle_fifo(session, actor, account)  # a second run of one pair
    with database.reader() as session:
        second = last_fifo_run(session, account)
        assert len(second) == 1 and not set(second) & set(run)
    with database.unit_of_work() as session:
        undo_fifo_run(session, actor, second)
        assert last_fifo_run(session, account) == run  # the first run is the last again
        undo_fifo_run(session, actor, run)
    assert all(settled(database, d) == 0 for d in debits)
    with database.unit_of_work() as session:
        settle_pair(session, actor, account, later_debit, later_credit)
        assert last_fifo_run(session, account) == ()
    undone = audit(database, "undo_settle")
    assert len(undone) == 3 and all(e.detail.startswith("fifo debit=") for e in undone)


def test_a_closing_decision_stays_on_its_account_after_an_undo(
    database: Database, actor: Actor
) -> None:
    """The decisions screen found a closing decision by its settlement row: an undo deleted
    the row, so the decision went from the list, and SQLite gave the row's id to the next
    settlement — of another account, which then showed it (found in the re-walk)."""
    from tui_mutabakat.services.accounts.rule_log import list_decisions

    account, debit, credit = gap_account(database, actor, RuleAction.CONTINUE)
    with database.unit_of_work() as session:
        match = settle_pair(session, actor, account, debit, credit)
        undo_match(session, actor, match)
    other = make_account(database, actor, "120.02")
    other_debit = add_movement(database, other, debit="50", date=JAN, due_date=JAN)
    other_credit = add_movement(database, other, credit="50", date=JAN, due_date=JAN)
    with database.unit_of_work() as session:
        settle_pair(session, actor, other, other_debit, other_credit)
    with database.reader() as session:
        mine = [d.rule for d in list_decisions(session, account)]
        theirs = [d.rule for d in list_decisions(session, other)]
    assert any("kapama" in rule.lower() for rule in mine), mine
    assert not any("kapama" in rule.lower() for rule in theirs), theirs
