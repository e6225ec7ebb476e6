"""Seed 004 where issue 11 found the product differing from the text (B4–B9), on a database."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest

from tests.ops_data import TODAY, add_movement, audit, make_account
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import DocumentType, RuleAction
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.movements import DueTrackingStop, DueTrackingWarning
from tui_mutabakat.services.orders import OrderData, OrderLineData, load_order, save_order
from tui_mutabakat.services.parameters import load_parameters, save_parameters

PAID_ORDERS = frozenset({DocumentType.SALES_ORDER_PAID})


def overdue_account(database: Database, actor: Actor, action: RuleAction) -> int:
    """An account tracking paid sales orders, with 5 000 TL 40 days past due."""
    account = make_account(
        database,
        actor,
        due_track_types=PAID_ORDERS,
        due_track_days=30,
        due_track_amount=Decimal("1000"),
        due_track_action=action,
    )
    add_movement(
        database,
        account,
        debit="5000",
        date=TODAY - dt.timedelta(days=70),
        due_date=TODAY - dt.timedelta(days=40),
        doc_no="FT-ESKI",
    )
    return account


def order(account: int, *, paid: bool, price: str = "100") -> OrderData:
    line = OrderLineData("Vida", Decimal("10"), "Adet", Decimal(price))
    return OrderData(account, TODAY, lines=[line], paid=paid)


# --- 11.4: a paid sales order is under due-date tracking -------------------------------------


def test_a_paid_order_is_stopped_an_unpaid_one_is_not(database: Database, actor: Actor) -> None:
    account = overdue_account(database, actor, RuleAction.STOP)
    for confirmed in (False, True):
        with pytest.raises(DueTrackingStop) as caught, database.unit_of_work() as session:
            save_order(session, actor, order(account, paid=True), confirmed=confirmed, today=TODAY)
        assert [line.doc_no for line in caught.value.check.lines] == ["FT-ESKI"]
    with database.unit_of_work() as session:
        unpaid = save_order(session, actor, order(account, paid=False), today=TODAY)
    # making the draft paid is a new debit: checked; its text alone is not
    with pytest.raises(DueTrackingStop), database.unit_of_work() as session:
        data = replace(order(account, paid=True), id=unpaid)
        save_order(session, actor, data, today=TODAY)
    with database.unit_of_work() as session:
        assert load_order(session, unpaid).paid is False


def test_a_paid_order_warns_then_saves_and_logs(database: Database, actor: Actor) -> None:
    account = overdue_account(database, actor, RuleAction.WARN)
    with pytest.raises(DueTrackingWarning), database.unit_of_work() as session:
        save_order(session, actor, order(account, paid=True), today=TODAY)
    with database.unit_of_work() as session:
        order_id = save_order(
            session, actor, order(account, paid=True), confirmed=True, today=TODAY
        )
    [logged] = audit(database, "due_tracking")
    assert logged.entity == "sales_order" and logged.entity_id == str(order_id)
    assert "outcome=warn" in logged.detail and "confirmed=1" in logged.detail
    with database.unit_of_work() as session:
        stored = load_order(session, order_id)
        assert stored.paid
        # a lower total on the paid draft adds no debt: saved without asking
        stored.lines[0].unit_price = Decimal("50")
        stored.description = "indirim"
        save_order(session, actor, stored, today=TODAY)
    with database.unit_of_work() as session:
        stored = load_order(session, order_id)
        assert stored.description == "indirim"
        stored.lines[0].unit_price = Decimal("60")
    with pytest.raises(DueTrackingWarning), database.unit_of_work() as session:
        save_order(session, actor, stored, today=TODAY)


def test_an_untracked_account_saves_paid_orders(database: Database, actor: Actor) -> None:
    account = overdue_account(database, actor, RuleAction.STOP)
    with database.unit_of_work() as session:
        params = load_parameters(session, account)
        save_parameters(session, actor, account, replace(params, due_track_types=frozenset()))
    with database.unit_of_work() as session:
        assert save_order(session, actor, order(account, paid=True), today=TODAY)
    assert audit(database, "due_tracking") == []
