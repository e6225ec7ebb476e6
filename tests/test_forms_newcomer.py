"""Forms a newcomer does not trip over (issue 11.14, 11.15, 11.17), driven from the keyboard.

The focused field stands out; Enter on a dropdown moves on as the hint says; a corrected
field's error goes as it is corrected; a quantity above what remains is refused as typed;
a big send shows its progress (the error list on F4); a past answer-by date is refused;
an empty tracking screen says how to start.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from textual.widgets import Input, Label, OptionList, Select, Static

from tests.pilot_keys import press, type_text, wait_for
from tests.send_data import add_account, add_company, add_movement, configure_sender
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.config import Settings
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.money import OutOfRange
from tui_mutabakat.screens.accounts.account_card import AccountCardScreen
from tui_mutabakat.screens.dialogs.action_menu import ActionMenu
from tui_mutabakat.screens.operations.ops_dialogs import NumberPrompt
from tui_mutabakat.screens.sending.send_criteria import SendCriteriaScreen
from tui_mutabakat.screens.sending.send_dialog import SendDialog
from tui_mutabakat.screens.sending.send_errors import SendErrorsScreen
from tui_mutabakat.screens.sending.send_list import SendListScreen
from tui_mutabakat.screens.sending.send_progress import SendProgressScreen
from tui_mutabakat.screens.tracking.track_batches import TrackBatchesScreen
from tui_mutabakat.widgets.paged_table import PagedTable

SIZE = (80, 24)
OLD = date(2020, 3, 1)


def _label_of(screen: Any, control_id: str) -> Label:
    field = screen.query_one(f"#{control_id}").parent.parent
    return field.query_one(".field-label", Label)


async def test_the_focused_field_stands_out_and_enter_on_a_dropdown_moves_on(
    app: MutabakatApp,
) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f4")
        screen = app.screen
        assert isinstance(screen, SendCriteriaScreen)
        plain = _label_of(screen, "f-group_code").styles.background
        first = screen.focused
        assert first is not None and first.id is not None
        assert _label_of(screen, first.id).styles.background != plain
        dropdown = screen.query(Select).first()
        dropdown.focus()
        await pilot.pause()
        assert _label_of(screen, first.id).styles.background == plain  # it moved on
        assert _label_of(screen, dropdown.id or "").styles.background != plain
        await press(pilot, "enter")
        assert not dropdown.expanded  # Enter did not open it …
        assert screen.focused is not dropdown  # … it went to the next field
        assert screen.focused is not None


async def test_a_corrected_fields_error_goes_as_it_is_corrected(app: MutabakatApp) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(AccountCardScreen(None))
        await pilot.pause()
        card = app.screen
        await type_text(pilot, "X1")
        await press(pilot, "f2")  # no title
        title_error = card.query_one("#err-title", Label)
        assert str(title_error.content) == "Ünvan boş olamaz."
        await type_text(pilot, "Ü")
        assert str(title_error.content) == ""  # gone as it is corrected, before F2
        await type_text(pilot, "nvan")
        card.query_one("#f-risk_limit", Input).focus()
        await type_text(pilot, "on bin")
        await press(pilot, "f2")
        error = card.query_one("#err-risk_limit", Label)
        assert "Geçerli bir tutar girin" in str(error.content)
        await press(pilot, "ctrl+u")
        await type_text(pilot, "150.000,50")
        assert str(error.content) == "" and not error.has_class("-shown")


async def test_a_quantity_above_what_remains_is_refused_as_typed(app: MutabakatApp) -> None:
    def within(text: str) -> Decimal:
        value = Decimal(text.replace(",", "."))
        if value > 5:
            raise OutOfRange("Kalandan fazla sevk edilemez: en çok 5 adet.")
        return value

    results: list[Decimal | None] = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(NumberPrompt("Vida", "Miktar", "", within), results.append)
        await pilot.pause()
        error = app.screen.query_one("#number-prompt-error", Label)
        await type_text(pilot, "7")
        assert "en çok 5" in str(error.content)  # before Enter
        await press(pilot, "enter")
        assert isinstance(app.screen, NumberPrompt) and not results
        await press(pilot, "backspace")
        assert str(error.content) == ""
        await type_text(pilot, "4")
        await press(pilot, "enter")
    assert results == [Decimal("4")]


async def test_the_action_menu_entries_fit_at_80_columns(app: MutabakatApp) -> None:
    items = [
        ("a", "Teslimi belirsiz alıcıları teslim edilmiş say", ""),
        ("b", "Cari kartta adresi düzelt, sonra gönder", "Ctrl+A"),
    ]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(ActionMenu("İşlemler", items))
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        widest = max(len(label) + len(hint) + 2 for _id, label, hint in items)
        assert options.content_region.width >= widest + 2  # one line each, not wrapped


def _accounts(database: Database, count: int) -> None:
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, "tester")
        for number in range(count):
            email = "bozuk@adres" if number % 50 == 0 else f"m{number}@firma{number}.com.tr"
            account = add_account(session, f"120.{number:04}", f"Firma {number}", emails=(email,))
            add_movement(session, account, OLD, debit=f"{100 + number}.00")


async def test_a_big_send_shows_its_progress_and_the_error_list_on_a_key(
    app: MutabakatApp, database: Database, settings: Settings
) -> None:
    _accounts(database, 300)
    seen_running: list[bool] = []
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f4", "f2")
        assert isinstance(app.screen, SendListScreen)
        await press(pilot, "plus", "f2")
        assert isinstance(app.screen, SendDialog)
        await press(pilot, "f2")
        await wait_for(pilot, lambda: isinstance(app.screen, SendProgressScreen))
        progress = app.screen
        assert isinstance(progress, SendProgressScreen)
        while progress.running:
            seen_running.append(app.screen is progress)
            await pilot.pause(0.05)
        assert all(seen_running)  # never covered while it ran …
        # … nor after: the error list did not open by itself
        assert app.screen is progress
        assert not any(isinstance(s, SendErrorsScreen) for s in app.screen_stack)
        summary = str(progress.query_one("#send-summary", Static).content)
        assert "Gönderildi: 294" in summary and "F4 hata listesi" in summary
        await press(pilot, "f4")
        assert isinstance(app.screen, SendErrorsScreen)
        assert len(app.screen.skipped) == 6


async def test_a_past_answer_by_date_is_refused(app: MutabakatApp, database: Database) -> None:
    _accounts(database, 2)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f4", "f2", "space", "f2")
        dialog = app.screen
        assert isinstance(dialog, SendDialog)
        answer_by = dialog.query_one("#f-answer_by", Input)
        answer_by.value = "01.01.2021"
        await press(pilot, "f2")
        assert app.screen is dialog  # not sent
        assert "geçmiş" in str(dialog.query_one("#err-answer_by", Label).content)


@pytest.mark.parametrize("screen", ["tracking", "dashboard"])
async def test_empty_tracking_says_how_to_start(app: MutabakatApp, screen: str) -> None:
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f2" if screen == "tracking" else "f12")
        await pilot.pause(0.2)
        if screen == "tracking":
            assert isinstance(app.screen, TrackBatchesScreen)
        text = " ".join(str(s.content) for s in app.screen.query(Static))
        # the batches table says it in its empty row (`PagedTable.empty_text`)
        text += " ".join(t.empty_text for t in app.screen.query(PagedTable) if not t.row_count)
        assert "Henüz gönderim yok" in text and "F4" in text
