"""The import screen driven by the keys: a file with a bad row is refused whole, the errors
file appears beside it, the valid rows go in on request, a column is remapped and the
mapping saved, and a long import stops on Esc leaving nothing."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from textual.binding import Binding
from textual.pilot import Pilot
from textual.widgets import DataTable, Label, Static

from tests.import_files import ACCOUNT_HEADER, account_rows, write_csv_1254, write_xlsx
from tests.pilot_keys import press, type_text, wait_for
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.data.models import Account, Contact
from tui_mutabakat.data.session import Database
from tui_mutabakat.screens.accounts import import_screen
from tui_mutabakat.screens.accounts.import_history import ImportHistoryScreen
from tui_mutabakat.screens.accounts.import_screen import ImportScreen
from tui_mutabakat.services.importing.fields import Kind
from tui_mutabakat.services.importing.mappings import load_mapping, mapping_names
from tui_mutabakat.services.importing.readers import file_digest


def count(database: Database, model: type) -> int:
    with database.reader() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture(autouse=True)
def _in_the_files_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The user works in the folder of the files and types their names, as at a shell
    (a relative path is taken from the working directory)."""
    monkeypatch.chdir(tmp_path)


async def tab_to(pilot: Pilot[None], widget_id: str) -> None:
    """Tab through the form until `widget_id` has the focus, as a user would."""
    for _ in range(20):
        focused = pilot.app.focused
        if focused is not None and focused.id == widget_id:
            return
        await press(pilot, "tab")
    raise AssertionError(f"Tab never reached {widget_id}")


def result_text(app: MutabakatApp) -> str:
    return str(app.screen.query_one("#import-result", Static).content)


async def test_import_from_the_keyboard(
    app: MutabakatApp, database: Database, tmp_path: Path
) -> None:
    rows = account_rows(5)
    rows[3][2] = "1234567899"  # row 5: wrong check digit
    path = write_xlsx(tmp_path / "cari.xlsx", [ACCOUNT_HEADER, *rows])
    async with app.run_test(size=(100, 32)) as pilot:
        await press(pilot, "f11")
        assert isinstance(app.screen, ImportScreen)
        screen = app.screen
        await type_text(pilot, path.name)
        await press(pilot, "enter")  # Enter in the path field: preview
        await wait_for(pilot, lambda: screen.shown is not None)
        table = screen.query_one("#import-preview", DataTable)
        assert table.row_count == 5
        assert "Cari Hesap Kodu" in str(table.columns["code"].label)
        await press(pilot, "f2")
        await wait_for(pilot, lambda: not screen.running)
        text = result_text(app)
        assert "reddedilen: 1" in text and "satır 5, sütun C (VKN)" in text
        assert "eklenecek: 4" in text and "(kaydedilmedi)" in text
        assert count(database, Account) == 0
        assert (tmp_path / "cari_hatalar.xlsx").exists()
        # "Import the valid rows": to the checkbox by Tab, Space ticks it.
        await tab_to(pilot, "f-valid_only")
        await press(pilot, "space")
        await press(pilot, "ctrl+s")
        await wait_for(pilot, lambda: not screen.running)
        assert "eklenen: 4" in result_text(app)
        assert count(database, Account) == 4

        # Contacts from a Windows-1254 CSV whose e-mail column no ERP word names.
        contacts = write_csv_1254(
            tmp_path / "yetkili.csv",
            [
                ["Cari Kodu", "Yetkili", "Elektronik Adres"],
                ["120.01.001", "Şule Işık", "sule@x.com.tr"],
            ],
        )
        await tab_to(pilot, "f-path")
        await press(pilot, "home", "shift+end", "backspace")
        await type_text(pilot, contacts.name)
        await tab_to(pilot, "f-kind")
        await press(pilot, "space", "down", "enter")  # Yetkililer (Enter moves on)
        assert screen.kind is Kind.CONTACTS
        await press(pilot, "ctrl+r")
        await wait_for(pilot, lambda: screen.shown is not None)
        assert screen.shown is not None
        assert dict((f.name, h) for f, h in screen.shown.columns)["email"] == ""
        await press(pilot, "f4")  # which field?
        await type_text(pilot, "")
        await press(pilot, "down", "down", "enter")  # code, name, email
        await type_text(pilot, "Elek")
        await press(pilot, "enter")
        await wait_for(pilot, lambda: screen.shown is not None)
        assert screen.shown is not None
        assert dict((f.name, h) for f, h in screen.shown.columns)["email"] == "Elektronik Adres"
        await press(pilot, "f3")
        await type_text(pilot, "elektronik")
        await press(pilot, "enter")
        await press(pilot, "f2")
        await wait_for(pilot, lambda: not screen.running)
        assert "eklenen: 1" in result_text(app)
        # Out the same way: the contacts to a new file typed in the path field (F6).
        out = tmp_path / "disari.csv"
        await tab_to(pilot, "f-path")
        await press(pilot, "home", "shift+end", "backspace")
        await type_text(pilot, out.name)
        await press(pilot, "f6")
        await wait_for(pilot, lambda: not screen.running)
        assert "1 satır yazıldı" in result_text(app)
        assert out.read_text(encoding="utf-8-sig").splitlines()[1].startswith("120.01.001;Şule")
    with database.reader() as session:
        assert session.scalars(select(Contact.email)).all() == ["sule@x.com.tr"]
        assert mapping_names(session, Kind.CONTACTS) == ["elektronik"]
        assert load_mapping(session, Kind.CONTACTS, "elektronik")["email"] == "Elektronik Adres"


