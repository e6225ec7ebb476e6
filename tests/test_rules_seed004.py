"""Seed 004 where issue 11 found the product differing from the text (B4–B9), on a database."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.ops_data import TODAY, add_movement, audit, make_account
from tui_mutabakat.data.models import Movement
from tui_mutabakat.data.ops_models import Invoice
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import DocumentType, OrderStatus, RuleAction
from tui_mutabakat.domain.errors import Refused
from tui_mutabakat.services.accounts.movements import DueTrackingStop, DueTrackingWarning
from tui_mutabakat.services.accounts.order_approval import (
    approve_order,
)
from tui_mutabakat.services.accounts.orders import (
    OrderData,
    OrderLineData,
    load_order,
    save_order,
)
from tui_mutabakat.services.accounts.parameters import load_parameters, save_parameters
from tui_mutabakat.services.accounts.shipping import invoice_dispatch, open_dispatches, ship_order
from tui_mutabakat.services.context import Actor

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


# --- 11.7: dispatch notes, under the same partial-shipment rule, invoiced later ---------------


def approved_order(database: Database, actor: Actor, account: int) -> int:
    lines = [
        OrderLineData("Vida", Decimal("10"), "Adet", Decimal("12")),
        OrderLineData("Somun", Decimal("4"), "Adet", Decimal("5")),
    ]
    with database.unit_of_work() as session:
        order_id = save_order(session, actor, OrderData(account, TODAY, lines=lines))
        approve_order(session, actor, order_id)
    return order_id


def test_a_dispatch_note_follows_the_partial_rule_and_is_invoiced_later(
    database: Database, actor: Actor
) -> None:
    account = make_account(database, actor, partial_shipment=False)
    order_id = approved_order(database, actor, account)
    with database.unit_of_work() as session:
        line_id = load_order(session, order_id).lines[0].id
        assert line_id is not None
    with pytest.raises(Refused), database.unit_of_work() as session:  # no partial on this one
        ship_order(
            session, actor, order_id, {line_id: Decimal("3")}, invoice_date=TODAY, dispatch=True
        )
    with database.unit_of_work() as session:
        note_id = ship_order(session, actor, order_id, invoice_date=TODAY, dispatch=True)
    with database.reader() as session:
        note = session.get(Invoice, note_id)
        assert note is not None and note.kind == "dispatch" and note.movement_id is None
        assert note.number.startswith("IR-") and note.total == Decimal("140")
        assert load_order(session, order_id).status is OrderStatus.SHIPPED
        assert [n.id for n in open_dispatches(session, order_id)] == [note_id]
        assert session.scalars(select(Movement).where(Movement.account_id == account)).all() == []
    due = TODAY + dt.timedelta(days=30)
    with database.unit_of_work() as session:
        invoice_id = invoice_dispatch(session, actor, note_id, invoice_date=TODAY, due_date=due)
    with database.reader() as session:
        invoice = session.get(Invoice, invoice_id)
        assert invoice is not None and invoice.kind == "invoice" and invoice.total == Decimal("140")
        [debit] = session.scalars(select(Movement).where(Movement.account_id == account)).all()
        assert debit.debit == Decimal("140") and debit.due_date == due
        assert debit.id == invoice.movement_id
        assert open_dispatches(session, order_id) == []
        # nothing was shipped twice
        assert [ln.shipped for ln in load_order(session, order_id).lines] == [
            Decimal("10"),
            Decimal("4"),
        ]
    with pytest.raises(Refused), database.unit_of_work() as session:
        invoice_dispatch(session, actor, note_id, invoice_date=TODAY)


def test_invoicing_a_dispatch_note_goes_through_due_tracking(
    database: Database, actor: Actor
) -> None:
    account = make_account(
        database,
        actor,
        partial_shipment=True,
        due_track_types=frozenset({DocumentType.SALES_INVOICE}),
        due_track_days=30,
        due_track_action=RuleAction.STOP,
    )
    order_id = approved_order(database, actor, account)
    with database.unit_of_work() as session:
        line_id = load_order(session, order_id).lines[0].id
        assert line_id is not None
        note_id = ship_order(
            session, actor, order_id, {line_id: Decimal("3")}, invoice_date=TODAY, dispatch=True
        )
        assert load_order(session, order_id).status is OrderStatus.PARTIALLY_SHIPPED
    add_movement(
        database,
        account,
        debit="50",
        date=TODAY - dt.timedelta(days=60),
        due_date=TODAY - dt.timedelta(days=40),
    )
    with pytest.raises(DueTrackingStop), database.unit_of_work() as session:
        invoice_dispatch(session, actor, note_id, invoice_date=TODAY, today=TODAY)
    with database.reader() as session:
        assert [n.id for n in open_dispatches(session, order_id)] == [note_id]
