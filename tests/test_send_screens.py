"""Pilot tests of "e-Mutabakat Gönder" from the keyboard, at 80×24 (SPEC D1–D7).

The letters go to the file backend of the settings (a maildir under `settings.mail_outbox`),
so each test counts the files written there.
"""

from __future__ import annotations

import asyncio
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Checkbox, DataTable, Input, Label, OptionList, Static

from tests.pilot_keys import press, wait_for
from tests.send_data import (
    accounts_to_send,
    add_account,
    add_company,
    add_movement,
    configure_sender,
    write_batch,
)
from tests.words_walk import screen_text
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.config import Settings
from tui_mutabakat.data.models import Account, Company, User
from tui_mutabakat.data.outbox_models import Letter, LetterTemplate, ReconciliationBatch
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.states import BatchState, LetterState
from tui_mutabakat.screens.accounts.account_card import AccountCardScreen
from tui_mutabakat.screens.accounts.account_lookup import AccountLookupScreen
from tui_mutabakat.screens.dialogs.action_menu import ActionMenu
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog
from tui_mutabakat.screens.dialogs.contact_dialog import ContactDialog
from tui_mutabakat.screens.dialogs.lookup import ValueLookupScreen
from tui_mutabakat.screens.keys import screen_keys
from tui_mutabakat.screens.operations.movements import MovementListScreen
from tui_mutabakat.screens.sending.send_criteria import SendCriteriaScreen, default_as_of
from tui_mutabakat.screens.sending.send_dialog import SendDialog
from tui_mutabakat.screens.sending.send_errors import SendErrorsScreen
from tui_mutabakat.screens.sending.send_flow import SendRequest
from tui_mutabakat.screens.sending.send_list import SendListScreen
from tui_mutabakat.screens.sending.send_progress import SendProgressScreen
from tui_mutabakat.screens.settings.templates_editor import (
    PREVIEW_DELAY,
    TemplateEditorScreen,
    TemplateListScreen,
)
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending import batch_writer, send_now
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.sending.sender_types import DeliveryOptions
from tui_mutabakat.services.sending.worker import run_worker
from tui_mutabakat.widgets.status_line import StatusLine

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


