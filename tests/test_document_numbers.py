"""Document numbers without gaps (issue 11): a refused save does not use a number up, and the
invoice series (FT) does not count the dispatch notes (IR) beside it — on both engines."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest

from tests.ops_data import TODAY, add_movement, make_account
from tui_mutabakat.data.models import Movement
from tui_mutabakat.data.ops_models import Invoice, SalesOrder
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import DocumentType, RuleAction
from tui_mutabakat.services.accounts.document_numbers import (
    next_invoice_number,
)
from tui_mutabakat.services.accounts.movements import DueTrackingStop
from tui_mutabakat.services.accounts.order_approval import (
    approve_order,
)
from tui_mutabakat.services.accounts.orders import (
    OrderData,
    OrderLineData,
    save_order,
)
from tui_mutabakat.services.accounts.shipping import invoice_dispatch, ship_order
from tui_mutabakat.services.context import Actor, resolve_actor


def tracked_account(database: Database, actor: Actor) -> int:
    return make_account(
        database,
        actor,
        partial_shipment=True,
        due_track_types=frozenset({DocumentType.SALES_INVOICE, DocumentType.SALES_ORDER_PAID}),
        due_track_days=30,
        due_track_action=RuleAction.STOP,
    )


def new_order(database: Database, actor: Actor, account: int, *, paid: bool = False) -> int:
    line = OrderLineData("Vida", Decimal("10"), "Adet", Decimal("12"))
    with database.unit_of_work() as session:
        order_id = save_order(
            session, actor, OrderData(account, TODAY, lines=[line], paid=paid), today=TODAY
        )
        if not paid:
            approve_order(session, actor, order_id)
    return order_id


def overdue(database: Database, account: int) -> int:
    return add_movement(
        database,
        account,
        debit="50",
        date=TODAY - dt.timedelta(days=60),
        due_date=TODAY - dt.timedelta(days=40),
    )


def paid_off(database: Database, movement_id: int) -> None:
    with database.unit_of_work() as session:
        row = session.get(Movement, movement_id)
        assert row is not None
        session.delete(row)


def numbers(database: Database) -> list[str]:
    with database.reader() as session:
        return sorted(session.scalars(Invoice.__table__.select().with_only_columns(Invoice.number)))


def test_a_refused_invoice_leaves_ft_000001_to_the_next_one(
    any_database: Database, any_actor: Actor
) -> None:
    database, actor = any_database, any_actor
    account = tracked_account(database, actor)
    order_id = new_order(database, actor, account)
    with database.unit_of_work() as session:
        note_id = ship_order(session, actor, order_id, invoice_date=TODAY, dispatch=True)
    late = overdue(database, account)
    with pytest.raises(DueTrackingStop), database.unit_of_work() as session:
        invoice_dispatch(session, actor, note_id, invoice_date=TODAY, today=TODAY)
    assert numbers(database) == ["IR-000001"]
    paid_off(database, late)
    with database.unit_of_work() as session:
        invoice_id = invoice_dispatch(session, actor, note_id, invoice_date=TODAY, today=TODAY)
    with database.reader() as session:
        invoice = session.get(Invoice, invoice_id)
        assert invoice is not None and invoice.number == "FT-000001"
        movement = session.get(Movement, invoice.movement_id)
        assert movement is not None and movement.doc_no == "FT-000001"
    # the ship dialog's path: a refused direct invoice, then one that passes, then a note
    second = new_order(database, actor, account)
    late = overdue(database, account)
    with pytest.raises(DueTrackingStop), database.unit_of_work() as session:
        ship_order(session, actor, second, invoice_date=TODAY, today=TODAY)
    paid_off(database, late)
    with database.unit_of_work() as session:
        line = session.get(SalesOrder, second)
        assert line is not None
        ship_order(
            session,
            actor,
            second,
            {line.lines[0].id: Decimal("4")},
            invoice_date=TODAY,
            today=TODAY,
        )
        ship_order(session, actor, second, invoice_date=TODAY, today=TODAY, dispatch=True)
    assert numbers(database) == ["FT-000001", "FT-000002", "IR-000001", "IR-000002"]


def test_a_refused_paid_order_leaves_its_number_to_the_next_one(
    any_database: Database, any_actor: Actor
) -> None:
    database, actor = any_database, any_actor
    account = tracked_account(database, actor)
    new_order(database, actor, account)
    late = overdue(database, account)
    with pytest.raises(DueTrackingStop):
        new_order(database, actor, account, paid=True)
    paid_off(database, late)
    new_order(database, actor, account, paid=True)
    with database.reader() as session:
        got = sorted(
            session.scalars(SalesOrder.__table__.select().with_only_columns(SalesOrder.number))
        )
    assert got == ["SS-000001", "SS-000002"]


def test_a_number_typed_by_hand_outside_the_series_leaves_no_gap(
    database: Database, actor: Actor
) -> None:
    account = tracked_account(database, actor)
    order_id = new_order(database, actor, account)
    with database.unit_of_work() as session:
        line = session.get(SalesOrder, order_id)
        assert line is not None
        ship_order(
            session,
            actor,
            order_id,
            {line.lines[0].id: Decimal("1")},
            invoice_date=TODAY,
            number="ELLE-17",
            today=TODAY,
        )
        assert next_invoice_number(session) == "FT-000001"
        assert next_invoice_number(session, "IR") == "IR-000001"


@pytest.mark.postgres
def test_two_saves_at_once_get_two_numbers(pg_database: Database) -> None:
    database = pg_database
    with database.unit_of_work() as session:
        actor = resolve_actor(session, "tester")
    account = tracked_account(database, actor)
    first, second = new_order(database, actor, account), new_order(database, actor, account)
    got: list[str] = []

    def other_user() -> None:
        with database.unit_of_work() as session:
            invoice_id = ship_order(session, actor, second, invoice_date=TODAY, today=TODAY)
            invoice = session.get(Invoice, invoice_id)
            assert invoice is not None
            got.append(invoice.number)

    with database.unit_of_work() as session:
        ship_order(session, actor, first, invoice_date=TODAY, today=TODAY)
        waiting = threading.Thread(target=other_user)
        waiting.start()
        waiting.join(timeout=1.0)
        assert waiting.is_alive()  # waits for this save to end, not for a clash
    waiting.join(timeout=30)
    assert got == ["FT-000002"]
    assert numbers(database) == ["FT-000001", "FT-000002"]
