"""Pilot tests at 80×24 of what the letter list says when an action cannot be done: a
cancel refused before any question, a resend refused in a whole sentence, a reply that
matches no letter counted and listed, and an unclear reply decided with nothing chosen."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from textual.widgets import DataTable, Label, Static

from tests.mail_samples import plain_reply
from tests.pilot_keys import press, wait_for
from tests.test_track_screens import SIZE, original, sent_batch, state_of
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.config import Settings
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.screens.dialogs.confirm import ConfirmDialog
from tui_mutabakat.screens.tracking.track_answer import AnswerDialog
from tui_mutabakat.screens.tracking.track_letters import TrackLettersScreen
from tui_mutabakat.screens.tracking.track_unreadable import UnreadableScreen
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.tracking.tracking import record_manual_answer


def _said(app: MutabakatApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_cancel_of_an_answered_letter_is_refused_before_the_question(
    app: MutabakatApp, database: Database, actor: Actor, settings: Settings
) -> None:
    first, second, third = await sent_batch(database, actor, settings)
    with database.unit_of_work() as session:
        record_manual_answer(session, actor, first, "agreed")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f2", "enter")
        screen = app.screen
        assert isinstance(screen, TrackLettersScreen)
        await press(pilot, "home")
        assert screen.current_letter() == first
        await press(pilot, "f8")
        assert app.screen is screen  # no question
        refusal = "120.001 Firma 1: yanıtlanmış; yanıtlanmış mektup iptal edilemez."
        assert refusal in _said(app)
        # Two ticked, one answered: asked only about the other, the answered one named.
        await press(pilot, "space", "space")
        assert screen.selected == {first, second}
        await press(pilot, "f8")
        assert isinstance(app.screen, ConfirmDialog)
        question = str(app.screen.query_one(".question", Label).content)
        assert question.startswith("120.002 Firma 2 iptal edilsin mi?")
        assert _said(app).count(refusal) == 2
        await press(pilot, "e")
        await wait_for(pilot, lambda: "1 mektup iptal edildi." in _said(app))
    assert [state_of(database, i) for i in (first, second, third)] == [
        LetterState.AGREED,
        LetterState.CANCELLED,
        LetterState.SENT,
    ]


async def test_resend_of_a_disagreed_letter_says_why_in_a_whole_sentence(
    app: MutabakatApp, database: Database, actor: Actor, settings: Settings
) -> None:
    first, _second, _third = await sent_batch(database, actor, settings)
    with database.unit_of_work() as session:
        record_manual_answer(session, actor, first, "disagreed")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f2", "enter", "home", "f4")
        said = (
            "120.001 Firma 1: yeniden gönderilmedi — yalnız geri dönen ya da "
            "gönderilemeyen mektup yeniden gönderilir."
        )
        await wait_for(pilot, lambda: said in _said(app))
    assert state_of(database, first) is LetterState.DISAGREED


async def test_a_reply_that_matches_no_letter_is_said_and_listed(
    app: MutabakatApp, database: Database, actor: Actor, settings: Settings
) -> None:
    first, _second, _third = await sent_batch(database, actor, settings)
    inbox = Path(settings.data_dir) / "inbox"
    inbox.mkdir(parents=True)
    stray = replace(
        original(database, first),
        subject="Cari bakiye",
        message_id="<bilinmeyen@client.example>",
        token="",
    )
    (inbox / "1.eml").write_bytes(plain_reply(stray, "Mutabık değiliz, bakiye 5.000,00 TL."))
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f2", "ctrl+u")
        said = "1 ileti hiçbir mektupla eşleşmedi (gönderimler ekranında F8)"
        await wait_for(pilot, lambda: said in _said(app))
        assert "Yeni ileti yok" not in _said(app)
        await press(pilot, "f8")
        screen = app.screen
        assert isinstance(screen, UnreadableScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == 1
        cells = [str(c) for c in table.get_row_at(0)]
        assert "Eşleşmedi" in cells
        info = str(screen.query_one("#unreadable-info", Static).content)
        assert "Hiçbir mektupla eşleşmedi" in info
        assert "a@anadolu.com.tr" in info and "Date:" in info
        # The summary gives the time as the interface writes it (the raw header below).
        assert "· 24.11.2026 " in info, info
    assert state_of(database, first) is LetterState.SENT


async def test_an_unclear_reply_is_decided_with_nothing_chosen_first(
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
        await press(pilot, "enter", "home", "down", "ctrl+a")
        dialog = app.screen
        assert isinstance(dialog, AnswerDialog)
        assert "dönünce bakacak" in str(dialog.query_one("#answer-message", Static).content)
        await press(pilot, "f2")  # nothing chosen: asked for, nothing recorded
        assert app.screen is dialog
        error = str(dialog.query_one("#answer-error", Label).content)
        assert error.startswith("Yanıt seçin")
        assert state_of(database, second) is LetterState.UNCLEAR
        await press(pilot, "down", "down", "f2")
        assert state_of(database, second) is LetterState.DISAGREED
