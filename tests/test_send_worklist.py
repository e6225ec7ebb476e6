"""Pilot tests, at 80×24, of the error list as a work list and of the question before a
second letter for the same date (SPEC D5; issue 9, points 6 and 9)."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from sqlalchemy import func, select
from textual.pilot import Pilot
from textual.widgets import Input, Label, Static

from tests.pilot_keys import press, wait_for
from tests.send_data import add_account, add_company, add_movement, configure_sender
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.config import Settings
from tui_mutabakat.data.outbox_models import Letter, ReconciliationBatch
from tui_mutabakat.data.session import Database
from tui_mutabakat.screens.accounts.account_card import AccountCardScreen
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog
from tui_mutabakat.screens.dialogs.contact_dialog import ContactDialog
from tui_mutabakat.screens.sending.send_criteria import SendCriteriaScreen, default_as_of
from tui_mutabakat.screens.sending.send_dialog import SendDialog
from tui_mutabakat.screens.sending.send_errors import DONE, SendErrorsScreen
from tui_mutabakat.screens.sending.send_guard_dialog import DuplicateDialog
from tui_mutabakat.screens.sending.send_list import SendListScreen
from tui_mutabakat.screens.sending.send_progress import SendProgressScreen
from tui_mutabakat.screens.tracking.track_batches import TrackBatchesScreen
from tui_mutabakat.screens.tracking.track_details import LetterDetailsScreen
from tui_mutabakat.services.sending.compose import SkipKind

SIZE = (80, 24)


def make_accounts(database: Database) -> dict[str, int]:
    """120.001 a broken address with TRY and EUR rows; 120.002 one good and one broken
    address; 120.003 a zero balance; 120.004 fine."""
    day = default_as_of().replace(day=1)
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, "tester")
        broken = add_account(session, "120.001", "Bozuk Adres Ltd", emails=("bozuk@adres",))
        add_movement(session, broken, day, debit="100.00")
        add_movement(session, broken, day, debit="40.00", currency="EUR")
        mixed = add_account(
            session, "120.002", "Karma Ltd", emails=("iyi@karma.com.tr", "kotu@karma")
        )
        add_movement(session, mixed, day, credit="75.25")
        zero = add_account(session, "120.003", "Sıfır Ticaret", emails=("s@sifir.com.tr",))
        add_movement(session, zero, day, debit="10.00")
        add_movement(session, zero, day, credit="10.00")
        fine = add_account(session, "120.004", "Düzgün A.Ş.", emails=("d@duzgun.com.tr",))
        add_movement(session, fine, day, debit="300.00")
        return {a.code: a.id for a in (broken, mixed, zero, fine)}


def outbox_files(settings: Settings) -> list[Path]:
    return sorted((settings.mail_outbox / "new").glob("*.eml"))


def plain_text(path: Path) -> str:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def letters(database: Database) -> int:
    with database.reader() as session:
        return int(session.scalar(select(func.count()).select_from(Letter)) or 0)


async def open_list(pilot: Pilot[None], app: MutabakatApp) -> SendListScreen:
    await press(pilot, "f4")
    assert isinstance(app.screen, SendCriteriaScreen)
    await press(pilot, "f2")
    screen = app.screen
    assert isinstance(screen, SendListScreen)
    return screen


async def test_the_error_list_is_a_work_list(
    app: MutabakatApp, database: Database, settings: Settings
) -> None:
    ids = make_accounts(database)
    told: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await open_list(pilot, app)
        await press(pilot, "plus", "f2")
        assert isinstance(app.screen, SendDialog)
        await press(pilot, "f2")
        await wait_for(pilot, lambda: isinstance(app.screen, SendProgressScreen))
        shown = app.screen
        assert isinstance(shown, SendProgressScreen)
        await wait_for(pilot, lambda: not shown.running)
        assert app.screen is shown  # the progress stays in view; the list opens on F4
        assert "F4 hata listesi" in str(shown.query_one("#send-summary", Static).content)
        await press(pilot, "f4")
        first = app.screen
        assert isinstance(first, SendErrorsScreen)
        # grouped: the errors first, then the skipped address, then the zero balance
        # (one letter per account: 120.001's TRY and EUR are one row, one letter)
        kinds = [(row.item.code, row.kind) for row in first.rows]
        assert kinds == [
            ("120.001", SkipKind.ERROR),
            ("120.002", SkipKind.ADDRESS),
            ("120.003", SkipKind.ZERO),
        ]
        assert first.rows[0].item.currency == "TRY/EUR"
        head = str(first.query_one("#send-errors-head", Label).content)
        assert "Hata: 1" in head and "Adres: 1" in head and "Sıfır: 1" in head
        # the reason is readable in full at 80 columns: wrapped in its cell
        table = first.table
        assert table.virtual_size.width <= 80
        for n, row in enumerate(first.rows):
            cell = str(table.get_row_at(n)[-1])
            assert " ".join(cell.split()) == " ".join(row.item.reason.split())
        address_row = table.get_row_at(1)
        assert "kotu@karma" in str(address_row[-1])
        await press(pilot, "escape")
        progress = app.screen
        assert isinstance(progress, SendProgressScreen)
        await wait_for(pilot, lambda: not progress.running)
        assert len(outbox_files(settings)) == 2  # 120.002 and 120.004
        # reopened: F2 does something, or says why
        await press(pilot, "f4")
        errors = app.screen
        assert isinstance(errors, SendErrorsScreen) and errors is not first
        await press(pilot, "f2")
        assert isinstance(app.screen, ConfirmDialog)  # nothing fixed here: it asks
        await press(pilot, "h")
        assert app.screen is errors
        errors.notify = lambda message, **_kw: told.append(str(message))  # type: ignore[method-assign]
        await press(pilot, "down", "down", "f2")  # the zero row: it says why
        assert app.screen is errors and "Bakiye sıfır" in told[-1]
        await press(pilot, "up", "up", "enter")
        card = app.screen
        assert isinstance(card, AccountCardScreen)
        await press(pilot, "f5", "enter")
        contact = app.screen
        assert isinstance(contact, ContactDialog)
        contact.query_one("#f-email", Input).value = "duzgun@bozukadres.com.tr"
        await press(pilot, "f2")
        await press(pilot, "f2")
        assert app.screen is errors
        assert errors.fixed == {ids["120.001"]}
        await press(pilot, "f2")  # the fixed account's letter: TRY and EUR in one
        again = app.screen
        assert isinstance(again, SendProgressScreen)
        await wait_for(pilot, lambda: not again.running)
        assert "Gönderildi: 1" in str(again.query_one("#send-summary", Static).content)
        await press(pilot, "escape")
        assert app.screen is errors
        done = [row for row in errors.rows if row.item.account_id == ids["120.001"]]
        assert len(done) == 1 and all(row.sent_in is not None for row in done)
        assert str(errors.table.get_row_at(0)[0]) == DONE
        errors.table.move_cursor(row=0)
        await press(pilot, "f2")  # sent since: it says so
        assert "sonradan gönderildi" in told[-1]
        assert len(outbox_files(settings)) == 3
        fixed = [t for t in map(plain_text, outbox_files(settings)) if "Bozuk Adres" in t]
        assert len(fixed) == 1 and "EUR" in fixed[0] and "100,00" in fixed[0]
        # from tracking, the first batch's list shows the same
        await press(pilot, "escape", "escape", "escape", "escape")
        await app.push_screen(TrackBatchesScreen())
        await pilot.pause()
        tracking = app.screen
        assert isinstance(tracking, TrackBatchesScreen)
        await press(pilot, "down", "f4")  # the oldest batch is the second row
        reopened = app.screen
        assert isinstance(reopened, SendErrorsScreen)
        assert [row.sent_in is not None for row in reopened.rows] == [True, False, False]
        await press(pilot, "escape", "up", "f4")  # the second batch: nothing skipped
        assert app.screen is tracking
        # the skipped address is in the letter's details too
        with database.reader() as session:
            letter_id = session.scalar(select(Letter.id).where(Letter.account_id == ids["120.002"]))
        assert letter_id is not None
        await app.push_screen(LetterDetailsScreen(letter_id))
        await pilot.pause()
        details = str(app.screen.query_one("#letter-details", Static).content)
        assert "Atlanan adres" in details and "kotu@karma" in details
    with database.reader() as session:
        assert len(session.scalars(select(ReconciliationBatch)).all()) == 2


async def test_a_second_letter_for_the_date_is_asked_for_first(
    app: MutabakatApp, database: Database, settings: Settings
) -> None:
    make_accounts(database)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_list(pilot, app)
        await press(pilot, "end", "f2", "f2")  # 120.004 alone
        progress = app.screen
        assert isinstance(progress, SendProgressScreen)
        await wait_for(pilot, lambda: not progress.running)
        await press(pilot, "escape")
        assert app.screen is screen and letters(database) == 1
        # 120.002 and 120.004: one of them has its letter for the date
        await press(pilot, "home", "down", "down", "space", "end", "space", "f2", "f2")
        dialog = app.screen
        assert isinstance(dialog, DuplicateDialog)
        question = str(dialog.query_one("#duplicates-question", Label).content)
        assert "2 hesaptan 1 hesabın" in question
        # It names the account (code and title) and the letter it already has.
        named = str(dialog.query_one("#duplicates-accounts", Label).content)
        assert named.startswith("120.004 ") and " numaralı gönderimde mektubu var" in named
        await press(pilot, "escape")  # back: nothing written
        assert app.screen is screen and letters(database) == 1
        await press(pilot, "f2", "f2")
        assert isinstance(app.screen, DuplicateDialog)
        await press(pilot, "enter")  # skip them, the default
        skipping = app.screen
        assert isinstance(skipping, SendProgressScreen)
        await wait_for(pilot, lambda: not skipping.running)
        assert letters(database) == 2  # 120.002 only
        assert skipping.summary is not None and skipping.summary.skipped == 1
        await press(pilot, "escape")
        assert app.screen is screen
        # both already sent: skipping leaves nothing, and the screen says so
        await press(pilot, "home", "down", "down", "space", "end", "space", "f2", "f2")
        await press(pilot, "a")
        assert app.screen is screen and letters(database) == 2
        await press(pilot, "f2", "f2", "y")  # send again, on purpose
        again = app.screen
        assert isinstance(again, SendProgressScreen)
        await wait_for(pilot, lambda: not again.running)
        assert letters(database) == 4
    assert len(outbox_files(settings)) == 4
