"""Movement entry under due-date tracking (SPEC B5, C4) on a real database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.ops_data import TODAY, add_movement, audit, make_account, movement, movement_count
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.enums import DocumentType, RuleAction
from tui_mutabakat.domain.errors import InvalidInput, Refused
from tui_mutabakat.domain.rules import Outcome
from tui_mutabakat.services.accounts.movements import (
    DueTrackingStop,
    DueTrackingWarning,
    MovementData,
    check_movement,
    delete_movement,
    load_movement,
    open_balance,
    open_debit_items,
    save_movement,
)
from tui_mutabakat.services.accounts.parameters import (
    apply_defaults_to_all,
    load_defaults,
    save_defaults,
)
from tui_mutabakat.services.context import Actor

SALES = DocumentType.SALES_INVOICE
TRACKED = frozenset({SALES, DocumentType.CASH})


def tracked_account(database: Database, actor: Actor, action: RuleAction, **extra: object) -> int:
    values: dict[str, object] = {
        "due_track_types": TRACKED,
        "due_track_days": 30,
        "due_track_amount": Decimal("1000"),
        "due_track_action": action,
    }
    values.update(extra)
    return make_account(database, actor, **values)


def invoice(account_id: int, amount: str = "250", **changes: object) -> MovementData:
    data = MovementData(
        account_id=account_id,
        doc_type=SALES,
        date=TODAY,
        doc_no="FT-9",
        description="Yeni fatura",
        debit=Decimal(amount),
        due_date=TODAY + dt.timedelta(days=30),
    )
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def overdue(database: Database, account_id: int, amount: str = "5000", days: int = 45) -> int:
    return add_movement(
        database,
        account_id,
        debit=amount,
        date=TODAY - dt.timedelta(days=days + 30),
        due_date=TODAY - dt.timedelta(days=days),
        doc_no=f"OLD-{days}",
    )


def test_continue_saves_and_logs_the_decision(database: Database, actor: Actor) -> None:
    account = tracked_account(database, actor, RuleAction.CONTINUE)
    old = overdue(database, account)
    with database.unit_of_work() as session:
        new_id = save_movement(session, actor, invoice(account), today=TODAY)
    assert movement(database, new_id) is not None
    [logged] = audit(database, "due_tracking")
    assert logged.entity_id == str(new_id)
    assert "fired=1" in logged.detail and "action=continue" in logged.detail
    assert f"items=[{old}]" in logged.detail and "S=5000.00" in logged.detail


def test_warn_needs_confirmation_then_saves(database: Database, actor: Actor) -> None:
    account = tracked_account(database, actor, RuleAction.WARN)
    old = overdue(database, account)
    with pytest.raises(DueTrackingWarning) as caught, database.unit_of_work() as session:
        save_movement(session, actor, invoice(account), today=TODAY)
    check = caught.value.check
    assert [line.movement_id for line in check.lines] == [old]
    assert check.lines[0].days_overdue == 45 and check.lines[0].doc_no == "OLD-45"
    assert check.result.overdue_total == Decimal("5000")
    assert movement_count(database, account) == 1
    with database.unit_of_work() as session:
        new_id = save_movement(session, actor, invoice(account), confirmed=True, today=TODAY)
    assert movement(database, new_id) is not None
    [logged] = audit(database, "due_tracking")
    assert "outcome=warn" in logged.detail and "confirmed=1" in logged.detail


def test_stop_refuses_even_when_confirmed(database: Database, actor: Actor) -> None:
    account = tracked_account(database, actor, RuleAction.STOP)
    overdue(database, account, "700", days=40)
    overdue(database, account, "600", days=31)
    for confirmed in (False, True):
        with pytest.raises(DueTrackingStop) as caught, database.unit_of_work() as session:
            save_movement(session, actor, invoice(account), confirmed=confirmed, today=TODAY)
        assert isinstance(caught.value, Refused)
        assert [line.doc_no for line in caught.value.check.lines] == ["OLD-40", "OLD-31"]
        assert caught.value.check.result.overdue_total == Decimal("1300")
    assert movement_count(database, account) == 2
    assert audit(database, "due_tracking") == []


def test_below_the_amount_or_the_days_nothing_fires(database: Database, actor: Actor) -> None:
    account = tracked_account(database, actor, RuleAction.STOP)
    overdue(database, account, "999.99", days=45)  # S < A
    overdue(database, account, "5000", days=29)  # not 30 days past due
    with database.unit_of_work() as session:
        check = check_movement(session, invoice(account), TODAY)
        assert check.result.checked and not check.result.fired
        save_movement(session, actor, invoice(account), today=TODAY)
    assert audit(database, "due_tracking") == []


def test_boundary_is_inclusive(database: Database, actor: Actor) -> None:
    account = tracked_account(database, actor, RuleAction.STOP)
    overdue(database, account, "1000", days=30)  # exactly D days, exactly A
    with pytest.raises(DueTrackingStop), database.unit_of_work() as session:
        save_movement(session, actor, invoice(account), today=TODAY)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"doc_type": DocumentType.PURCHASE_INVOICE}, "type not tracked"),
        ({"debit": Decimal("0"), "credit": Decimal("250")}, "credits the account"),
    ],
)
def test_untracked_movements_are_not_checked(
    database: Database, actor: Actor, changes: dict[str, object], reason: str
) -> None:
    account = tracked_account(database, actor, RuleAction.STOP)
    overdue(database, account)
    with database.unit_of_work() as session:
        data = invoice(account, **changes)
        assert not check_movement(session, data, TODAY).result.checked, reason
        save_movement(session, actor, data, today=TODAY)


def test_no_day_count_and_no_amount_means_no_check(database: Database, actor: Actor) -> None:
    account = tracked_account(
        database, actor, RuleAction.STOP, due_track_days=None, due_track_amount=None
    )
    overdue(database, account)
    with database.unit_of_work() as session:
        assert check_movement(session, invoice(account), TODAY).outcome is Outcome.PASS
        save_movement(session, actor, invoice(account), today=TODAY)


def test_settled_part_does_not_count(database: Database, actor: Actor) -> None:
    account = tracked_account(database, actor, RuleAction.STOP)
    add_movement(
        database,
        account,
        debit="5000",
        settled="4500",
        date=TODAY - dt.timedelta(days=90),
        due_date=TODAY - dt.timedelta(days=60),
    )
    with database.unit_of_work() as session:
        [item] = open_debit_items(session, account)
        assert item.unsettled == Decimal("500")
        assert not check_movement(session, invoice(account), TODAY).result.fired


@pytest.mark.parametrize(
    ("limit", "fires"), [("2999.99", True), ("3000", True), ("3000.01", False)]
)
def test_foreign_items_count_at_their_rate(
    database: Database, actor: Actor, limit: str, fires: bool
) -> None:
    account = tracked_account(database, actor, RuleAction.STOP, due_track_amount=Decimal(limit))
    add_movement(
        database,
        account,
        debit="120",
        settled="20",
        currency="USD",
        fx_rate="30",
        date=TODAY - dt.timedelta(days=90),
        due_date=TODAY - dt.timedelta(days=60),
    )
    with database.unit_of_work() as session:
        check = check_movement(session, invoice(account), TODAY)
        assert check.result.overdue_total == Decimal("3000.00")
        assert check.result.fired is fires
        assert open_balance(session, account) == Decimal("3000.00")


def test_edit_excludes_itself_and_checks_the_others(database: Database, actor: Actor) -> None:
    account = tracked_account(database, actor, RuleAction.STOP)
    first = overdue(database, account, "5000", days=45)
    with database.unit_of_work() as session:
        data = load_movement(session, first)
        data.debit = Decimal("5001")
        save_movement(session, actor, data, today=TODAY)  # the only overdue item is itself
    second = overdue(database, account, "5000", days=50)
    with pytest.raises(DueTrackingStop), database.unit_of_work() as session:
        data = load_movement(session, first)
        data.debit = Decimal("5002")
        save_movement(session, actor, data, today=TODAY)
    assert movement(database, first).debit == Decimal("5001")  # type: ignore[union-attr]
    assert second


def test_an_edit_that_adds_no_debt_is_not_stopped(database: Database, actor: Actor) -> None:
    """Issue 11.5: the seed controls entries that debit the account, not text corrections."""
    account = tracked_account(database, actor, RuleAction.STOP)
    with database.unit_of_work() as session:
        first = save_movement(session, actor, invoice(account), today=TODAY)
    overdue(database, account, "5000", days=50)  # from now on a new debit is stopped
    changes: list[dict[str, object]] = [
        {"description": "Açıklama düzeltildi"},
        {"doc_no": "FT-10", "due_date": TODAY + dt.timedelta(days=60)},
        {"debit": Decimal("200")},  # lowered
    ]
    for change in changes:
        with database.unit_of_work() as session:
            data = load_movement(session, first)
            for name, value in change.items():
                setattr(data, name, value)
            save_movement(session, actor, data, today=TODAY)
    for change in ({"debit": Decimal("200.01")}, {"doc_type": DocumentType.CASH}):
        with pytest.raises(DueTrackingStop), database.unit_of_work() as session:
            data = load_movement(session, first)
            for name, value in change.items():
                setattr(data, name, value)
            save_movement(session, actor, data, today=TODAY)
    stored = movement(database, first)
    assert stored is not None and stored.debit == Decimal("200") and stored.doc_no == "FT-10"


def test_edit_keeps_settled_amounts_consistent(database: Database, actor: Actor) -> None:
    account = make_account(database, actor)
    row = add_movement(database, account, debit="1000", settled="400", date=TODAY)
    for changes in (
        {"debit": Decimal("399")},
        {"debit": Decimal("0"), "credit": Decimal("1000")},
        {"currency": "EUR", "fx_rate": Decimal("35")},
    ):
        with pytest.raises(Refused), database.unit_of_work() as session:
            save_movement(session, actor, invoice(account, "1000", id=row, **changes), today=TODAY)
    with database.unit_of_work() as session:
        save_movement(session, actor, invoice(account, "400", id=row), today=TODAY)
    assert movement(database, row).debit == Decimal("400")  # type: ignore[union-attr]


def test_delete_refused_when_settled_and_logged_otherwise(database: Database, actor: Actor) -> None:
    account = make_account(database, actor)
    settled = add_movement(database, account, debit="100", settled="0.01", date=TODAY)
    free = add_movement(database, account, debit="100", date=TODAY, doc_no="X-1")
    with pytest.raises(Refused, match="kapatılmış"), database.unit_of_work() as session:
        delete_movement(session, actor, settled)
    with database.unit_of_work() as session:
        delete_movement(session, actor, free)
    assert movement(database, free) is None and movement(database, settled) is not None
    [logged] = audit(database, "delete")
    assert logged.entity == "movement" and "X-1" in logged.detail


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"credit": Decimal("5")}, "debit"),
        ({"debit": Decimal("0")}, "debit"),
        ({"debit": Decimal("-5")}, "debit"),
        ({"currency": "USD"}, "fx_rate"),
        ({"currency": "XXX"}, "currency"),
        ({"due_date": TODAY - dt.timedelta(days=1)}, "due_date"),
    ],
)
def test_invalid_movements_are_refused(
    database: Database, actor: Actor, changes: dict[str, object], field: str
) -> None:
    account = make_account(database, actor)
    with pytest.raises(InvalidInput) as caught, database.unit_of_work() as session:
        save_movement(session, actor, invoice(account, **changes), today=TODAY)
    assert caught.value.field == field


def test_defaults_reach_existing_accounts_only_when_applied(
    database: Database, actor: Actor
) -> None:
    """SPEC C6: a changed default acts on new accounts; old ones follow only on request."""
    old_account = make_account(database, actor, "120.OLD")
    overdue(database, old_account)
    with database.unit_of_work() as session:
        defaults = load_defaults(session)
        defaults.due_track_types = TRACKED
        defaults.due_track_days = 30
        defaults.due_track_action = RuleAction.STOP
        save_defaults(session, actor, defaults)
    new_account = make_account(database, actor, "120.NEW")
    overdue(database, new_account)
    with database.reader() as session:
        assert check_movement(session, invoice(old_account), TODAY).outcome is Outcome.PASS
        assert check_movement(session, invoice(new_account), TODAY).outcome is Outcome.STOP
    with database.unit_of_work() as session:
        assert apply_defaults_to_all(session, actor) == 2
    with pytest.raises(DueTrackingStop), database.unit_of_work() as session:
        save_movement(session, actor, invoice(old_account), today=TODAY)
