"""Issue 11: a field shows a value only when it holds it, a hint reads as a hint, and every
date field behaves alike (widgets/form.py `date_input`: Tab puts the cursor after the date,
selecting nothing, so the next key edits it rather than wiping it).

The e-Mutabakat send screens' dates, the import screen's balance date, the ship dialog's
number (the series' next, filled in as in the dispatch-invoice dialog) and the form hints
that looked like a typed value (a figure, an address) or were not bracketed as the others.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Input

from tests.ops_data import make_account
from tests.pilot_keys import press
from tests.send_data import add_account, add_company, add_movement, configure_sender
from tests.test_ops_screens import choose
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.ops_models import Invoice
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.email_check import check_email
from tui_mutabakat.domain.formatting import parse_amount, parse_day
from tui_mutabakat.screens.accounts.account_card import AccountCardScreen
from tui_mutabakat.screens.accounts.import_screen import ImportScreen
from tui_mutabakat.screens.dialogs.contact_dialog import ContactDialog
from tui_mutabakat.screens.operations.order_form import OrderFormScreen
from tui_mutabakat.screens.operations.orders import SalesOrderListScreen
from tui_mutabakat.screens.operations.shipment import ShipmentDialog
from tui_mutabakat.screens.sending.send_criteria import SendCriteriaScreen
from tui_mutabakat.screens.sending.send_dialog import SendDialog
from tui_mutabakat.services.accounts.order_approval import approve_order
from tui_mutabakat.services.accounts.orders import (
    OrderData,
    OrderLineData,
    save_order,
)
from tui_mutabakat.services.accounts.shipping import ship_order
from tui_mutabakat.services.context import Actor
from tui_mutabakat.widgets.form import DateInput

SIZE = (80, 24)
TODAY = local_today()
OLD = dt.date(2020, 3, 1)


def looks_typed(text: str) -> bool:
    """Whether `text` could be read as something typed: a date, an amount, a number, an
    e-mail address."""
    for parse in (parse_day, parse_amount):
        try:
            parse(text)
        except (ValueError, ArithmeticError):
            continue
        return True
    return text.isdigit() or check_email(text).ok


def reads_as_hint(text: str) -> bool:
    """Empty, or worded in brackets as every form hint (widgets/form.py `hint_text`), with no
    value inside the brackets either."""
    if not text:
        return True
    inner = text.removeprefix("(").removesuffix(")")
    return text.startswith("(") and text.endswith(")") and not looks_typed(inner)


def bad_hints(app: MutabakatApp) -> list[str]:
    return [
        f"{control.id}: {control.placeholder!r}"
        for control in app.screen.query(Input)
        if not reads_as_hint(control.placeholder)
    ]


async def tab_keeps_the_date(pilot: Pilot[None], date: Input, *keys: str) -> None:
    """`keys` Tab into `date`: the cursor is after the date, nothing selected, and the next
    keys edit it (Textual's own Input selects all, and the next key wipes the date)."""
    before = date.value
    assert before
    await press(pilot, *keys)
    assert date.has_focus
    assert date.selection.is_empty and date.cursor_position == len(before)
    await press(pilot, "backspace", "9")
    assert date.value == before[:-1] + "9"
    assert isinstance(date, DateInput)


def _send_data(database: Database) -> None:
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, "tester")
        for number in range(2):
            account = add_account(
                session, f"120.{number:04}", f"Firma {number}", emails=(f"m{number}@f.com.tr",)
            )
            add_movement(session, account, OLD, debit="100.00")


# --- 1. the send screens' dates are the shared date input ------------------------------------


