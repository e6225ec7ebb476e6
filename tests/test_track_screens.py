"""Pilot tests of "Gönderilmiş e-Mutabakatlar" from the keyboard at 80×24 (SPEC E1–E3):
a batch sent to the file backend, counts, details, a phone answer, a "mutabık değiliz" reply
dropped into the demo inbox, and a bounced letter resent after its address was corrected."""

from __future__ import annotations

import socket
from collections import Counter
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from textual.widgets import DataTable, Input, Label, OptionList, Static

from tests.hostile_mail import nested
from tests.mail_samples import Original, plain_reply, postfix_dsn
from tests.pilot_keys import press, wait_for
from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tui_mutabakat.app import MutabakatApp, make_app
from tui_mutabakat.config import Settings
from tui_mutabakat.data.models import Contact, User
from tui_mutabakat.data.outbox_models import Letter, Recipient
from tui_mutabakat.data.session import Database
from tui_mutabakat.data.tracking_models import LetterReminder
from tui_mutabakat.domain.enums import SmtpSecurity
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.screens.accounts.account_card import AccountCardScreen
from tui_mutabakat.screens.dialogs.action_menu import ActionMenu
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog
from tui_mutabakat.screens.tracking.track_answer import AnswerDialog
from tui_mutabakat.screens.tracking.track_batches import TrackBatchesScreen
from tui_mutabakat.screens.tracking.track_details import LetterDetailsScreen
from tui_mutabakat.screens.tracking.track_letters import TrackLettersScreen
from tui_mutabakat.screens.tracking.track_mailbox import read_text
from tui_mutabakat.screens.tracking.track_unreadable import UnreadableScreen
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.sending.worker import send_batch
from tui_mutabakat.services.tracking.intake import IntakeOutcome, process_message
from tui_mutabakat.services.tracking.mailbox import IntakeRun
from tui_mutabakat.services.tracking.tracking import latest_answer
from tui_mutabakat.widgets.paged_table import PagedTable

SIZE = (80, 24)


async def sent_batch(database: Database, actor: Actor, settings: Settings) -> list[int]:
    """Three letters sent through the file backend; returns their ids."""
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, actor.login)
        keys = []
        for index, email in enumerate(("a@anadolu.com.tr", "b@cinar.com.tr", "c@dere.com.tr")):
            account = add_account(
                session, f"120.00{index + 1}", f"Firma {index + 1}", emails=(email,)
            )
            add_movement(session, account, date(2026, 3, 1), debit=f"{1000 * (index + 1)}")
            keys.append((account.id, "TRY"))
    created = write_batch(
        database, actor, date(2026, 12, 31), keys, SendOptions(answer_by=date(2027, 1, 31))
    )
    assert created.batch_id is not None
    await send_batch(database, settings, created.batch_id)
    with database.reader() as session:
        return list(session.scalars(select(Letter.id).order_by(Letter.id)))


def original(database: Database, letter_id: int) -> Original:
    with database.reader() as session:
        letter = session.get(Letter, letter_id)
        assert letter is not None
        to = session.scalars(select(Recipient.address).where(Recipient.letter_id == letter_id))
        return Original(
            letter.subject,
            letter.message_id,
            letter.token,
            "mutabakat@ornek.com.tr",
            to.first() or "",
        )


def state_of(database: Database, letter_id: int) -> LetterState:
    with database.reader() as session:
        letter = session.get(Letter, letter_id)
        assert letter is not None
        return LetterState(letter.state)


def row(app: MutabakatApp, key: int) -> list[str]:
    """The cells of letter `key` in the letter list on screen."""
    table = app.screen.query_one(PagedTable)
    found = [table.row_at(i) for i in range(table.row_count)]
    return next(list(r.cells) for r in found if r is not None and r.key == key)


