"""The dashboard of the work left (issue 16 point 3, SPEC F2): bars per batch, the response
rate, and a work queue walked with the keys."""

from __future__ import annotations

import asyncio
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update
from textual.pilot import Pilot
from textual.widgets import DataTable, Label, Static

from tests.mail_samples import Original, plain_reply
from tests.pilot_keys import press
from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.config import Settings
from tui_mutabakat.data.outbox_models import Letter, Recipient
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.dates import local_today
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.screens.tracking.dashboard import DashboardScreen, stacked_bar
from tui_mutabakat.screens.tracking.track_answer import AnswerDialog
from tui_mutabakat.screens.tracking.track_details import LetterDetailsScreen
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.sending.worker import send_batch
from tui_mutabakat.services.tracking.dashboard import (
    WorkKind,
    batch_bars,
    response_rate,
    work_queue,
)
from tui_mutabakat.services.tracking.intake import process_message
from tui_mutabakat.services.tracking.letter_actions import reminder_batches
from tui_mutabakat.services.tracking.reminders import send_reminders
from tui_mutabakat.services.tracking.tracking import letter_details

AS_OF = dt.date(2026, 11, 30)
TODAY = local_today()


async def _batch(
    database: Database, actor: Actor, data_dir: Path, answer_by: dt.date | None = None
) -> list[int]:
    """Four letters sent; the first answered unclearly, the second 'not agreed', the third
    with a delivery in doubt; the fourth waits."""
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, actor.login)
        keys = []
        for n, title in enumerate(("Çınar", "Dağ", "Ege", "Fırat"), start=1):
            account = add_account(session, f"120.00{n}", title, emails=(f"m{n}@x.com.tr",))
            add_movement(session, account, dt.date(2026, 10, 1), debit="1000")
            keys.append((account.id, "TRY"))
        session.flush()
        options = SendOptions(answer_by=answer_by or TODAY + dt.timedelta(days=10))
    created = write_batch(database, actor, AS_OF, keys, options)
    assert created.batch_id is not None
    url = database.engine.url.render_as_string(hide_password=False)
    await send_batch(
        database,
        Settings(data_dir=data_dir, database_url=url, mail_backend="file"),
        created.batch_id,
    )
    with database.reader() as session:
        letters = list(session.scalars(select(Letter).order_by(Letter.id)))
        texts = (
            "Merhaba, muhasebeye ilettik; dönüş yapacağız.",
            "Mutabık değiliz, 900,00 TL borç.",
        )
        replies = []
        for n, (letter, text) in enumerate(zip(letters, texts, strict=False), start=1):
            original = Original(
                letter.subject, letter.message_id, letter.token, "s@x.tr", f"m{n}@x.com.tr"
            )
            replies.append(plain_reply(original, text))
        ids = [letter.id for letter in letters]
    with database.unit_of_work() as session:
        for reply in replies:
            process_message(session, reply)
        session.execute(
            update(Recipient).where(Recipient.letter_id == ids[2]).values(in_doubt=True)
        )
    return ids


async def test_the_queue_lists_what_waits_for_a_person(
    any_database: Database, any_actor: Actor, tmp_path: Path
) -> None:
    ids = await _batch(any_database, any_actor, tmp_path)
    with any_database.reader() as session:
        items = work_queue(session, TODAY)
        assert [(i.letter_id, i.kind) for i in items] == [
            (ids[0], WorkKind.UNCLEAR),
            (ids[1], WorkKind.DISAGREED),
            (ids[2], WorkKind.IN_DOUBT),
        ]
        later = work_queue(session, TODAY + dt.timedelta(days=11))
        assert (ids[3], WorkKind.OVERDUE) in [(i.letter_id, i.kind) for i in later]
        [bar] = batch_bars(session)
    assert bar.counts["unclear"] == 1 and bar.counts["disagreed"] == 1 and bar.counts["sent"] == 2
    assert bar.response_rate == Decimal("50.0")


