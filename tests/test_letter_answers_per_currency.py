"""Answers to a letter of several currencies take a balance per currency; an e-mailed figure
that cannot be tied to one currency is unclear (issue 9 point 2)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from textual.widgets import Input, Static

from tests.mail_samples import Original, plain_reply
from tests.pilot_keys import press
from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.config import Settings
from tui_mutabakat.data.outbox_models import Letter
from tui_mutabakat.data.session import Database
from tui_mutabakat.data.tracking_models import AnswerBalance, LetterAnswer
from tui_mutabakat.domain.errors import InvalidInput
from tui_mutabakat.domain.history import server_answer_text
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.mail.answers import ReadMessage, read_message
from tui_mutabakat.screens.tracking.track_answer import AnswerDialog
from tui_mutabakat.screens.tracking.track_batches import TrackBatchesScreen
from tui_mutabakat.screens.tracking.track_details import LetterDetailsScreen
from tui_mutabakat.screens.tracking.track_letters import TrackLettersScreen
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.sending.worker import send_batch
from tui_mutabakat.services.tracking.intake import process_message, tie_figures
from tui_mutabakat.services.tracking.letter_balances import BalanceFigure
from tui_mutabakat.services.tracking.tracking import letter_details, record_manual_answer
from tui_mutabakat.widgets.paged_table import PagedTable

AS_OF = date(2026, 11, 30)
TWO = [
    BalanceFigure("TRY", Decimal("12000"), Decimal("0"), Decimal("12000")),
    BalanceFigure("USD", Decimal("0"), Decimal("3000"), Decimal("-3000")),
]


def _read(text: str) -> ReadMessage:
    original = Original(
        "Konu [MTB-0123456789AB]", "<a@b.c>", "MTB-0123456789AB", "s@x.tr", "m@y.tr"
    )
    return read_message(plain_reply(original, text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mutabık değiliz: bizde 11.500,00 TL borç, 3.000,00 USD alacak.",
            {"TRY": (Decimal("11500.00"), "B"), "USD": (Decimal("3000.00"), "A")},
        ),
        ("Mutabık değiliz, USD 2.900,50 alacak görünüyor.", {"USD": (Decimal("2900.50"), "A")}),
        ("Mutabık değiliz. $2,900.50 (A)", {"USD": (Decimal("2900.50"), "A")}),
        ("Mutabık değiliz, bakiye 11.500,00 borç.", None),
        ("Mutabık değiliz, 11.500,00 TL ve 2.500,00 görünüyor.", None),
        ("Mutabık değiliz, bizde 100,00 EUR var.", None),
        ("Mutabık değiliz, bizde 5000 görünüyor.", None),
        ("Mutabık değiliz, 11.500,00 TL. Tel 0216 555", {"TRY": (Decimal("11500.00"), "")}),
        ("Mutabık değiliz, ekstre gönderiyoruz.", {}),
    ],
)
def test_figures_are_tied_to_the_letters_currencies(
    text: str, expected: dict[str, tuple[Decimal, str]] | None
) -> None:
    read = _read(text)
    assert tie_figures(read, TWO) == expected


def test_a_one_currency_letter_takes_the_figure_as_before() -> None:
    read = _read("Mutabık değiliz, bakiye 11.500,00 borç.")
    assert tie_figures(read, TWO[:1]) == {"TRY": (Decimal("11500.00"), "B")}


async def _sent_letter(database: Database, actor: Actor, tmp_path: Path) -> Letter:
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, actor.login)
        account = add_account(session, "120.001", "Alfa", emails=("m@alfa.com.tr",))
        add_movement(session, account, date(2026, 10, 1), debit="12000")
        add_movement(session, account, date(2026, 10, 2), credit="3000", currency="USD")
        session.flush()
    created = write_batch(database, actor, AS_OF, [(account.id, "TRY")], SendOptions())
    assert created.batch_id is not None and created.letters == 1
    url = database.engine.url.render_as_string(hide_password=False)
    settings = Settings(data_dir=tmp_path, database_url=url, mail_backend="file")
    await send_batch(database, settings, created.batch_id)
    with database.reader() as session:
        letter = session.scalars(select(Letter)).one()
        assert letter.state is LetterState.SENT
        session.expunge(letter)
        return letter


def _reply(letter: Letter, text: str) -> bytes:
    original = Original(letter.subject, letter.message_id, letter.token, "s@x.tr", "m@alfa.com.tr")
    return plain_reply(original, text)


async def test_an_emailed_answer_per_currency(
    any_database: Database, any_actor: Actor, tmp_path: Path
) -> None:
    letter = await _sent_letter(any_database, any_actor, tmp_path)
    text = "Mutabık değiliz: bizde 11.500,00 TL borç, 3.000,00 USD alacak görünüyor."
    with any_database.unit_of_work() as session:
        process_message(session, _reply(letter, text))
    with any_database.reader() as session:
        stored = session.get(Letter, letter.id)
        assert stored is not None and stored.state is LetterState.DISAGREED
        rows = session.scalars(select(AnswerBalance).order_by(AnswerBalance.currency)).all()
        assert [(r.currency, r.their_balance, r.their_side, r.difference) for r in rows] == [
            ("TRY", Decimal("11500.00"), "B", Decimal("-500.00")),
            ("USD", Decimal("3000.00"), "A", Decimal("0.00")),
        ]
        answer = session.scalars(select(LetterAnswer)).one()
        assert answer.their_balance is None  # several figures: see the per-currency rows
        details = letter_details(session, letter.id)
        assert [f.currency for f in details.balances] == ["TRY", "USD"]
        assert len(details.answer_balances[answer.id]) == 2
        # The history says it in words and Turkish money (issue 11.11), no raw values.
        reasons = " ".join(line.reason for line in details.history)
        assert "mutabık değil" in reasons and "bakiye 11.500,00 TL borç" in reasons
        assert "11500.00" not in reasons and " B" not in reasons
        assert not re.search(r":\d+:[0-9a-f]{8}", reasons)  # no sender run's id ("vm:9174:…")
        # The file backend's answer is stored as its file and said in words when shown.
        person = details.recipients[0]
        assert person.smtp_answer.endswith(".eml") and person.smtp_code is None
        shown = server_answer_text(person.smtp_code, person.smtp_answer)
        assert shown == f"Dosyaya yazıldı: {person.smtp_answer}"


async def test_an_emailed_figure_without_a_currency_is_unclear(
    any_database: Database, any_actor: Actor, tmp_path: Path
) -> None:
    letter = await _sent_letter(any_database, any_actor, tmp_path)
    with any_database.unit_of_work() as session:
        process_message(session, _reply(letter, "Mutabık değiliz, bizde 11.500,00 borç."))
    with any_database.reader() as session:
        stored = session.get(Letter, letter.id)
        assert stored is not None and stored.state is LetterState.UNCLEAR
        assert session.scalars(select(AnswerBalance)).all() == []


async def test_a_manual_answer_takes_a_balance_per_currency(
    any_database: Database, any_actor: Actor, tmp_path: Path
) -> None:
    letter = await _sent_letter(any_database, any_actor, tmp_path)
    with any_database.unit_of_work() as session:
        with pytest.raises(InvalidInput, match="para birimiyle"):
            record_manual_answer(session, any_actor, letter.id, "disagreed", Decimal("5"))
        with pytest.raises(InvalidInput, match="EUR"):
            record_manual_answer(
                session, any_actor, letter.id, "disagreed", balances={"EUR": (Decimal("5"), "")}
            )
        with pytest.raises(InvalidInput, match="Mutabıkız seçildi"):
            record_manual_answer(
                session, any_actor, letter.id, "agreed", balances={"USD": (Decimal("2900"), "")}
            )
    with any_database.unit_of_work() as session:
        record_manual_answer(
            session,
            any_actor,
            letter.id,
            "disagreed",
            balances={"USD": (Decimal("2900"), "A"), "TRY": (Decimal("12000"), "")},
        )
    with any_database.reader() as session:
        rows = session.scalars(select(AnswerBalance).order_by(AnswerBalance.currency)).all()
        assert [(r.currency, r.difference) for r in rows] == [
            ("TRY", Decimal("0.00")),
            ("USD", Decimal("100.00")),
        ]
        stored = session.get(Letter, letter.id)
        assert stored is not None and stored.state is LetterState.DISAGREED
        reasons = [line.reason for line in letter_details(session, letter.id).history]
        assert "Telefon: mutabık değil" in reasons and "disagreed" not in str(reasons)


async def test_tracking_shows_every_currency_and_the_dialog_asks_for_each(
    app: MutabakatApp, database: Database, actor: Actor, settings: Settings
) -> None:
    """Pilot, 80×24: the letter list and the details show both balances; the answer dialog
    of a letter of two currencies has a field for each."""
    letter = await _sent_letter(database, actor, settings.data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f2")
        assert isinstance(app.screen, TrackBatchesScreen)
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, TrackLettersScreen)
        first = screen.query_one(PagedTable).row_at(0)
        assert first is not None
        cells = list(first.cells)
        assert "12.000,00 TL B · 3.000,00 USD A" in cells
        await press(pilot, "ctrl+a")
        dialog = app.screen
        assert isinstance(dialog, AnswerDialog)
        ids = [i.id for i in dialog.query(".answer-balance").results(Input)]
        assert ids == ["answer-balance-TRY", "answer-balance-USD"]
        await press(pilot, "down")  # "Mutabık değiliz"
        await press(pilot, "tab", "tab")
        assert app.focused is not None and app.focused.id == "answer-balance-USD"
        await pilot.press(*"2.900,00 A")
        await press(pilot, "f2")
        assert isinstance(app.screen, TrackLettersScreen)
        await press(pilot, "enter")
        assert isinstance(app.screen, LetterDetailsScreen)
        text = str(app.screen.query_one("#letter-details", Static).content)
        assert "12.000,00 TL B · 3.000,00 USD A" in text
        assert "2.900,00 USD alacak · Fark: 100,00 USD" in text
        # The answer gave no TL balance: said under it, not left to be guessed.
        assert "TL için bakiye bildirilmedi" in text
        assert "USD için bakiye bildirilmedi" not in text
    with database.reader() as session:
        stored = session.get(Letter, letter.id)
        assert stored is not None and stored.state is LetterState.DISAGREED
        [row] = session.scalars(select(AnswerBalance)).all()
        assert (row.currency, row.their_balance, row.their_side) == ("USD", Decimal("2900"), "A")
