"""Amounts beyond the money columns and dates outside 01.01.1900–31.12.2199 are refused with
a message at every entry point — typed into the screens, given to the services, found in an
e-mailed reply — and never end the application (issue 9, point 7)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from textual.pilot import Pilot
from textual.widgets import Input, Label

from tests.ops_data import make_account
from tests.pilot_keys import press, type_text
from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.models import Account, Movement
from tui_mutabakat.data.outbox_models import ReconciliationBatch
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.dates import MAX_DAY, MIN_DAY, check_day
from tui_mutabakat.domain.enums import DocumentType
from tui_mutabakat.domain.errors import InvalidInput
from tui_mutabakat.domain.formatting import parse_amount, parse_day
from tui_mutabakat.domain.money import MAX_AMOUNT, OutOfRange, check_amount
from tui_mutabakat.mail.reply_text import parse_number
from tui_mutabakat.screens.accounts.account_card import AccountCardScreen
from tui_mutabakat.screens.operations.movements import MovementDialog, MovementListScreen
from tui_mutabakat.screens.sending.send_criteria import SendCriteriaScreen
from tui_mutabakat.screens.sending.send_dialog import SendDialog
from tui_mutabakat.screens.sending.send_list import SendListScreen
from tui_mutabakat.services.accounts.cards import AccountData, save_account
from tui_mutabakat.services.accounts.movements import MovementData, save_movement
from tui_mutabakat.services.accounts.orders import (
    OrderData,
    OrderLineData,
    parse_quantity,
    save_order,
)
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.settings.working_settings import WorkingExtras, validate_extras

SIZE = (80, 24)
TOO_BIG = ["1e30", "99999999999999999999", "10.000.000.000.000.000,00"]
AMOUNT_MESSAGE = "Tutar çok büyük: en fazla 9.999.999.999.999.999,99 olabilir."
DATE_MESSAGE = "Tarih 01.01.1900 ile 31.12.2199 arasında olmalı."


# --- the domain: one range, one message ----------------------------------------------------


@pytest.mark.parametrize("text", TOO_BIG)
def test_an_amount_beyond_the_columns_is_out_of_range(text: str) -> None:
    with pytest.raises(OutOfRange) as refused:
        parse_amount(text)
    assert str(refused.value) == AMOUNT_MESSAGE


@pytest.mark.parametrize("text", ["9.999.999.999.999.999,99", "-9999999999999999.99", "0,01"])
def test_the_largest_amounts_are_accepted(text: str) -> None:
    assert abs(parse_amount(text)) <= MAX_AMOUNT


def test_nan_and_infinity_are_not_amounts() -> None:
    for text in ("NaN", "Infinity", "-inf", "sNaN"):
        with pytest.raises(ValueError):
            parse_amount(text)
    with pytest.raises(OutOfRange):
        check_amount(Decimal("Infinity"))


@pytest.mark.parametrize(
    "text", ["31.12.9999", "9999-12-31", "01.01.2200", "31.12.1899", "31.12.99999999999"]
)
def test_a_date_outside_the_range_is_out_of_range(text: str) -> None:
    with pytest.raises(OutOfRange) as refused:
        parse_day(text)
    assert str(refused.value) == DATE_MESSAGE


def test_the_ends_of_the_date_range_are_accepted() -> None:
    assert parse_day("01.01.1900") == MIN_DAY
    assert parse_day("31.12.2199") == MAX_DAY
    assert parse_day("31.12.26") == date(2026, 12, 31)
    with pytest.raises(OutOfRange):
        check_day(date.max)


def test_quantities_and_rates_have_their_own_range() -> None:
    assert parse_quantity("999.999.999.999.999,999") == Decimal("999999999999999.999")
    with pytest.raises(OutOfRange, match="Miktar çok büyük"):
        parse_quantity("1e20")


def test_a_reply_naming_an_impossible_figure_gives_no_balance() -> None:
    assert parse_number("99999999999999999999") is None
    assert parse_number("9.999.999.999.999.999,99") == MAX_AMOUNT


# --- the services: the command line and every other caller get the same refusal ------------


def test_services_refuse_amounts_and_dates_out_of_range(database: Database, actor: Actor) -> None:
    huge = Decimal("1e30")
    with database.unit_of_work() as session, pytest.raises(InvalidInput) as refused:
        save_account(session, actor, AccountData(code="120.01", title="A", risk_limit=huge))
    assert (str(refused.value), refused.value.field) == (AMOUNT_MESSAGE, "risk_limit")

    account_id = make_account(database, actor)
    entered = MovementData(
        account_id=account_id,
        doc_type=DocumentType.SALES_INVOICE,
        date=date(2026, 6, 30),
        debit=MAX_AMOUNT + Decimal("0.01"),
    )
    with database.unit_of_work() as session, pytest.raises(InvalidInput) as refused:
        save_movement(session, actor, entered)
    assert refused.value.field == "debit"
    entered.debit, entered.date = Decimal("10"), date(9999, 12, 31)
    with database.unit_of_work() as session, pytest.raises(InvalidInput) as refused:
        save_movement(session, actor, entered)
    assert (str(refused.value), refused.value.field) == (DATE_MESSAGE, "date")

    line = OrderLineData("Vida", Decimal("999999999999999"), "adet", Decimal("999999999"))
    with database.unit_of_work() as session, pytest.raises(InvalidInput, match="Tutar çok"):
        save_order(session, actor, OrderData(account_id, date(2026, 6, 30), lines=[line]))

    with pytest.raises(InvalidInput) as refused:
        validate_extras(WorkingExtras(answer_period_days=10**9))
    assert refused.value.field == "answer_period_days"
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Movement)) == 0


@pytest.mark.parametrize(
    ("as_of", "answer_by"),
    [(date(9999, 12, 31), None), (date(2026, 12, 31), date(9999, 12, 31))],
)
def test_a_send_as_of_or_answer_by_a_date_out_of_range_is_refused(
    database: Database, actor: Actor, as_of: date, answer_by: date | None
) -> None:
    """As of 31.12.9999 the answer-by date (30 days later) used to overflow and end the app."""
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, "tester")
        account = add_account(session, "120.001", "Anadolu", emails=("ali@anadolu.com.tr",))
        add_movement(session, account, date(2026, 6, 30), debit="10.00")
        key = (account.id, "TRY")
    with pytest.raises(InvalidInput) as refused:
        write_batch(database, actor, as_of, [key], SendOptions(answer_by=answer_by))
    assert str(refused.value) == DATE_MESSAGE
    assert refused.value.field == ("as_of" if answer_by is None else "answer_by")


# --- the screens, from the keyboard ---------------------------------------------------------


async def _retype(pilot: Pilot[None], control: Input, text: str) -> None:
    control.focus()
    await press(pilot, "end", *["backspace"] * len(control.value))
    await type_text(pilot, text)


@pytest.mark.parametrize("text", ["1e30", "99999999999999999999"])
async def test_risk_limit_out_of_range_on_the_account_card(
    app: MutabakatApp, database: Database, actor: Actor, text: str
) -> None:
    account_id = make_account(database, actor, risk_limit=Decimal("1000"))
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(AccountCardScreen(account_id))
        await press(pilot)
        card = app.screen
        assert isinstance(card, AccountCardScreen)
        await _retype(pilot, card.query_one("#f-risk_limit", Input), text)
        await press(pilot, "f2")
        assert app.screen is card and app.is_running
        assert str(card.query_one("#err-risk_limit", Label).content) == AMOUNT_MESSAGE
        assert card.focused is card.query_one("#f-risk_limit")
        # Put right, it saves.
        await _retype(pilot, card.query_one("#f-risk_limit", Input), "9.999.999.999.999.999,99")
        await press(pilot, "f2")
    with database.reader() as session:
        assert session.get_one(Account, account_id).risk_limit == MAX_AMOUNT


@pytest.mark.parametrize("text", ["1e30", "99999999999999999999"])
async def test_movement_amount_out_of_range_in_the_movement_form(
    app: MutabakatApp, database: Database, actor: Actor, text: str
) -> None:
    account_id = make_account(database, actor)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(MovementListScreen(account_id))
        await press(pilot)
        await press(pilot, "f4")
        dialog = app.screen
        assert isinstance(dialog, MovementDialog)
        await press(pilot, "tab", *"FT-1", "tab", "tab", "tab")
        assert dialog.focused is dialog.query_one("#m-debit")
        await type_text(pilot, text)
        await press(pilot, "f2")
        assert app.screen is dialog and app.is_running
        assert str(dialog.query_one("#m-error", Label).content) == AMOUNT_MESSAGE
        await _retype(pilot, dialog.query_one("#m-date", Input), "31.12.9999")
        await _retype(pilot, dialog.query_one("#m-debit", Input), "250")
        await press(pilot, "f2")
        assert app.screen is dialog
        assert str(dialog.query_one("#m-error", Label).content) == DATE_MESSAGE
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Movement)) == 0


async def test_as_of_date_out_of_range_in_the_send_criteria(
    app: MutabakatApp, database: Database
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f4")
        criteria = app.screen
        assert isinstance(criteria, SendCriteriaScreen)
        as_of = criteria.query_one("#f-as_of", Input)
        assert criteria.focused is as_of
        await _retype(pilot, as_of, "31.12.9999")
        await press(pilot, "f2")
        assert app.screen is criteria and app.is_running
        assert str(criteria.query_one("#err-as_of", Label).content) == DATE_MESSAGE
        await _retype(pilot, as_of, "31.12.2026")
        await _retype(pilot, criteria.query_one("#f-amount", Input), "1e30")
        await press(pilot, "f2")
        assert app.screen is criteria
        assert str(criteria.query_one("#err-amount", Label).content) == AMOUNT_MESSAGE
        await _retype(pilot, criteria.query_one("#f-amount", Input), "")
        await press(pilot, "f2")
        assert isinstance(app.screen, SendListScreen)


async def test_answer_by_date_out_of_range_in_the_send_dialog(
    app: MutabakatApp, database: Database
) -> None:
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, "tester")
        account = add_account(session, "120.001", "Anadolu", emails=("ali@anadolu.com.tr",))
        add_movement(session, account, date(2026, 6, 30), debit="10.00")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f4")
        await press(pilot, "f2")
        assert isinstance(app.screen, SendListScreen)
        await press(pilot, "space", "f9")
        await press(pilot, "enter")
        dialog = app.screen
        assert isinstance(dialog, SendDialog)
        await _retype(pilot, dialog.query_one("#f-answer_by", Input), "31.12.9999")
        await pilot.pause(0.5)  # the preview follows the typing after a pause
        await press(pilot, "f2")
        assert app.screen is dialog and app.is_running
        assert str(dialog.query_one("#err-answer_by", Label).content) == DATE_MESSAGE
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(ReconciliationBatch)) == 0