async def test_a_reminder_is_not_a_letter_of_its_own(
    any_database: Database, any_actor: Actor, tmp_path: Path
) -> None:
    """A reminder is written as an outbox letter in a batch of its own; the dashboard counts
    the reminded letter once, in its own batch, and the reminder stays in its history."""
    database = any_database
    ids = await _batch(database, any_actor, tmp_path)
    with database.unit_of_work() as session:
        assert send_reminders(session, any_actor, [ids[3]], TODAY) == [ids[3]]
        [reminder_batch] = reminder_batches(session, [ids[3]], TODAY)
    url = database.engine.url.render_as_string(hide_password=False)
    await send_batch(
        database,
        Settings(data_dir=tmp_path, database_url=url, mail_backend="file"),
        reminder_batch,
    )
    with database.reader() as session:
        [bar] = batch_bars(session)
        assert bar.total == 4 and bar.counts["sent"] == 2
        later = work_queue(session, TODAY + dt.timedelta(days=11))
        overdue = [i.code for i in later if i.kind == WorkKind.OVERDUE]
        assert sorted(overdue) == ["120.003", "120.004"]  # each once
        details = letter_details(session, ids[3])
        assert [r.day for r in details.reminders] == [TODAY]
        assert any("Hatırlatma" in line.reason for line in details.history)


def test_response_rate_and_bars() -> None:
    assert response_rate({"sent": 3, "agreed": 1, "failed": 5}) == Decimal("25.0")
    assert response_rate({"queued": 2}) == Decimal("0.0")
    bar = stacked_bar({"agreed": 1, "sent": 2}, width=30)
    assert bar.plain == "█" * 30
    assert stacked_bar({}, width=5).plain == "·····"


async def test_walking_the_queue_with_the_keys(
    app: MutabakatApp, database: Database, actor: Actor, settings: Settings
) -> None:
    """Pilot, 80×24: F11 opens the dashboard from the main menu; Enter on the unclear
    answer opens the letter; Ctrl+A decides it; back on the dashboard the queue shrank."""
    ids = await _batch(database, actor, settings.data_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f12")
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        table = screen.query_one(DataTable)
        assert table.row_count == 3
        title = str(screen.query_one("#dash-queue-title", Label).content)
        assert "İş kuyruğu: 3 mektup" in title and "Belirsiz yanıt 1" in title
        assert "yanıt %50,0" in str(screen.query_one("#dash-bars", Static).content)
        # The hint follows the row: no resend offered for a disagreement.
        hint = screen.query_one("#dash-queue-hint", Label)
        assert "karara bağlayın" in str(hint.content)
        await press(pilot, "down")
        assert "Mutabık değil" in str(table.get_row_at(1)[0])
        assert "F4" not in str(hint.content) and "farkı inceleyin" in str(hint.content)
        await press(pilot, "up")
        await press(pilot, "enter")
        assert isinstance(app.screen, LetterDetailsScreen)
        assert app.screen.letter_id == ids[0]
        await press(pilot, "ctrl+a")
        assert isinstance(app.screen, AnswerDialog)
        await press(pilot, "down", "f2")  # an unclear answer: none chosen; Down: "Mutabıkız"
        assert isinstance(app.screen, LetterDetailsScreen)
        await press(pilot, "escape")
        assert app.screen is screen
        assert table.row_count == 2
        assert "İş kuyruğu: 2 mektup" in str(screen.query_one("#dash-queue-title", Label).content)
    with database.reader() as session:
        letter = session.get(Letter, ids[0])
        assert letter is not None and letter.state is LetterState.AGREED


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
def test_dashboard_snapshot(
    snap_compare: Any,
    app: MutabakatApp,
    database: Database,
    actor: Actor,
    settings: Settings,
    size: tuple[int, int],
) -> None:
    """The dashboard at 80×24 and 120×40 (an answer-by date far ahead keeps the picture
    the same whatever day the test runs; today's answers are the chart's last column)."""
    asyncio.run(_batch(database, actor, settings.data_dir, answer_by=dt.date(2030, 1, 31)))

    async def open_dashboard(pilot: Pilot[None]) -> None:
        await pilot.press("f12")
        await pilot.app.workers.wait_for_complete()
        for _ in range(3):
            await pilot.pause(0.05)

    assert snap_compare(app, terminal_size=size, run_before=open_dashboard)
