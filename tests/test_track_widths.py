"""Pilot tests of the tracking lists' widths: two batches of one title told apart at 80
columns by their number; at 120 columns the letter list's and the dashboard's names take the
free width instead of being cut."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from tests.letter_data import ROWS, add_letters
from tests.pilot_keys import press
from tests.test_dashboard import _batch
from tests.words_walk import screen_text
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.config import Settings
from tui_mutabakat.data.outbox_models import Letter
from tui_mutabakat.data.session import Database
from tui_mutabakat.screens.tracking.dashboard import DashboardScreen
from tui_mutabakat.screens.tracking.track_batches import TrackBatchesScreen
from tui_mutabakat.screens.tracking.track_letters import TrackLettersScreen
from tui_mutabakat.services.context import Actor

LONG = "Akın Medikal İth. İhr. San. ve Tic."


async def test_two_batches_of_one_title_differ_at_80_columns(
    app: MutabakatApp, database: Database
) -> None:
    title = "Cari hesap mutabakatı - 30.11.2026 - tüm müşteriler ve tedarikçiler"
    first = add_letters(database, title=title)
    second = add_letters(database, title=title)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f2")
        assert isinstance(app.screen, TrackBatchesScreen)
        lines = screen_text(app.export_screenshot()).splitlines()
        rows = [line for line in lines if "Cari hesap" in line]
        assert len(rows) >= 2, lines
        # The same title, date and counts: the rows differ (by the batch number first).
        assert len(set(rows)) == len(rows), rows
        assert any(line.lstrip().startswith(str(second)) for line in rows), rows
        assert any(line.lstrip().startswith(str(first)) for line in rows), rows


async def test_names_take_the_free_width_at_120_columns(
    app: MutabakatApp, database: Database
) -> None:
    add_letters(database, rows=(replace(ROWS[0], title=LONG), *ROWS[1:]))
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, "f2", "enter")
        assert isinstance(app.screen, TrackLettersScreen)
        text = screen_text(app.export_screenshot())
        assert LONG in text, [line for line in text.splitlines() if "120.00" in line]


async def test_the_dashboards_queue_shows_whole_names_at_120_columns(
    app: MutabakatApp, database: Database, actor: Actor, settings: Settings
) -> None:
    await _batch(database, actor, settings.data_dir, answer_by=dt.date(2030, 1, 31))
    with database.unit_of_work() as session:
        for letter in session.query(Letter):
            letter.account_title = f"{LONG} {letter.account_code}"
    async with app.run_test(size=(120, 40)) as pilot:
        await press(pilot, "f12")
        assert isinstance(app.screen, DashboardScreen)
        text = screen_text(app.export_screenshot())
        assert f"{LONG} 120.001" in text, text


def test_an_unclear_answer_counts_as_answered_as_on_the_dashboard() -> None:
    """Ctrl+U said "3 yeni yanıt" and the batch read 2/3: an answer not yet decided is an
    answer (found in the re-walk); the dashboard's response rate counts it the same."""
    import datetime as dt

    from tui_mutabakat.screens.tracking.batch_rows import BatchInfo, progress_bar
    from tui_mutabakat.services.tracking.dashboard import response_rate

    counts = {"agreed": 1, "disagreed": 1, "unclear": 1}
    info = BatchInfo(
        1,
        "t",
        dt.date(2026, 11, 30),
        dt.date(2026, 12, 30),
        "s",
        dt.datetime(2026, 12, 1, tzinfo=dt.UTC),
        counts,
    )
    assert (info.answered, info.live) == (3, 3)
    assert progress_bar(counts, 5) == "█████"
    assert response_rate(counts) == 100