async def test_counts_details_phone_answer_and_an_emailed_disagreement(
    app: MutabakatApp, database: Database, actor: Actor, settings: Settings
) -> None:
    first, second, third = await sent_batch(database, actor, settings)
    inbox = Path(settings.data_dir) / "inbox" / "new"
    inbox.mkdir(parents=True)
    reply = plain_reply(original(database, third), "Mutabık değiliz, bizdeki bakiye 12.345,67 TL.")
    (inbox / "1.eml").write_bytes(reply)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f2")
        screen = app.screen
        assert isinstance(screen, TrackBatchesScreen)
        table = screen.query_one(PagedTable)
        assert table.row_count == 1
        batch = table.cursor_id
        assert batch is not None
        cells = {key: screen.cell(batch, key) for key in ("as_of", "queued", "sent", "total")}
        assert cells == {"as_of": "31.12.2026", "queued": "0", "sent": "3", "total": "3"}
        assert (screen.cell(batch, "answer_by"), screen.cell(batch, "sender")) == (
            "31.01.2027",
            "tester",
        )
        # At 80 columns the row shows the title, the send date, the letters and the answered
        # share; the rest is written out below the table.
        top = table.row_at(0)
        assert top is not None and top.cells[3:5] == (
            "3",
            "░░░░░ 0/3",
        )  # after No, Başlık, Gönderim
        info = str(screen.query_one("#track-info", Static).content)
        assert "31.01.2027" in info and "3 mektup: Gitti 3 · ░" in info
        # The folder read is shown in one dim line (issue 11.13).
        place = str(screen.query_one("#track-mailbox-place", Static).content)
        assert place == f"Yanıtlar okunur: {settings.mail_inbox}"
        # The mailbox pass from the keyboard reads the demo inbox and says what it read.
        await press(pilot, "ctrl+u")
        await wait_for(pilot, lambda: state_of(database, third) is LetterState.DISAGREED)
        await wait_for(pilot, lambda: screen.cell(batch, "disagreed") == "1")
        await wait_for(pilot, lambda: any(n.message == "1 yeni yanıt" for n in app._notifications))
        # A second pass finds nothing new, and says so.
        await press(pilot, "ctrl+u")
        await wait_for(
            pilot, lambda: any(n.message == "Yeni ileti yok" for n in app._notifications)
        )

        await press(pilot, "enter")
        assert isinstance(app.screen, TrackLettersScreen)
        assert "Mutabık değil" in row(app, third)
        assert "Gönderildi" in row(app, first)
        # Details of the disagreeing letter: their balance and the difference.
        await press(pilot, "down", "down", "enter")
        assert isinstance(app.screen, LetterDetailsScreen)
        text = str(app.screen.query_one("#letter-details", Static).content)
        assert "12.345,67" in text and "c@dere.com.tr" in text
        assert "Durum geçmişi" in text and "Mutabık değil" in text
        await press(pilot, "escape")

        # A phone answer on the first letter: Ctrl+A, not agreed, their balance, a note.
        await press(pilot, "up", "up", "ctrl+a")
        assert isinstance(app.screen, AnswerDialog)
        # The dialog names the letter and shows our balance (issue 11.12, 11.16).
        subject = str(app.screen.query_one("#answer-subject", Static).content)
        assert subject == "120.001 Firma 1 — bizim bakiyemiz: 1.000,00 TL B"
        await press(pilot, "down")  # the arrow alone chooses "Mutabık değiliz"
        await press(pilot, "tab")
        assert isinstance(app.focused, Input)
        await pilot.press(*"950,50")
        await press(pilot, "tab")
        await pilot.press(*"Ali Bey")
        await press(pilot, "f2")
        assert isinstance(app.screen, TrackLettersScreen)
        assert state_of(database, first) is LetterState.DISAGREED
        assert "Mutabık değil" in row(app, first)
        with database.reader() as session:
            answer = latest_answer(session, first)
            assert answer is not None
            assert (answer.channel, answer.their_balance, answer.note) == (
                "phone",
                Decimal("950.50"),
                "Ali Bey",
            )
        await press(pilot, "escape")
        assert isinstance(app.screen, TrackBatchesScreen)
        assert screen.cell(batch, "disagreed") == "2"


async def test_bounced_letter_resent_after_the_address_is_corrected(
    app: MutabakatApp, database: Database, actor: Actor, settings: Settings
) -> None:
    first, _second, _third = await sent_batch(database, actor, settings)
    with database.unit_of_work() as session:
        process_message(session, postfix_dsn(original(database, first)))
    assert state_of(database, first) is LetterState.BOUNCED
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f2", "enter")
        assert isinstance(app.screen, TrackLettersScreen)
        assert "Geri döndü" in row(app, first)
        # The user corrects the address (what the account card's contact dialog saves).
        with database.unit_of_work() as session:
            contact = session.scalars(select(Contact).where(Contact.email == "a@anadolu.com.tr"))
            contact.one().email = "muhasebe@anadolu.com.tr"
        await press(pilot, "f9")
        assert isinstance(app.screen, ActionMenu)
        await press(pilot, "down", "down", "enter")  # "Cari kartta adresi düzelt…"
        assert isinstance(app.screen, AccountCardScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "e")
        await wait_for(pilot, lambda: state_of(database, first) is LetterState.SENT)
        # The same letter (same token) went to the corrected address: a new recipient row
        # the backend accepted, and a new file in the outbox addressed to it.
        with database.reader() as session:
            people = session.execute(
                select(Recipient.address, Recipient.state)
                .where(Recipient.letter_id == first)
                .order_by(Recipient.id)
            ).all()
        assert [(a, s.value) for a, s in people] == [
            ("a@anadolu.com.tr", "bounced"),
            ("muhasebe@anadolu.com.tr", "accepted"),
        ]
        await wait_for(pilot, lambda: "Gönderildi" in row(app, first))
    envelopes = [
        path.read_bytes().split(b"\r\n", 1)[0]
        for path in (settings.mail_outbox / "new").glob("*.eml")
    ]
    assert envelopes.count(b"X-Envelope-To: muhasebe@anadolu.com.tr") == 1