async def test_esc_stops_a_long_import_and_leaves_nothing(
    app: MutabakatApp, database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = ["Cari Kodu;Ünvanı"] + [f"120.{n:06d};Müşteri {n}" for n in range(12_000)]
    path = tmp_path / "cari.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1254"))
    # The real import, held after its first chunk until Esc has been pressed: on a fast
    # machine it would otherwise finish before the key arrives.
    gate = threading.Event()
    real_import = import_screen.run_import

    def held(*args: Any, progress: Any, cancelled: Any) -> Any:
        def report(done: int, total: int) -> None:
            progress(done, total)
            gate.wait(30)

        return real_import(*args, progress=report, cancelled=cancelled)

    monkeypatch.setattr(import_screen, "run_import", held)
    async with app.run_test(size=(100, 32)) as pilot:
        await press(pilot, "ctrl+d")
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        await type_text(pilot, path.name)
        await press(pilot, "f2")
        assert screen.running
        await press(pilot, "escape")
        gate.set()
        await wait_for(pilot, lambda: not screen.running, tries=600)
        assert "durduruldu" in result_text(app)
        assert isinstance(app.screen, ImportScreen)  # Esc stopped; a second Esc leaves
        await press(pilot, "escape")
        assert not isinstance(app.screen, ImportScreen)
    assert count(database, Account) == 0


async def test_f8_lists_the_imports_done_so_far(
    app: MutabakatApp, database: Database, tmp_path: Path
) -> None:
    rows = account_rows(3)
    rows[1][2] = "1234567899"  # row 3: wrong check digit
    path = write_xlsx(tmp_path / "cari.xlsx", [ACCOUNT_HEADER, *rows])
    digest = file_digest(path)
    async with app.run_test(size=(120, 32)) as pilot:
        await press(pilot, "f11")
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        assert "import_history" in {b.id for b in screen.BINDINGS if isinstance(b, Binding)}
        await press(pilot, "f8")
        history = app.screen
        assert isinstance(history, ImportHistoryScreen)
        assert history.query_one(DataTable).row_count == 0
        assert "Henüz" in str(history.query_one("#import-history-title", Label).content)
        await press(pilot, "escape")
        assert app.screen is screen
        await type_text(pilot, path.name)
        await press(pilot, "f2")  # refused: one bad row
        await wait_for(pilot, lambda: not screen.running)
        await tab_to(pilot, "f-valid_only")
        await press(pilot, "space", "f2")  # the valid rows
        await wait_for(pilot, lambda: not screen.running)
        await press(pilot, "ctrl+y")
        history = app.screen
        assert isinstance(history, ImportHistoryScreen)
        table = history.query_one(DataTable)
        lines = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        assert [line[1:] for line in lines] == [
            ["Hesaplar", "alındı", "3", "2", "0", "0", "1", "cari.xlsx", "tester", digest[:12]],
            ["Hesaplar", "reddedildi", "3", "0", "0", "0", "1", "cari.xlsx", "tester", digest[:12]],
        ]
        await press(pilot, "f8")
        assert app.screen is screen


async def test_a_sheet_chosen_for_one_file_is_not_asked_of_the_next(
    app: MutabakatApp, tmp_path: Path
) -> None:
    first = write_xlsx(tmp_path / "cari.xlsx", [ACCOUNT_HEADER, *account_rows(2)], sheet="Liste")
    second = write_xlsx(tmp_path / "yeni.xlsx", [ACCOUNT_HEADER, *account_rows(3)], sheet="Cari")
    csv_file = write_csv_1254(
        tmp_path / "bakiye.csv", [ACCOUNT_HEADER, *([str(c) for c in r] for r in account_rows(1))]
    )
    async with app.run_test(size=(100, 32)) as pilot:
        await press(pilot, "f11")
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        for path, sheet, rows in (
            (first, "Liste", 2),
            (second, "Cari", 3),
            (csv_file, "bakiye", 1),
        ):
            await tab_to(pilot, "f-path")
            await press(pilot, "home", "shift+end", "backspace")
            await type_text(pilot, path.name)
            await press(pilot, "enter")
            await wait_for(pilot, lambda: screen.shown is not None)
            assert screen.shown is not None
            assert (screen.shown.sheet, len(screen.shown.rows)) == (sheet, rows)
            assert result_text(app).startswith(f"{sheet}: ")