def status_text(app: MutabakatApp) -> str:
    return app.screen.query_one("#send-status", StatusLine).text


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
        # The template by its title, not by its key.
        seen = screen_text(app.export_screenshot())
        assert "Şablon       Hazır şablon (Türkçe)" in seen and "letter_tr" not in seen, seen
        await press(pilot, "f2")
        await wait_for(pilot, lambda: isinstance(app.screen, SendProgressScreen))
        shown = app.screen
        assert isinstance(shown, SendProgressScreen)
        await wait_for(pilot, lambda: not shown.running)
        assert app.screen is shown  # the progress stays in view; the list opens on F4
        # Esc is named by what it does once the send is done.
        escape = [k.description for k in screen_keys(shown) if "escape" in k.keys]
        assert escape == ["Kapat"], escape
        assert "F4 hata listesi" in str(shown.query_one("#send-summary", Static).content)
        await press(pilot, "f4")
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
        # One final count: the running counts give way to the summary's first line.
        shown_text = (
            "\n".join(str(w.content) for w in progress.query(Label).results() if w.display)
            + summary
        )
        assert shown_text.count("Gönderildi:") == 1, shown_text
        assert str(settings.mail_outbox / "new") in summary
        assert len(outbox_files(settings)) == 2
        await press(pilot, "f4")  # the error list again, from the summary
        assert isinstance(app.screen, SendErrorsScreen)
        assert [s.code for s in app.screen.skipped] == ["120.002"]
        await press(pilot, "escape", "escape")
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
        assert "10,00 B USD" in status_text(app)
        await press(pilot, "ctrl+a")
        assert len(screen.selection) == 4
        await press(pilot, "end", "space")  # untick the USD row: USD leaves the sums
        assert len(screen.selection) == 3
        assert "USD" not in status_text(app) and "1.284,56 B TL" in status_text(app)
        await press(pilot, "ctrl+u")
        assert not screen.selection
        await press(pilot, "f9")
        menu = app.screen
        assert isinstance(menu, ActionMenu)
        options = menu.query_one(OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert ids == ["send_one", "card", "movements", "toggle"]  # nothing selected
        await press(pilot, "down", "down", "enter")
        assert isinstance(app.screen, MovementListScreen)


async def test_fix_an_account_from_the_error_list_and_send_it_again(
    app: MutabakatApp, database: Database, settings: Settings
) -> None:
    make_accounts(database)
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, app)
        await press(pilot, "space", "space", "space", "f2")
        assert isinstance(app.screen, SendDialog)
        await press(pilot, "f2")
        await wait_for(pilot, lambda: isinstance(app.screen, SendProgressScreen))
        shown = app.screen
        assert isinstance(shown, SendProgressScreen)
        await wait_for(pilot, lambda: not shown.running)
        assert app.screen is shown  # the progress stays in view; the list opens on F4
        # Esc is named by what it does once the send is done.
        escape = [k.description for k in screen_keys(shown) if "escape" in k.keys]
        assert escape == ["Kapat"], escape
        assert "F4 hata listesi" in str(shown.query_one("#send-summary", Static).content)
        await press(pilot, "f4")
        errors = app.screen
        assert isinstance(errors, SendErrorsScreen)
        await press(pilot, "f2")  # nothing fixed yet: it asks first
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "h")
        assert app.screen is errors
        await press(pilot, "enter")
        card = app.screen
        assert isinstance(card, AccountCardScreen)
        await press(pilot, "f5", "enter")
        contact = app.screen
        assert isinstance(contact, ContactDialog)
        contact.query_one("#f-email", Input).value = "duzgun@bozukadres.com.tr"
        await press(pilot, "f2")
        assert app.screen is card
        await press(pilot, "f2")
        assert app.screen is errors
        assert errors.fixed == {errors.skipped[0].account_id}
        await press(pilot, "f2")
        again = app.screen
        assert isinstance(again, SendProgressScreen)
        await wait_for(pilot, lambda: not again.running)
        assert not errors.fixed
        assert "Gönderildi: 1" in str(again.query_one("#send-summary", Static).content)
        await press(pilot, "escape")
        assert app.screen is errors and not errors.skipped
        await press(pilot, "escape")
        first = app.screen
        assert isinstance(first, SendProgressScreen)
        await wait_for(pilot, lambda: not first.running)
        await press(pilot, "escape")
        listed = app.screen
        assert isinstance(listed, SendListScreen)
        # The account fixed and sent from the error list is no longer ticked, and its
        # address is read again: no stale ✗ in the Posta column.
        assert not listed.selection, listed.selection.keys
        assert "Seçili: 0 hesap" in status_text(app)
        rows = [listed.table.row_at(i) for i in range(listed.table.row_count)]
        posta = {row.cells[1]: row.cells[-1] for row in rows if row is not None}
        assert posta["120.002"] == "✓", posta
        # F2 on another row sends that row, not an old tick out of sight.
        await press(pilot, "end", "f2")
        dialog = app.screen
        assert isinstance(dialog, SendDialog)
        assert dialog.keys == [listed.cursor_key()]
        await press(pilot, "escape")
    assert len(outbox_files(settings)) == 3
    with database.reader() as session:
        assert len(session.scalars(select(ReconciliationBatch)).all()) == 2


async def test_cancel_while_sending(
    app: MutabakatApp, database: Database, settings: Settings, actor: Actor
) -> None:
    keys = accounts_to_send(database, actor, 20)
    created = write_batch(database, actor, default_as_of(), keys, SendOptions())
    assert created.batch_id is not None
    # Two letters a second: the stop arrives long before the last letter, even on a machine
    # busy with other tests (at ten a second a loaded run had sent all twenty first).
    slow = DeliveryOptions(rate_per_minute=120, claim_size=2)
    async with app.run_test(size=SIZE) as pilot:
        screen = SendProgressScreen(
            batch_id=created.batch_id, letters=created.letters, delivery=slow
        )
        await app.push_screen(screen)
        await wait_for(pilot, lambda: len(outbox_files(settings)) >= 2)
        escape = [k.description for k in screen_keys(screen) if "escape" in k.keys]
        assert escape == ["Durdur"], escape
        await press(pilot, "escape")
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "e")
        await wait_for(pilot, lambda: not screen.running)
        assert app.screen is screen
        title = str(screen.query_one("#send-progress-title", Label).content)
        assert title == "Gönderim durduruldu."
        summary = screen.summary
        assert summary is not None
        assert 2 <= summary.sent < 20
        assert summary.counts.get("cancelled", 0) == 20 - summary.sent
        assert "İptal edildi" in str(screen.query_one("#send-summary", Static).content)
        await press(pilot, "escape")
        assert app.screen is not screen
    assert len(outbox_files(settings)) == summary.sent
    with database.reader() as session:
        batch = session.get(ReconciliationBatch, created.batch_id)
        assert batch is not None and batch.state is BatchState.CANCELLED


