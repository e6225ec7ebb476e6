"""Pilot tests of "e-Mutabakat Gönder" from the keyboard, at 80×24 (SPEC D1–D7).

The letters go to the file backend of the settings (a maildir under `settings.mail_outbox`),
so each test counts the files written there.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Input, Label, Static

from tests.send_data import add_account, add_company, add_movement, configure_sender
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.config import Settings
from tui_mutabakat.data.outbox_models import Letter, ReconciliationBatch
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.screens.action_menu import ActionMenu
from tui_mutabakat.screens.send_criteria import SendCriteriaScreen, default_as_of
from tui_mutabakat.screens.send_dialog import SendDialog
from tui_mutabakat.screens.send_errors import SendErrorsScreen
from tui_mutabakat.screens.send_list import SendListScreen
from tui_mutabakat.screens.send_progress import SendProgressScreen

SIZE = (80, 24)
OLD = date(2020, 3, 1)


def make_accounts(database: Database) -> dict[str, int]:
    """Four accounts by code: two with good addresses, one with a broken one, one without
    a balance."""
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, "tester")
        first = add_account(session, "120.001", "Anadolu Gıda", emails=("ali@anadolu.com.tr",))
        add_movement(session, first, OLD, debit="2000.00")
        add_movement(session, first, OLD, credit="765.44")
        broken = add_account(session, "120.002", "Bozuk Adres Ltd", emails=("bozuk@adres",))
        add_movement(session, broken, OLD, debit="100.00")
        third = add_account(session, "120.003", "Çınar Yapı", emails=("muhasebe@cinar.com.tr",))
        add_movement(session, third, OLD, credit="50.00")
        fourth = add_account(session, "120.004", "Dere Tekstil", emails=("x@dere.com.tr",))
        add_movement(session, fourth, OLD, debit="10.00", currency="USD")
        return {a.code: a.id for a in (first, broken, third, fourth)}


async def press(pilot: Pilot[None], *keys: str) -> None:
    await pilot.press(*keys)
    await pilot.pause()
    await pilot.pause()


async def wait_for(pilot: Pilot[None], condition: object, tries: int = 200) -> None:
    assert callable(condition)
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not met in time")


def status_text(app: MutabakatApp) -> str:
    return str(app.screen.query_one("#send-status", Static).content)


def outbox_files(settings: Settings) -> list[Path]:
    return sorted((settings.mail_outbox / "new").glob("*.eml"))


async def open_list(pilot: Pilot[None], app: MutabakatApp) -> SendListScreen:
    await press(pilot, "f4")
    assert isinstance(app.screen, SendCriteriaScreen)
    await press(pilot, "f2")
    screen = app.screen
    assert isinstance(screen, SendListScreen)
    return screen


async def test_select_three_send_see_errors_and_summary(
    app: MutabakatApp, database: Database, settings: Settings
) -> None:
    make_accounts(database)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(pilot, app)
        assert screen.table.row_count == 4
        await press(pilot, "space", "space", "space")
        assert len(screen.selection) == 3
        assert "Seçili: 3 hesap" in status_text(app)
        await press(pilot, "f9")
        assert isinstance(app.screen, ActionMenu)
        await press(pilot, "enter")
        dialog = app.screen
        assert isinstance(dialog, SendDialog)
        preview = str(dialog.query_one("#send-preview", Static).content)
        assert "1.234,56 TL" in preview
        assert "MUTABIKIZ" in preview
        title = dialog.query_one("#f-title", Input)
        assert title.value.startswith("Cari hesap mutabakatı")
        await press(pilot, "f2")
        errors = app.screen
        assert isinstance(errors, SendErrorsScreen)
        assert [s.code for s in errors.skipped] == ["120.002"]
        reason = str(errors.query_one("#send-errors-reason", Static).content)
        assert "120.002" in reason and "Bozuk Adres" in reason
        await press(pilot, "escape")
        progress = app.screen
        assert isinstance(progress, SendProgressScreen)
        await wait_for(pilot, lambda: not progress.running)
        summary = str(progress.query_one("#send-summary", Static).content)
        assert "Gönderildi: 2" in summary and "Atlandı: 1" in summary
        assert str(settings.mail_outbox / "new") in summary
        assert len(outbox_files(settings)) == 2
        await press(pilot, "escape")
        assert app.screen is screen
        assert len(screen.selection) == 1  # the row that got no letter stays selected
    with database.reader() as session:
        states = list(session.scalars(select(Letter.state)))
        assert states == [LetterState.SENT, LetterState.SENT]
        batch = session.scalars(select(ReconciliationBatch)).one()
        assert batch.finished_at is not None
    assert len(outbox_files(settings)) == 2


async def test_select_all_none_invert_and_sums(app: MutabakatApp, database: Database) -> None:
    make_accounts(database)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(pilot, app)
        await press(pilot, "plus")
        assert len(screen.selection) == 4
        text = status_text(app)
        # 1.234,56 B − 100 B… : TRY 1.234,56 + 100,00 − 50,00 = 1.284,56 B; USD 10,00 B
        assert "Seçili: 4 hesap" in text
        assert "1.284,56 B TL" in text and "10,00 B USD" in text
        await press(pilot, "minus")
        assert len(screen.selection) == 0
        assert "Seçili: 0 hesap" in status_text(app)
        await press(pilot, "space")  # the first row, 120.001
        await press(pilot, "asterisk")
        assert len(screen.selection) == 3
        assert "1.234,56" not in status_text(app)
        assert "50,00 B TL" in status_text(app)  # 100,00 B − 50,00 A
        await press(pilot, "ctrl+a")
        assert len(screen.selection) == 4
        await press(pilot, "ctrl+u")
        assert not screen.selection
