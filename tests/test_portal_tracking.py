"""Answers given on the page, seen from the keyboard (issue 15 point 5): the batch counts,
the letter list and the details of "Gönderilmiş e-Mutabakatlar" at 80×24."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from starlette.testclient import TestClient
from textual.widgets import Input, Static

from tests.pilot_keys import press, type_text
from tests.portal_data import link_token, portal_on, sent_letters
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.session import Database
from tui_mutabakat.portal.app import make_portal
from tui_mutabakat.screens.dialogs.action_menu import ActionMenu
from tui_mutabakat.screens.dialogs.text_prompt import TextPrompt
from tui_mutabakat.screens.tracking.track_batches import TrackBatchesScreen
from tui_mutabakat.screens.tracking.track_details import LetterDetailsScreen
from tui_mutabakat.screens.tracking.track_letters import TrackLettersScreen
from tui_mutabakat.services.context import Actor
from tui_mutabakat.widgets.paged_table import PagedTable

PDF = b"%PDF-1.4\n%%EOF\n"
CSV = b"Tarih;Belge;Tutar\n01.10.2026;F-118;11.500,00\n"


def _answer(client: TestClient, token: str, fields: dict[str, str], files: list[object]) -> None:
    page = client.get(f"/m/{token}").text
    found = re.search(r'name="form_token" value="([^"]+)"', page)
    assert found is not None
    response = client.post(
        f"/m/{token}", data=fields | {"form_token": found.group(1)}, files=files or None
    )
    assert response.status_code == 303, response.text


async def test_page_answers_are_seen_in_tracking_from_the_keys(
    app: MutabakatApp, database: Database, actor: Actor, tmp_path: Path
) -> None:
    links = portal_on(database, tmp_path)
    [alfa, beta] = await sent_letters(database, actor, tmp_path)
    portal = make_portal(database, links, tmp_path, today=lambda: dt.date(2026, 12, 5))
    client = TestClient(portal, follow_redirects=False)
    _answer(
        client,
        link_token(database, beta.id),
        {"choice": "agreed", "name": "Mehmet Kaya", "email": "muhasebe@beta.com.tr"},
        [],
    )
    _answer(
        client,
        link_token(database, alfa.id),
        {
            "choice": "disagreed",
            "amount_TRY": "11.500,00",
            "side_TRY": "B",
            "name": "Ayşe Demir",
            "email": "mali@alfa.com.tr",
        },
        [
            ("files", ("mutabakat.pdf", PDF, "application/pdf")),
            ("files", ("../../ekstre bizim.csv", CSV, "text/csv")),
        ],
    )
    async with app.run_test(size=(80, 24)) as pilot:
        # the main menu counts the page's answers like e-mailed ones
        status = str(app.screen.query_one("#main-status", Static).content)
        assert "Görülmemiş yanıt: 2" in status
        await press(pilot, "f2")
        assert isinstance(app.screen, TrackBatchesScreen)
        batches = app.screen
        batch = batches.query_one(PagedTable).cursor_id
        assert batch is not None
        assert (batches.cell(batch, "agreed"), batches.cell(batch, "disagreed")) == ("1", "1")
        await press(pilot, "enter")
        assert isinstance(app.screen, TrackLettersScreen)
        table = app.screen.query_one(PagedTable)
        rows = {r.key: r for r in map(table.row_at, range(table.row_count)) if r is not None}
        assert "Mutabık değil" in rows[alfa.id].cells
        assert "Mutabık" in rows[beta.id].cells
        table.move_cursor(next(i for i, key in enumerate(rows) if key == alfa.id))
        await press(pilot, "enter")
        assert isinstance(app.screen, LetterDetailsScreen)
        text = str(app.screen.query_one("#letter-details", Static).content)
        assert "yanıt sayfası" in text and "Ayşe Demir <mali@alfa.com.tr>" in text
        assert "11.500,00" in text and "-500,00" in text and "mutabakat.pdf" in text
        # F9 → the last entry saves an attached file to a folder: two here, so which one
        folder = tmp_path / "kayit"
        await press(pilot, "f9")
        assert isinstance(app.screen, ActionMenu)
        await press(pilot, "end", "enter")
        assert isinstance(app.screen, ActionMenu)  # which file
        await press(pilot, "down", "enter")
        assert isinstance(app.screen, TextPrompt)
        assert app.screen.query_one(Input).value == str(tmp_path / "yanit-ekleri")
        await press(pilot, "ctrl+u")
        await type_text(pilot, str(folder))
        await press(pilot, "enter")
        assert isinstance(app.screen, LetterDetailsScreen)
        assert (folder / "ekstre_bizim.csv").read_bytes() == CSV
        # the same from the letter list, on the row; saved again: a new name, nothing lost
        await press(pilot, "escape")
        assert isinstance(app.screen, TrackLettersScreen)
        await press(pilot, "f9", "end", "enter")
        await press(pilot, "enter")  # the first file
        assert isinstance(app.screen, TextPrompt)
        await press(pilot, "ctrl+u")
        await type_text(pilot, str(folder))
        await press(pilot, "enter", "f9", "end", "enter", "enter", "ctrl+u")
        await type_text(pilot, str(folder))
        await press(pilot, "enter")
        assert isinstance(app.screen, TrackLettersScreen)
    assert sorted(p.name for p in folder.iterdir()) == [
        "ekstre_bizim.csv",
        "mutabakat-2.pdf",
        "mutabakat.pdf",
    ]
    assert (folder / "mutabakat-2.pdf").read_bytes() == PDF