async def test_quitting_while_sending_leaves_the_rest_queued_for_the_worker(
    app: MutabakatApp, database: Database, settings: Settings, actor: Actor
) -> None:
    keys = accounts_to_send(database, actor, 12)
    created = write_batch(database, actor, default_as_of(), keys, SendOptions())
    assert created.batch_id is not None
    slow = DeliveryOptions(rate_per_minute=120, claim_size=2)
    async with app.run_test(size=SIZE) as pilot:
        screen = SendProgressScreen(batch_id=created.batch_id, letters=12, delivery=slow)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: len(outbox_files(settings)) >= 2)
        await pilot.press("ctrl+q")
    assert await asyncio.to_thread(screen.thread_done.wait, 10)
    first = len(outbox_files(settings))
    assert 2 <= first < 12
    await run_worker(database, settings, once=True)
    assert len(outbox_files(settings)) == 12
    with database.reader() as session:
        assert set(session.scalars(select(Letter.state))) == {LetterState.SENT}


async def settle_preview(pilot: Pilot[None], app: MutabakatApp) -> None:
    """Until the editor's preview (a thread worker, after `PREVIEW_DELAY`) has been shown."""
    await pilot.pause(PREVIEW_DELAY + 0.1)
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def test_template_editor_shows_errors_and_saves_a_good_template(
    app: MutabakatApp, database: Database
) -> None:
    make_accounts(database)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f8")
        assert isinstance(app.screen, TemplateListScreen)
        await press(pilot, "enter")  # letter_en, the first by name
        editor = app.screen
        assert isinstance(editor, TemplateEditorScreen)
        assert editor.query_one("#f-name", Input).value == "letter_en_ozel"
        status = editor.query_one("#template-status", Label)
        assert not status.has_class("error-text")
        broken = "{{ account.nope }}"
        await pilot.press(*broken)
        await settle_preview(pilot, app)
        assert status.has_class("error-text")
        assert "nope" in str(status.content)
        await press(pilot, "f2")
        await settle_preview(pilot, app)
        assert "nope" in str(status.content)
        await pilot.press(*["backspace"] * len(broken))
        await pilot.press(*"{% if %}")
        await settle_preview(pilot, app)
        assert status.has_class("error-text")
        await press(pilot, "f2")
        await settle_preview(pilot, app)
        with database.reader() as session:
            assert session.scalars(select(LetterTemplate)).all() == []
        await pilot.press(*["backspace"] * len("{% if %}"))
        await pilot.press(*"Ref {{ account.code }} ")
        await settle_preview(pilot, app)
        assert not status.has_class("error-text")
        preview = str(editor.query_one("#template-preview", Static).content)
        assert "Ref 120.001" in preview  # the first account with a balance
        await press(pilot, "f2")
        await settle_preview(pilot, app)
        with database.reader() as session:
            saved = session.scalars(select(LetterTemplate)).one()
            assert saved.name == "letter_en_ozel"
            assert saved.text_body.startswith("Ref {{ account.code }} ")
        await press(pilot, "escape")
        assert isinstance(app.screen, TemplateListScreen)
        names = [
            str(app.screen.query_one(DataTable).get_row_at(i)[0])
            for i in range(app.screen.query_one(DataTable).row_count)
        ]
        assert "letter_en_ozel" in names


