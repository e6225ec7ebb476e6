"""Say which, and how many (issue 11.12): a delete that cannot be done is refused before the
question, the movement delete question names the document, and the send list's count says
rows and accounts when an account has a row per currency."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Label

from tests.ops_data import add_movement, make_account, movement
from tests.pilot_keys import press
from tests.send_data import add_account, add_company, configure_sender
from tests.send_data import add_movement as add_send_movement
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.session import Database
from tui_mutabakat.screens.accounts.account_list import AccountListScreen
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog, MessageDialog
from tui_mutabakat.screens.operations.movements import MovementListScreen
from tui_mutabakat.screens.sending.send_list import SendListScreen
from tui_mutabakat.services.context import Actor
from tui_mutabakat.widgets.status_line import StatusLine

SIZE = (80, 24)


def _question(app: MutabakatApp) -> str:
    """The question as drawn (markup applied)."""
    return str(app.screen.query_one(".question", Label).render())


async def test_f8_on_an_account_with_movements_refuses_at_once(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor)
    add_movement(database, account, debit="100", date=dt.date(2026, 1, 15))
    make_account(database, actor, "120.02")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f3")
        assert isinstance(app.screen, AccountListScreen)
        await press(pilot, "f8")
        assert isinstance(app.screen, MessageDialog)  # no "silinsin mi?" first
        assert "hareketleri var" in _question(app)
        await press(pilot, "escape", "down", "f8")
        assert isinstance(app.screen, ConfirmDialog)  # one without movements: asked
        assert "120.02" in _question(app)


async def test_the_movement_delete_question_names_the_document(
    app: MutabakatApp, database: Database, actor: Actor
) -> None:
    account = make_account(database, actor)
    row = add_movement(
        database, account, debit="1234.56", date=dt.date(2026, 1, 15), doc_no="F-[12]"
    )
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(MovementListScreen(account))
        await press(pilot)
        await press(pilot, "f8")
        assert isinstance(app.screen, ConfirmDialog)
        question = _question(app)
        assert "Satış Faturası F-[12], 15.01.2026, 1.234,56 TL borç" in question
        await press(pilot, "escape")
    assert movement(database, row) is not None


async def test_the_count_says_rows_and_accounts(app: MutabakatApp, database: Database) -> None:
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, "tester")
        first = add_account(session, "120.001", "Alfa", emails=("a@alfa.com.tr",))
        add_send_movement(session, first, dt.date(2020, 3, 1), debit="10")
        add_send_movement(session, first, dt.date(2020, 3, 1), debit="5", currency="USD")
        second = add_account(session, "120.002", "Beta", emails=("b@beta.com.tr",))
        add_send_movement(session, second, dt.date(2020, 3, 1), debit="7")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f4", "f2")
        assert isinstance(app.screen, SendListScreen)
        await press(pilot, "plus")
        status = app.screen.query_one("#send-status", StatusLine).text
        assert "Seçili: 3 satır, 2 hesap" in status
