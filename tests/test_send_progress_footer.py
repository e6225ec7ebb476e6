"""Pilot test at 80×24: the send progress screen's footer names Esc (stop while sending,
close once done), never "^c"; Ctrl+C still works, unshown."""

from __future__ import annotations

from textual.widgets._footer import FooterKey

from tests.pilot_keys import press, wait_for
from tests.send_data import accounts_to_send, write_batch
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.config import Settings
from tui_mutabakat.data.session import Database
from tui_mutabakat.screens.sending.send_criteria import default_as_of
from tui_mutabakat.screens.sending.send_progress import SendProgressScreen
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.compose import SendOptions


def _footer(screen: SendProgressScreen) -> list[tuple[str, str]]:
    return [(key.key_display, key.description) for key in screen.query(FooterKey)]


async def test_the_footer_names_esc_and_ctrl_c_still_closes(
    app: MutabakatApp, database: Database, settings: Settings, actor: Actor
) -> None:
    keys = accounts_to_send(database, actor, 2)
    created = write_batch(database, actor, default_as_of(), keys, SendOptions())
    assert created.batch_id is not None
    async with app.run_test(size=(80, 24)) as pilot:
        screen = SendProgressScreen(batch_id=created.batch_id, letters=created.letters)
        await app.push_screen(screen)
        await wait_for(pilot, lambda: not screen.running)
        await pilot.pause()
        shown = _footer(screen)
        assert ("esc", "Kapat") in shown, shown
        assert not any("c" == display.lower().removeprefix("^") for display, _d in shown)
        await press(pilot, "ctrl+c")
        assert app.screen is not screen