async def test_without_a_sender_address_nothing_is_queued_and_the_reason_is_shown(
    app: MutabakatApp, database: Database, settings: Settings
) -> None:
    make_accounts(database)
    with database.unit_of_work() as session:
        session.scalars(select(User).where(User.login == "tester")).one().from_address = ""
        session.scalars(select(Company)).one().email = ""
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, app)
        await press(pilot, "f2")  # no selection: the row under the cursor
        dialog = app.screen
        assert isinstance(dialog, SendDialog)
        assert "Gönderen e-posta adresi" in str(dialog.query_one("#send-preview", Static).content)
        await press(pilot, "f2")
        progress = app.screen
        assert isinstance(progress, SendProgressScreen)
        await wait_for(pilot, lambda: not progress.running)
        assert str(progress.query_one("#send-progress-title", Label).content) == "Gönderilemedi."
        assert "Gönderen e-posta adresi" in str(progress.query_one("#send-summary", Static).content)
    with database.reader() as session:
        assert session.scalars(select(ReconciliationBatch)).all() == []
    assert outbox_files(settings) == []


async def test_criteria_from_the_keyboard_narrow_the_list(
    app: MutabakatApp, database: Database
) -> None:
    make_accounts(database)
    with database.unit_of_work() as session:
        for account in session.scalars(select(Account)):
            account.group_code = "TOPTAN" if account.code != "120.003" else "PERAKENDE"
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f4")
        criteria = app.screen
        assert isinstance(criteria, SendCriteriaScreen)
        await press(pilot, "enter")  # as-of date → code from
        await press(pilot, "f10")
        assert isinstance(app.screen, AccountLookupScreen)
        await pilot.press(*"Bozuk")
        await pilot.pause(0.3)
        await press(pilot, "enter")
        assert criteria.query_one("#f-code_from", Input).value == "120.002"
        await press(pilot, "enter", "enter")  # code to → group code
        await press(pilot, "f10")
        assert isinstance(app.screen, ValueLookupScreen)
        await pilot.press(*"TOP")
        await press(pilot, "enter")
        assert criteria.query_one("#f-group_code", Input).value == "TOPTAN"
        await press(pilot, "f2")
        screen = app.screen
        assert isinstance(screen, SendListScreen)
        assert screen.table.row_count == 2  # 120.002 and 120.004 (120.003 is PERAKENDE)
        assert "kod 120.002…" in str(screen.query_one("#send-criteria-line", Static).content)
        await press(pilot, "escape")
        assert app.screen is criteria
        criteria.query_one("#f-only_valid", Checkbox).value = True
        await press(pilot, "f2")
        screen = app.screen
        assert isinstance(screen, SendListScreen)
        assert screen.table.row_count == 1  # 120.002 has no usable address
        await press(pilot, "escape")
        criteria.query_one("#f-as_of", Input).value = "31.02.2026"
        await press(pilot, "f2")
        assert app.screen is criteria
        assert "31.12.2026" in str(criteria.query_one("#err-as_of", Label).content)


async def test_the_error_list_never_covers_the_question_to_stop(
    app: MutabakatApp,
    database: Database,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Letters are written while they are sent; when the last chunk is in, the error list
    would open — but not over the "stop sending?" question the user is answering."""
    monkeypatch.setattr(batch_writer, "CHUNK", 4)
    monkeypatch.setattr(batch_writer, "FIRST_CHUNK", 4)
    compose_here = send_now._compose_here

    def slow(*args: Any) -> Any:
        time.sleep(0.05)
        return compose_here(*args)

    monkeypatch.setattr(send_now, "_compose_here", slow)
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, "tester")
        keys = []
        for n in range(24):
            emails = (f"a{n}@b.com.tr",) if n % 6 else ()  # four accounts without an address
            account = add_account(session, f"120.{n:03d}", f"Firma {n}", emails=emails)
            add_movement(session, account, OLD, debit="10.00")
            keys.append((account.id, "TRY"))
    request = SendRequest(default_as_of(), keys, SendOptions())
    slow_sending = DeliveryOptions(rate_per_minute=120)  # 10 s for 20: the stop comes first
    async with app.run_test(size=SIZE) as pilot:
        screen = SendProgressScreen(request, delivery=slow_sending)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: screen.batch_id is not None)
        await press(pilot, "escape")
        assert isinstance(app.screen, ConfirmDialog)
        await wait_for(pilot, lambda: screen.created is not None)
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "e")
        await wait_for(pilot, lambda: not screen.running)
        assert app.screen is screen
        assert str(screen.query_one("#send-progress-title", Label).content) == (
            "Gönderim durduruldu."
        )
        await press(pilot, "f4")
        assert isinstance(app.screen, SendErrorsScreen)
    assert len(outbox_files(settings)) < 20