async def test_export_and_cancel_from_the_selection(
    app: MutabakatApp, database: Database, actor: Actor, settings: Settings
) -> None:
    first, second, third = await sent_batch(database, actor, settings)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f2", "enter")
        screen = app.screen
        assert isinstance(screen, TrackLettersScreen)
        # Nothing ticked: F8 asks about the letter under the cursor, by its account.
        await press(pilot, "f8")
        assert isinstance(app.screen, ConfirmDialog)
        question = str(app.screen.query_one(".question", Label).content)
        assert question.startswith("120.001 Firma 1 iptal edilsin mi?")
        await press(pilot, "h")
        assert isinstance(app.screen, TrackLettersScreen)
        assert state_of(database, first) is LetterState.SENT
        await press(pilot, "space", "space")
        assert screen.selected == {first, second}
        await press(pilot, "ctrl+x")
        exports = list((Path(settings.data_dir) / "exports").glob("*.csv"))
        assert len(exports) == 1
        lines = exports[0].read_text(encoding="utf-8-sig").splitlines()
        assert len(lines) == 4 and lines[1].startswith("120.001;Firma 1;TL;1.000,00")
        await press(pilot, "f9")
        assert isinstance(app.screen, ActionMenu)
        menu = app.screen.query_one(OptionList)
        xlsx = next(
            i for i in range(menu.option_count) if menu.get_option_at_index(i).id == "export_xlsx"
        )
        menu.highlighted = xlsx
        await press(pilot, "enter")
        books = list((Path(settings.data_dir) / "exports").glob("*.xlsx"))
        assert len(books) == 1
        sheet = load_workbook(books[0]).active
        assert sheet is not None
        assert sheet.cell(row=2, column=1).value == "120.001"
        assert sheet.cell(row=2, column=3).value == "TL"  # the currency as every screen says
        assert sheet.cell(row=2, column=4).value == 1000  # a number, not text
        await press(pilot, "f8")
        assert isinstance(app.screen, ConfirmDialog)
        question = str(app.screen.query_one(".question", Label).content)
        assert question.startswith("2 mektup: 120.001, 120.002 iptal edilsin mi?")
        await press(pilot, "e")
        assert [state_of(database, i) for i in (first, second, third)] == [
            LetterState.CANCELLED,
            LetterState.CANCELLED,
            LetterState.SENT,
        ]


async def test_unclear_reply_counted_on_the_main_menu_then_decided(
    app: MutabakatApp, database: Database, actor: Actor, settings: Settings
) -> None:
    _first, second, _third = await sent_batch(database, actor, settings)
    inbox = Path(settings.data_dir) / "inbox"
    inbox.mkdir(parents=True)
    text = "Merhaba, muhasebe müdürümüz izinde, dönünce bakacak."
    (inbox / "reply.eml").write_bytes(plain_reply(original(database, second), text))
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f2", "ctrl+u")
        await wait_for(pilot, lambda: state_of(database, second) is LetterState.UNCLEAR)
        await press(pilot, "escape")
        status = str(app.screen.query_one("#main-status", Static).content)
        assert "Görülmemiş yanıt: 1" in status
        await press(pilot, "f2", "enter", "down", "ctrl+a")
        dialog = app.screen
        assert isinstance(dialog, AnswerDialog)
        assert "dönünce bakacak" in str(dialog.query_one("#answer-message", Static).content)
        await press(pilot, "down", "f2")  # nothing is chosen at first: Down chooses "Mutabıkız"
        assert state_of(database, second) is LetterState.AGREED
        assert "Mutabık" in row(app, second)
        await press(pilot, "escape", "escape")
        status = str(app.screen.query_one("#main-status", Static).content)
        assert "Görülmemiş" not in status