async def test_tab_into_the_send_criteria_date_keeps_the_date(app: MutabakatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f4")
        criteria = app.screen
        assert isinstance(criteria, SendCriteriaScreen)
        as_of = criteria.query_one("#f-as_of", Input)
        assert as_of.has_focus
        await press(pilot, "tab")
        await tab_keeps_the_date(pilot, as_of, "shift+tab")
        assert as_of.placeholder == "(gg.aa.yyyy)"


async def test_tab_into_the_send_dialogs_dates_keeps_them(
    app: MutabakatApp, database: Database
) -> None:
    _send_data(database)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f4", "f2", "space", "f2")
        dialog = app.screen
        assert isinstance(dialog, SendDialog)
        answer_by = dialog.query_one("#f-answer_by", Input)
        await tab_keeps_the_date(pilot, answer_by, "tab")
        # empty is a date too: the answer period after the as-of date, said in the hint
        assert answer_by.placeholder.startswith("(boş: mutabakat tarihinden ")
        statement_from = dialog.query_one("#f-statement_from", Input)
        assert isinstance(statement_from, DateInput)
        assert statement_from.placeholder == "(boş: ilk hareketten)"
        assert bad_hints(app) == []


# --- 2. the import screen's balance date: a hint saying what empty does ----------------------


async def test_the_import_balance_date_is_a_date_field_with_a_hint(app: MutabakatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot)
        app.push_screen(ImportScreen())
        await press(pilot)
        as_of = app.screen.query_one("#f-as_of", Input)
        assert isinstance(as_of, DateInput)
        assert as_of.value == ""
        # not "31.12.2026", which reads as a date typed in: empty takes each row's Tarih
        assert as_of.placeholder == "(boş: satırın Tarih sütunundan)"
        assert bad_hints(app) == []


# --- 3. the ship dialog fills in the series' next number -------------------------------------


def _order(database: Database, actor: Actor, account: int) -> int:
    line = OrderLineData("Vida", Decimal("10"), "Adet", Decimal("12"))
    with database.unit_of_work() as session:
        order = save_order(session, actor, OrderData(account, TODAY, lines=[line]))
        approve_order(session, actor, order)
    return order


async def test_the_ship_dialog_fills_in_the_next_number_of_the_documents_series(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor)
    first = _order(database, actor, account)
    with database.unit_of_work() as session:
        ship_order(session, actor, first, invoice_date=TODAY, today=TODAY)  # FT-000001
    _order(database, actor, account)
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(SalesOrderListScreen(account))
        await press(pilot, "f9")
        await choose(pilot, "ship")
        dialog = app.screen
        assert isinstance(dialog, ShipmentDialog)
        number = dialog.query_one("#s-number", Input)
        assert number.value == "FT-000002"  # a value, as in the dispatch-invoice dialog
        await press(pilot, "tab", "tab", "tab", "tab")
        assert dialog.focused is not None and dialog.focused.id == "s-dispatch"
        await press(pilot, "space")  # a dispatch note: the IR series
        assert number.value == "IR-000001"
        await press(pilot, "space")
        assert number.value == "FT-000002"
        number.value = "FT-500"  # the user's own number stays whichever the document
        await press(pilot, "space")
        assert number.value == "FT-500"
        await press(pilot, "space")
        number.value = ""  # cleared: empty gives the next number on save, as the hint says
        assert reads_as_hint(number.placeholder) and "otomatik" in number.placeholder
        await press(pilot, "space")
        assert number.value == "IR-000001"  # an empty field takes the proposal again
        await press(pilot, "f2")
        assert isinstance(app.screen, SalesOrderListScreen)  # shipped (a note: no printing)
    with database.reader() as session:
        kinds = {n: k for n, k in session.execute(select(Invoice.number, Invoice.kind))}
    assert kinds == {"FT-000001": "invoice", "IR-000001": "dispatch"}


# --- 4. every form hint reads as one ----------------------------------------------------------


async def test_form_hints_are_worded_and_bracketed(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor)
    _order(database, actor, account)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot)
        app.push_screen(AccountCardScreen(None))
        await press(pilot)
        risk = app.screen.query_one("#f-risk_limit", Input)
        assert risk.placeholder == "(boş: sınırsız)"  # not "0,00": empty is no limit at all
        assert bad_hints(app) == []
        app.push_screen(ContactDialog(None))
        await press(pilot)
        assert app.screen.query_one("#f-email", Input).placeholder == "(ör. ad@firma.com.tr)"
        assert bad_hints(app) == []
        await press(pilot, "escape", "escape")
        await press(pilot, "f4")
        assert isinstance(app.screen, SendCriteriaScreen)
        assert bad_hints(app) == []  # the code fields' "F10: liste" too
        await press(pilot, "escape")
        app.push_screen(OrderFormScreen(account_id=account))
        await press(pilot)
        assert bad_hints(app) == []
        app.push_screen(SalesOrderListScreen(account))
        await press(pilot, "f9")
        await choose(pilot, "ship")
        assert isinstance(app.screen, ShipmentDialog)
        assert bad_hints(app) == []
