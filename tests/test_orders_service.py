"""Sales orders (SPEC C1–C3): controlled approval, shipment into invoices, invoice copies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.ops_data import TODAY, add_movement, audit, make_account, movement_count
from tui_mutabakat.data.models import Movement
from tui_mutabakat.data.ops_models import Invoice
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import DocumentType, OrderStatus, Role, RuleAction
from tui_mutabakat.domain.errors import InvalidInput, Refused
from tui_mutabakat.domain.rules import ApprovalCriteria, Criterion
from tui_mutabakat.services.accounts.invoices import (
    copies_default,
    export_invoice,
    load_document,
    render,
)
from tui_mutabakat.services.accounts.movements import DueTrackingStop, DueTrackingWarning
from tui_mutabakat.services.accounts.order_approval import (
    ApprovalRefused,
    approve_order,
    evaluate_approval,
)
from tui_mutabakat.services.accounts.orders import (
    OrderData,
    OrderLineData,
    list_orders,
    load_order,
    save_order,
)
from tui_mutabakat.services.accounts.parameters import load_parameters, save_parameters
from tui_mutabakat.services.accounts.shipping import invoice_dispatch, ship_order
from tui_mutabakat.services.context import Actor


def new_order(database: Database, actor: Actor, account: int, *prices: str) -> int:
    """An order with one line per price: 10 units of 'Malzeme i' at that unit price."""
    lines = [
        OrderLineData(f"Malzeme {i}", Decimal("10"), "Adet", Decimal(price))
        for i, price in enumerate(prices or ("10",), start=1)
    ]
    with database.unit_of_work() as session:
        return save_order(session, actor, OrderData(account, TODAY, lines=lines))


def approve(database: Database, actor: Actor, order: int) -> None:
    with database.unit_of_work() as session:
        approve_order(session, actor, order, TODAY)


def status(database: Database, order: int) -> OrderStatus:
    with database.reader() as session:
        return load_order(session, order).status


def test_order_is_numbered_and_totalled(database: Database, actor: Actor) -> None:
    account = make_account(database, actor)
    first = new_order(database, actor, account, "12.50", "3.333")
    second = new_order(database, actor, account)
    with database.reader() as session:
        rows = {row.id: row for row in list_orders(session, account)}
    assert rows[first].number == "SS-000001" and rows[second].number == "SS-000002"
    assert rows[first].total == Decimal("158.33")  # 125.00 + 33.33
    assert rows[first].status is OrderStatus.DRAFT
    with pytest.raises(InvalidInput), database.unit_of_work() as session:
        save_order(session, actor, OrderData(account, TODAY, lines=[]))


def test_order_failing_risk_is_not_approved(database: Database, actor: Actor) -> None:
    account = make_account(database, actor, risk_limit=Decimal("1000"), approve_by_risk=True)
    add_movement(database, account, debit="900", date=TODAY, due_date=TODAY)
    add_movement(database, account, credit="100", date=TODAY)
    other = new_order(database, actor, account, "10")  # 100 approved, unshipped
    approve(database, actor, other)
    order = new_order(database, actor, account, "20.01")  # 200.10
    with pytest.raises(ApprovalRefused) as caught, database.unit_of_work() as session:
        approve_order(session, actor, order, TODAY)
    risk = caught.value.result.criterion(Criterion.RISK)
    assert risk.blocks
    assert risk.figures["open_balance"] == Decimal("800")
    assert risk.figures["approved_unshipped"] == Decimal("100")
    assert risk.figures["total"] == Decimal("1100.10")
    assert status(database, order) is OrderStatus.DRAFT
    cheaper = new_order(database, actor, account, "10")  # 800 + 100 + 100 = 1000: passes
    approve(database, actor, cheaper)
    assert status(database, cheaper) is OrderStatus.APPROVED


def test_shipped_uninvoiced_dispatch_notes_count_in_the_risk(
    database: Database, actor: Actor
) -> None:
    """A dispatch note ("irsaliye") shipped but not invoiced is a commitment against the
    account's risk: without it an account could ship past its limit on dispatch notes and
    still have new orders approved (found in the 80×24 walk)."""
    account = make_account(database, actor, risk_limit=Decimal("1000"), approve_by_risk=True)
    add_movement(database, account, debit="300", date=TODAY, due_date=TODAY)
    shipped = new_order(database, actor, account, "50")  # 500
    approve(database, actor, shipped)
    with database.unit_of_work() as session:
        note = ship_order(session, actor, shipped, invoice_date=TODAY, today=TODAY, dispatch=True)
    order = new_order(database, actor, account, "30")  # 300: 300 + 500 + 300 > 1000
    with database.reader() as session:
        risk = evaluate_approval(session, order, TODAY).criterion(Criterion.RISK)
    assert risk.figures["open_dispatches"] == Decimal("500")
    assert risk.figures["total"] == Decimal("1100")
    assert risk.blocks
    assert "faturalanmamış irsaliyeler 500,00 TL" in risk.text
    with pytest.raises(ApprovalRefused), database.unit_of_work() as session:
        approve_order(session, actor, order, TODAY)
    with database.unit_of_work() as session:  # invoiced: now in the open balance, once
        invoice_dispatch(session, actor, note, invoice_date=TODAY, today=TODAY)
    with database.reader() as session:
        risk = evaluate_approval(session, order, TODAY).criterion(Criterion.RISK)
    assert risk.figures["open_dispatches"] == Decimal("0")
    assert risk.figures["open_balance"] == Decimal("800")
    assert risk.figures["total"] == Decimal("1100")


def test_order_passing_every_criterion_is_approved(database: Database, actor: Actor) -> None:
    account = make_account(
        database,
        actor,
        risk_limit=Decimal("5000"),
        approve_by_risk=True,
        approve_by_due_date=True,
        approve_by_ageing=True,
        ageing_days=30,
    )
    add_movement(
        database, account, debit="1000", date=TODAY - dt.timedelta(days=20), due_date=TODAY
    )
    order = new_order(database, actor, account, "100")
    with database.reader() as session:
        result = evaluate_approval(session, order, TODAY)
    assert result.approved and all(c.ticked and c.passed for c in result.criteria)
    approve(database, actor, order)
    assert status(database, order) is OrderStatus.APPROVED
    [logged] = audit(database, "approve")
    assert "risk=ticked:pass due_date=ticked:pass ageing=ticked:pass" in logged.detail


def test_past_due_and_old_debts_fail_their_criteria(database: Database, actor: Actor) -> None:
    account = make_account(
        database, actor, approve_by_due_date=True, approve_by_ageing=True, ageing_days=30
    )
    add_movement(
        database,
        account,
        debit="1000",
        date=TODAY - dt.timedelta(days=60),
        due_date=TODAY - dt.timedelta(days=1),
    )
    order = new_order(database, actor, account)
    with pytest.raises(ApprovalRefused) as caught, database.unit_of_work() as session:
        approve_order(session, actor, order, TODAY)
    failed = {c.name for c in caught.value.result.failed}
    assert failed == {Criterion.DUE_DATE, Criterion.AGEING}


def test_unticking_a_failing_criterion_is_an_override(database: Database, actor: Actor) -> None:
    """The account's ticks are defaults ("öndeğer"), not a way around the control: unticking
    one that fails for this order needs what an override needs — an admin and a reason
    (found in the keys-only walk: Space on the failing ticks, F2, approved, no reason)."""
    account = make_account(
        database,
        actor,
        risk_limit=Decimal("500"),
        approve_by_risk=True,
        approve_by_due_date=True,
    )
    add_movement(
        database,
        account,
        debit="450",
        date=TODAY - dt.timedelta(days=9),
        due_date=TODAY + dt.timedelta(days=30),
    )
    order = new_order(database, actor, account, "10")  # 450 + 100 > 500: risk fails
    unticked = ApprovalCriteria(risk=False, due_date=True)
    with pytest.raises(ApprovalRefused) as caught, database.unit_of_work() as session:
        approve_order(session, actor, order, TODAY, criteria=unticked)
    risk = caught.value.result.criterion(Criterion.RISK)
    assert risk.bypassed and risk.blocks and not caught.value.result.approved
    assert "Risk kriteri (işareti kaldırıldı)" in str(caught.value)
    clerk = Actor("clerk", Role.ACCOUNTANT)
    with pytest.raises(Refused, match="yönetici"), database.unit_of_work() as session:
        approve_order(session, clerk, order, TODAY, criteria=unticked, override_reason="Söz")
    assert status(database, order) is OrderStatus.DRAFT
    with database.unit_of_work() as session:
        approve_order(session, actor, order, TODAY, criteria=unticked, override_reason="Söz")
    assert status(database, order) is OrderStatus.APPROVED
    assert audit(database, "approve") == []
    [logged] = audit(database, "approval_override")
    assert "risk=bypassed:fail" in logged.detail
    assert "changed=risk:on->off" in logged.detail and logged.detail.endswith("reason=Söz")


def test_unticking_a_passing_criterion_or_ticking_one_is_free(
    database: Database, actor: Actor
) -> None:
    account = make_account(
        database, actor, risk_limit=Decimal("5000"), approve_by_risk=True, ageing_days=30
    )
    add_movement(database, account, debit="450", date=TODAY - dt.timedelta(days=9))
    order = new_order(database, actor, account, "10")
    clerk = Actor("clerk", Role.ACCOUNTANT)
    # risk passes and is unticked; ageing (9 days ≤ 30) passes and is ticked; the due date
    # fails but is not the account's default: unticked, it is information only
    criteria = ApprovalCriteria(risk=False, ageing=True, ageing_days=30)
    with database.unit_of_work() as session:
        approve_order(session, clerk, order, TODAY, criteria=criteria)
    assert status(database, order) is OrderStatus.APPROVED
    [logged] = audit(database, "approve")
    assert "changed=risk:on->off ageing:off->on" in logged.detail
    assert "risk=off:pass due_date=off:fail" in logged.detail


def test_partial_shipment_refused_when_the_account_says_no(
    database: Database, actor: Actor
) -> None:
    account = make_account(database, actor, partial_shipment=False)
    order = new_order(database, actor, account, "10", "20")
    with pytest.raises(Refused, match="onaylı"), database.unit_of_work() as session:
        ship_order(session, actor, order, invoice_date=TODAY)  # not approved yet: refused
    approve(database, actor, order)
    with database.reader() as session:
        first = load_order(session, order).lines[0].id
    assert first is not None
    for part in ({first: Decimal("4")}, {first: Decimal("10")}):
        with pytest.raises(Refused, match="parçalı sevkiyat"), database.unit_of_work() as session:
            ship_order(session, actor, order, part, invoice_date=TODAY)
    assert movement_count(database, account) == 0
    with database.unit_of_work() as session:
        invoice_id = ship_order(session, actor, order, invoice_date=TODAY, due_date=TODAY)
    assert status(database, order) is OrderStatus.SHIPPED
    with database.reader() as session:
        invoice = session.get(Invoice, invoice_id)
        assert invoice is not None and invoice.total == Decimal("300")
        moved = session.scalar(select(Movement).where(Movement.id == invoice.movement_id))
        assert moved is not None
        assert (moved.doc_type, moved.debit, moved.doc_no) == (
            DocumentType.SALES_INVOICE,
            Decimal("300"),
            invoice.number,
        )


def test_partial_shipment_when_the_account_says_yes(database: Database, actor: Actor) -> None:
    account = make_account(database, actor, partial_shipment=True)
    order = new_order(database, actor, account, "10", "20")
    approve(database, actor, order)
    with database.reader() as session:
        first, second = load_order(session, order).lines
    assert first.id is not None and second.id is not None
    with database.unit_of_work() as session:
        ship_order(session, actor, order, {first.id: Decimal("4")}, invoice_date=TODAY)
    assert status(database, order) is OrderStatus.PARTIALLY_SHIPPED
    with database.reader() as session:
        after = load_order(session, order).lines
        assert [line.remaining for line in after] == [Decimal("6"), Decimal("10")]
        assert list_orders(session, account)[0].remaining_value == Decimal("260")
    with pytest.raises(Refused, match="kalan miktarı"), database.unit_of_work() as session:
        ship_order(session, actor, order, {first.id: Decimal("7")}, invoice_date=TODAY)
    with database.unit_of_work() as session:
        ship_order(session, actor, order, invoice_date=TODAY)
    assert status(database, order) is OrderStatus.SHIPPED
    with database.reader() as session:
        debits = session.scalars(select(Movement.debit).where(Movement.account_id == account))
        assert sorted(debits) == [Decimal("40"), Decimal("260")]


def test_the_invoice_goes_through_due_tracking(database: Database, actor: Actor) -> None:
    account = make_account(
        database,
        actor,
        due_track_types=frozenset({DocumentType.SALES_INVOICE}),
        due_track_days=0,
        due_track_action=RuleAction.STOP,
    )
    order = new_order(database, actor, account)
    approve(database, actor, order)
    add_movement(database, account, debit="50", date=TODAY - dt.timedelta(days=3))
    with pytest.raises(DueTrackingStop), database.unit_of_work() as session:
        ship_order(session, actor, order, invoice_date=TODAY, today=TODAY)
    assert status(database, order) is OrderStatus.APPROVED
    with database.reader() as session:
        assert session.scalars(select(Invoice)).all() == []
        assert [line.shipped for line in load_order(session, order).lines] == [Decimal("0")]
    with database.unit_of_work() as session:
        params = load_parameters(session, account)
        params.due_track_action = RuleAction.WARN
        save_parameters(session, actor, account, params)
    with pytest.raises(DueTrackingWarning), database.unit_of_work() as session:
        ship_order(session, actor, order, invoice_date=TODAY, today=TODAY)
    with database.unit_of_work() as session:
        ship_order(session, actor, order, invoice_date=TODAY, confirmed=True, today=TODAY)
    assert status(database, order) is OrderStatus.SHIPPED


def test_invoice_export_uses_the_copy_count(
    database: Database, actor: Actor, tmp_path: Path
) -> None:
    account = make_account(database, actor, partial_shipment=True, invoice_copies=3)
    order = new_order(database, actor, account, "1234.5")
    approve(database, actor, order)
    with database.unit_of_work() as session:
        invoice_id = ship_order(session, actor, order, invoice_date=TODAY, due_date=TODAY)
    with database.reader() as session:
        doc = load_document(session, invoice_id)
        assert doc.copies_default == copies_default(session, account) == 3
    text = render(doc, 2, 3)
    assert "Nüsha 2/3" in text and "12.345,00" in text and "30.06.2026" in text
    assert all(len(line) <= 80 for line in text.splitlines())
    with database.unit_of_work() as session:
        [one] = export_invoice(session, actor, invoice_id, tmp_path / "a", doc.copies_default)
        many = export_invoice(session, actor, invoice_id, tmp_path / "b", 3, one_file=False)
    pages = one.read_text(encoding="utf-8").split("\f")
    assert len(pages) == 3
    assert all(f"Nüsha {i}/3" in page for i, page in enumerate(pages, start=1))
    assert [p.name for p in many] == [f"{doc.number}-{i}.txt" for i in (1, 2, 3)]
    with pytest.raises(InvalidInput), database.unit_of_work() as session:
        export_invoice(session, actor, invoice_id, tmp_path, 0)
