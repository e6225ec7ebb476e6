"""Pilot tests at 80×24 (issue 11.16, 11.13): an answer for several letters at once keeps
the dialog open when it cannot be saved, naming the letters, and names those it overwrites;
Ctrl+U reads the mailbox from the letter list and the details screen too."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Label, Static

from tests.mail_samples import plain_reply
from tests.pilot_keys import press, wait_for
from tests.test_track_screens import SIZE, original, row, sent_batch, state_of
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.config import Settings
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.screens.tracking.track_answer import AnswerDialog
from tui_mutabakat.screens.tracking.track_details import LetterDetailsScreen
from tui_mutabakat.screens.tracking.track_letters import TrackLettersScreen
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.tracking.tracking import record_manual_answer


def _told(app: MutabakatApp, text: str) -> int:
    return sum(1 for n in app._notifications if n.message == text)


async def test_an_answer_for_several_letters_keeps_what_was_typed(
    app: MutabakatApp, database: Database, actor: Actor, settings: Settings
) -> None:
    first, second, third = await sent_batch(database, actor, settings)
    with database.unit_of_work() as session:
        record_manual_answer(session, actor, first, "agreed")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f2", "enter")
        screen = app.screen
        assert isinstance(screen, TrackLettersScreen)
        # One letter: a refusal is said in the dialog, which stays open with the input.
        await press(pilot, "down", "down", "ctrl+a")
        dialog = app.screen
        assert isinstance(dialog, AnswerDialog)
        assert not dialog.query("#answer-answered")
        await press(pilot, "tab")
        await pilot.press(*"5")
        await press(pilot, "f2")
        assert app.screen is dialog
        error = str(dialog.query_one("#answer-error", Label).content)
        assert error.startswith("Mutabıkız seçildi ama verilen bakiye")
        assert dialog.query_one("#answer-balance", Input).value == "5"
        await press(pilot, "escape")
        assert state_of(database, third) is LetterState.SENT

        # Two letters, one answered already: the dialog names it.
        await press(pilot, "home", "space", "space")
        assert screen.selected == {first, second}
        await press(pilot, "ctrl+a")
        dialog = app.screen
        assert isinstance(dialog, AnswerDialog)
        answered = str(dialog.query_one("#answer-answered", Static).content)
        assert answered == "Zaten yanıtlı (üzerine yazılacak): 120.001: Mutabık"
        # "Mutabık değiliz" with one balance for both: refused in the dialog, by name.
        await press(pilot, "down", "tab")
        await pilot.press(*"1000")
        await press(pilot, "f2")
        assert app.screen is dialog
        error = str(dialog.query_one("#answer-error", Label).content)
        assert error.startswith("Bakiye mektup başına girilir: 120.001, 120.002 için")
        balance = dialog.query_one("#answer-balance", Input)
        assert balance.value == "1000"
        assert [state_of(database, i) for i in (first, second)] == [
            LetterState.AGREED,
            LetterState.SENT,
        ]
        # The balance left empty, the same answer goes to both.
        balance.value = ""
        await press(pilot, "f2")
        assert isinstance(app.screen, TrackLettersScreen)
        assert [state_of(database, i) for i in (first, second, third)] == [
            LetterState.DISAGREED,
            LetterState.DISAGREED,
            LetterState.SENT,
        ]


async def test_ctrl_u_reads_the_mailbox_from_the_letter_list_and_details(
    app: MutabakatApp, database: Database, actor: Actor, settings: Settings
) -> None:
    _first, _second, third = await sent_batch(database, actor, settings)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f2", "enter")
        assert isinstance(app.screen, TrackLettersScreen)
        assert "Gönderildi" in row(app, third)
        inbox = Path(settings.data_dir) / "inbox" / "new"
        inbox.mkdir(parents=True, exist_ok=True)
        reply = plain_reply(original(database, third), "Mutabık değiliz, bakiye 12.345,67 TL.")
        (inbox / "1.eml").write_bytes(reply)
        await press(pilot, "ctrl+u")
        await wait_for(pilot, lambda: _told(app, "1 yeni yanıt") == 1)
        await wait_for(pilot, lambda: "Mutabık değil" in row(app, third))
        await press(pilot, "ctrl+u")
        await wait_for(pilot, lambda: _told(app, "Yeni ileti yok") == 1)
        await press(pilot, "enter")
        assert isinstance(app.screen, LetterDetailsScreen)
        await press(pilot, "ctrl+u")
        await wait_for(pilot, lambda: _told(app, "Yeni ileti yok") == 2)
