"""Pictures of the batch list and the letter list at 80×24 and 120×40 (issue 16 point 4),
compared with the stored SVGs. The times shown are fixed (`tests/letter_data.py`) and read
in Istanbul's time zone, whatever the machine's.

Update them on purpose with `pytest tests/test_letter_list_snapshots.py --snapshot-update`
and look at `snapshot_report.html` before committing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static

from tests.letter_data import add_letters
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.config import Settings
from tui_mutabakat.data.session import Database

SIZES = [(80, 24), (120, 40)]


@pytest.fixture(autouse=True)
def istanbul_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Europe/Istanbul")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


async def _settle(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    for _ in range(3):
        await pilot.pause(0.05)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_batch_list_snapshot(
    snap_compare: Any,
    app: MutabakatApp,
    database: Database,
    settings: Settings,
    size: tuple[int, int],
) -> None:
    add_letters(database)

    async def open_batches(pilot: Pilot[None]) -> None:
        await pilot.press("f2")
        await _settle(pilot)
        # The folder read is the test's temporary directory: named the same in every run.
        place = pilot.app.screen.query_one("#track-mailbox-place", Static)
        place.update(str(place.content).replace(str(settings.data_dir), "/veri"))
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=open_batches)


@pytest.mark.parametrize("size", SIZES)
def test_letter_list_snapshot(
    snap_compare: Any, app: MutabakatApp, database: Database, size: tuple[int, int]
) -> None:
    """The letters sorted by state (the work left first), the cursor on the letter with
    two currencies and a delivery in doubt, whose status line says so in full."""
    add_letters(database)

    async def open_letters(pilot: Pilot[None]) -> None:
        await pilot.press("f2")
        await _settle(pilot)
        await pilot.press("enter")
        await _settle(pilot)
        await pilot.press("ctrl+s", "ctrl+s", "ctrl+s", "home", "down", "down", "down", "down")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_letters)