async def test_reminder_is_sent_from_the_keys(
    app: MutabakatApp, database: Database, actor: Actor, settings: Settings
) -> None:
    first, _second, _third = await sent_batch(database, actor, settings)
    outbox = settings.mail_outbox / "new"
    before = {path.name for path in outbox.glob("*.eml")}
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f2", "enter", "f9")  # the menu names the letter it acts on
        assert isinstance(app.screen, ActionMenu)
        title = str(app.screen.query_one(".dialog-title", Label).content)
        assert title == "120.001 Firma 1 mektubu — İşlemler"
        await press(pilot, "escape", "ctrl+t")
        await wait_for(pilot, lambda: len(list(outbox.glob("*.eml"))) == len(before) + 1)
        said = [n.message for n in app._notifications]
        assert "Hatırlatma gönderiliyor: 120.001 Firma 1." in said  # the account named
        (new,) = {path.name for path in outbox.glob("*.eml")} - before
        message = (outbox / new).read_bytes()
        assert b"a@anadolu.com.tr" in message
        # The same day again: refused with a warning, nothing queued.
        await press(pilot, "ctrl+t")
        await pilot.pause(0.3)
        assert len(list(outbox.glob("*.eml"))) == len(before) + 1
        assert any("Hatırlatma gönderilecek" in n.message for n in app._notifications)
    with database.reader() as session:
        reminders = session.scalars(select(LetterReminder.letter_id)).all()
        assert reminders == [first]


async def test_unreadable_messages_listed_and_a_strangers_answer_flagged(
    app: MutabakatApp, database: Database, actor: Actor, settings: Settings
) -> None:
    first, second, _third = await sent_batch(database, actor, settings)
    inbox = Path(settings.data_dir) / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "1.eml").write_bytes(plain_reply(original(database, first), "Mutabıkız."))
    (inbox / "2.eml").write_bytes(nested(100))
    stranger = replace(original(database, second), recipient="baskasi@holding.com.tr")
    (inbox / "3.eml").write_bytes(plain_reply(stranger, "Mutabıkız."))
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f2", "ctrl+u")
        await wait_for(pilot, lambda: state_of(database, second) is LetterState.AGREED)
        assert state_of(database, first) is LetterState.AGREED
        said = "2 yeni yanıt · 1 ileti okunamadı (gönderimler ekranında F8)"
        await wait_for(pilot, lambda: any(n.message == said for n in app._notifications))
        await press(pilot, "f8")
        screen = app.screen
        assert isinstance(screen, UnreadableScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == 1
        assert "Okunamadı" in [str(c) for c in table.get_row_at(0)]
        info = str(screen.query_one("#unreadable-info", Static).content)
        assert "düzeyden derin" in info and "Message-ID: <n100@b.com>" in info
        await press(pilot, "escape", "enter")
        assert isinstance(app.screen, TrackLettersScreen)
        assert any("başka adres" in cell for cell in row(app, second))
        assert not any("başka adres" in cell for cell in row(app, first))
        await press(pilot, "down", "enter")
        assert isinstance(app.screen, LetterDetailsScreen)
        text = str(app.screen.query_one("#letter-details", Static).content)
        assert "baskasi@holding.com.tr" in text and "alıcılarından biri değil" in text


def test_what_a_pass_read_is_said_in_words() -> None:
    run = IntakeRun(outcomes=Counter({IntakeOutcome.BOUNCE: 1, IntakeOutcome.DUPLICATE: 4}))
    assert read_text(run) == "1 geri dönen ileti"
    assert read_text(IntakeRun()) == "Yeni ileti yok"
    assert read_text(IntakeRun(unreadable=["UID 7: bozuk"])) == (
        "Yeni ileti yok · 1 ileti okunamadı (gönderimler ekranında F8)"
    )
    assert "başka bir okuma sürüyor" in read_text(None)


async def test_a_mailbox_that_cannot_be_read_is_reported(
    database: Database, actor: Actor, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mailbox pass never fails silently: a refused connection is shown to the user."""
    await sent_batch(database, actor, settings)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("MTB_TEST_IMAP_PASS", "x")
    with database.unit_of_work() as session:
        user = session.scalars(select(User).where(User.login == actor.login)).one()
        user.imap_host, user.imap_port = "127.0.0.1", port
        user.imap_security = SmtpSecurity.NONE
        user.imap_password_ref = "env:MTB_TEST_IMAP_PASS"
    app = make_app(replace(settings, mail_backend="smtp"), database)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f2", "ctrl+u")
        await wait_for(
            pilot,
            lambda: any("Posta kutusu okunamadı" in n.message for n in app._notifications),
        )
        assert isinstance(app.screen, TrackBatchesScreen)
