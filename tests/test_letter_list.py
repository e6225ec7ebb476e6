"""The letter list of a batch (issue 16 point 4): filtered by state, searched by account code
or title with Turkish folding, sorted by any column, counted and read a page at a time — on
SQLite and PostgreSQL — and the same from the keys."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import insert
from textual.widgets import OptionList, Static

from tests.letter_data import ROWS, SENT_AT, add_letters
from tests.pilot_keys import press, type_text, wait_for
from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tui_mutabakat.app import MutabakatApp
from tui_mutabakat.config import Settings, sqlite_url
from tui_mutabakat.data import migrate
from tui_mutabakat.data.outbox_models import Letter
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.screens.tracking.letter_rows import StatePicker
from tui_mutabakat.screens.tracking.track_batches import TrackBatchesScreen
from tui_mutabakat.screens.tracking.track_letters import TrackLettersScreen
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.sending.compose import SendOptions
from tui_mutabakat.services.tracking.letter_list import (
    LetterFilter,
    LetterSort,
    count_letters,
    in_doubt_letters,
    letter_page,
    matching,
    position_of,
    state_counts,
)
from tui_mutabakat.widgets.paged_table import PagedTable

CODES = [row.code for row in ROWS]


def codes(database: Database, flt: LetterFilter, offset: int = 0, limit: int = 100) -> list[str]:
    with database.reader() as session:
        return [row.account_code for row in letter_page(session, flt, offset, limit)]


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("iptal", ["120.002", "120.007"]),
        ("İPTAL", ["120.002", "120.007"]),
        ("IPTAL", ["120.002", "120.007"]),
        ("i\u0307ptal", ["120.002", "120.007"]),  # "İ".lower(): an i and a combining dot
        ("ışık", ["120.003"]),
        ("ISIK", ["120.003"]),
        ("cinar", ["120.004"]),
        ("ÇINAR AMB", ["120.004"]),
        ("120.00", CODES[:7]),
        ("320", ["320.001"]),
        ("%", []),
        ("_", []),
        ("zzz", []),
    ],
)
def test_search_by_code_or_title_folds_turkish_letters(
    any_database: Database, typed: str, found: list[str]
) -> None:
    batch = add_letters(any_database)
    flt = LetterFilter(batch, search=typed)
    assert codes(any_database, flt) == found
    with any_database.reader() as session:
        assert count_letters(session, flt) == len(found)


def test_filters_by_state_and_by_a_delivery_in_doubt(any_database: Database) -> None:
    batch = add_letters(any_database)
    add_letters(any_database, title="Another batch")  # never mixed in
    only = LetterFilter(batch, states=frozenset({LetterState.DISAGREED}))
    assert codes(any_database, only) == ["120.003"]
    waiting = LetterFilter(batch, states=frozenset({LetterState.SENT, LetterState.NO_ANSWER}))
    assert codes(any_database, waiting) == ["120.006", "120.007", "320.001"]
    assert codes(any_database, LetterFilter(batch, in_doubt=True)) == ["120.006"]
    both = LetterFilter(batch, states=waiting.states, search="iptal")
    assert codes(any_database, both) == ["120.007"]
    with any_database.reader() as session:
        counts = state_counts(session, batch)
        assert counts[LetterState.SENT] == 2 and counts[LetterState.CANCELLED] == 1
        assert sum(counts.values()) == len(ROWS)
        assert in_doubt_letters(session, batch) == 1
        assert count_letters(session, LetterFilter(batch)) == len(ROWS)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (LetterSort.CODE, CODES),
        # By currency, then the signed balance: credits (A) before debits (B); ties by id.
        (
            LetterSort.BALANCE,
            ["120.007", "320.001", "120.003", "120.004", "120.001", "120.002", "120.005"]
            + ["120.006"],
        ),
        # The work left first: unclear, not agreed, bounced, no answer, sent, agreed, cancelled.
        (
            LetterSort.STATE,
            ["120.004", "120.003", "120.005", "120.007", "120.006", "320.001", "120.001"]
            + ["120.002"],
        ),
        (
            LetterSort.LAST,
            ["120.006", "320.001", "120.007", "120.005", "120.002", "120.004", "120.003"]
            + ["120.001"],
        ),
    ],
)
def test_sorts_by_any_column_both_ways(
    any_database: Database, sort: LetterSort, expected: list[str]
) -> None:
    batch = add_letters(any_database)
    assert codes(any_database, LetterFilter(batch, sort=sort)) == expected
    assert codes(any_database, LetterFilter(batch, sort=sort, descending=True)) == expected[::-1]


def test_title_sort_and_pages_agree_with_the_whole_list(any_database: Database) -> None:
    batch = add_letters(any_database)
    for descending in (False, True):
        flt = LetterFilter(batch, sort=LetterSort.TITLE, descending=descending)
        whole = codes(any_database, flt)
        titles = {row.code: row.title for row in ROWS}
        ascii_first = [c for c in whole if titles[c][0] in "ABDE"]
        # Letters beyond ASCII sort by the database's collation; plain ones alphabetically.
        plain = ["120.001", "120.007", "320.001", "120.005"]
        assert ascii_first == (plain[::-1] if descending else plain)
        # Page after page gives the same list, and each letter's position is its index.
        paged = [code for start in range(0, 8, 3) for code in codes(any_database, flt, start, 3)]
        assert paged == whole
        with any_database.reader() as session:
            ids = {row.account_code: row.id for row in letter_page(session, flt, 0, 100)}
            for index, code in enumerate(whole):
                assert position_of(session, flt, ids[code]) == index
            only = LetterFilter(batch, states=frozenset({LetterState.SENT}))
            assert matching(session, only, ids.values()) == {ids["120.006"], ids["320.001"]}
            assert position_of(session, only, ids["120.001"]) is None


def test_a_page_carries_every_balance_and_the_flags(database: Database) -> None:
    batch = add_letters(database)
    with database.reader() as session:
        rows = {r.account_code: r for r in letter_page(session, LetterFilter(batch), 0, 100)}
    zeytin = rows["120.006"]
    assert [(f.currency, f.balance) for f in zeytin.figures] == [
        ("TRY", Decimal("12000.00")),
        ("USD", Decimal("-3000.00")),
    ]
    assert zeytin.in_doubt == 1 and not zeytin.foreign
    assert rows["120.003"].state is LetterState.DISAGREED
    assert rows["120.003"].state_at is not None


def _bulk_batch(database: Database, letters: int) -> int:
    """A batch of `letters` letters by one bulk INSERT (no balance rows: the letter's own)."""
    batch = add_letters(database, rows=(), title="Büyük gönderim")
    now = SENT_AT
    with database.engine.begin() as conn:
        conn.execute(
            insert(Letter),
            [
                {
                    "batch_id": batch,
                    "account_code": f"120.{n:05d}",
                    "account_title": f"Firma {n}",
                    "currency": "TRY",
                    "debit_total": Decimal(n),
                    "credit_total": Decimal("0"),
                    "balance": Decimal(n),
                    "side": "B",
                    "token": f"big{n}",
                    "message_id": f"<big{n}@ornek.com.tr>",
                    "subject": "Mutabakat",
                    "state": LetterState.SENT,
                    "state_at": now + dt.timedelta(seconds=n),
                    "created_at": now,
                }
                for n in range(letters)
            ],
        )
    return batch


async def test_a_big_batch_is_read_a_page_at_a_time(app: MutabakatApp, database: Database) -> None:
    """3 000 letters: opening reads one page, End reads the last one, not everything."""
    _bulk_batch(database, 3000)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f2", "enter")
        screen = app.screen
        assert isinstance(screen, TrackLettersScreen)
        table = screen.query_one(PagedTable)
        assert table.row_count == 3000
        assert table.page_fetches == 1
        await press(pilot, "end")
        last = table.row_at(table.cursor_row)
        assert last is not None and last.cells[1] == "120.02999"
        assert table.page_fetches == 2
        await press(pilot, "home")
        first = table.row_at(table.cursor_row)
        assert table.cursor_row == 0 and first is not None and first.cells[1] == "120.00000"


def _shown(screen: TrackLettersScreen) -> list[str]:
    table = screen.query_one(PagedTable)
    return [row.cells[1] for row in map(table.row_at, range(table.row_count)) if row]


def _status(screen: TrackLettersScreen) -> str:
    return str(screen.query_one("#letters-hint", Static).content)


async def test_filter_search_and_sort_from_the_keys(app: MutabakatApp, database: Database) -> None:
    """Pilot, 80×24: a key per state (again: all), F10 for any state, typing searches, Esc
    clears, Ctrl+S / Ctrl+V sort, Home/End, and ticks the filter hides are dropped."""
    add_letters(database)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f2")
        assert isinstance(app.screen, TrackBatchesScreen)
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, TrackLettersScreen)
        assert _shown(screen) == CODES
        # A key per common state; the same key again shows every letter.
        await press(pilot, "f7")
        assert _shown(screen) == ["120.003"]
        assert "Süzgeç: Mutabık değil" in _status(screen)
        await press(pilot, "f7")
        assert _shown(screen) == CODES and "Süzgeç" not in _status(screen)
        await press(pilot, "f2")  # waiting for an answer: sent or past the date
        assert _shown(screen) == ["120.006", "120.007", "320.001"]
        await press(pilot, "ctrl+b")  # the in-doubt filter is one of them (F6's twin)
        assert _shown(screen) == ["120.006"]
        assert "Süzgeç: Teslimi belirsiz" in _status(screen)
        # F10: any state, each with its count.
        await press(pilot, "f10")
        picker = app.screen
        assert isinstance(picker, StatePicker)
        options = picker.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert "Tümü (8) — süzgeci kaldır" in labels[0]
        assert any(label.startswith("İptal edildi (1)") for label in labels)
        options.highlighted = options.get_option_index("cancelled")
        await press(pilot, "enter")
        assert app.screen is screen and _shown(screen) == ["120.002"]
        # Esc clears the filter first, and only then leaves.
        await press(pilot, "escape")
        assert app.screen is screen and _shown(screen) == CODES
        # Typing on the list searches: Turkish letters and case do not matter.
        await type_text(pilot, "iptal")
        await wait_for(pilot, lambda: _shown(screen) == ["120.002", "120.007"])
        assert "Ara: iptal" in _status(screen)
        await press(pilot, "enter")  # back to the list, the search kept
        assert isinstance(app.focused, PagedTable)
        await press(pilot, "f11")  # search and state filter together: nothing unclear here
        assert _shown(screen) == []
        await press(pilot, "escape")
        assert _shown(screen) == CODES and screen.search.value == ""
        # Sorting: Ctrl+S walks the columns, Ctrl+V turns the direction; the header says so.
        await press(pilot, "ctrl+s", "ctrl+s")  # code → title → balance
        table = screen.query_one(PagedTable)
        assert table.columns[3].title.endswith("▲")
        assert _shown(screen)[:3] == ["120.007", "320.001", "120.003"]
        await press(pilot, "ctrl+v")
        assert table.columns[3].title.endswith("▼")
        assert _shown(screen)[:2] == ["120.006", "120.005"]
        await press(pilot, "ctrl+s")  # state
        assert _shown(screen)[0] == "120.004" and "Sıra: Durum ▲" in _status(screen)
        await press(pilot, "end")
        assert table.cursor_row == len(CODES) - 1
        await press(pilot, "home")
        assert table.cursor_row == 0
        # A tick survives sorting, but not a filter that hides its letter.
        await press(pilot, "space")
        assert len(screen.selected) == 1 and "1 mektup seçili" in _status(screen)
        await press(pilot, "ctrl+s")
        assert len(screen.selected) == 1
        await press(pilot, "f3")  # only agreed: the unclear letter ticked is hidden
        assert _shown(screen) == ["120.001"] and screen.selected == set()
        await press(pilot, "escape", "escape")
        assert isinstance(app.screen, TrackBatchesScreen)


def _filler(column: sa.Column[object]) -> object:
    """A value for a NOT NULL column of a reflected table."""
    kind = column.type.python_type if hasattr(column.type, "python_type") else str
    values: dict[type, object] = {
        bool: False,
        int: 0,
        Decimal: 0,
        dt.date: dt.date(2026, 12, 31),
        dt.datetime: SENT_AT,
        str: "x",
        bytes: b"",
    }
    return values.get(kind, "x")


def test_migration_folds_the_titles_of_letters_written_before_it(tmp_path: Path) -> None:
    """0007l_letter_list fills `title_folded` of the letters already stored."""
    database = Database.from_url(sqlite_url(tmp_path / "old.sqlite3"))
    migrate.upgrade(database.engine, "0006n_seed_rules")
    meta = sa.MetaData()
    meta.reflect(database.engine, only=["reconciliation_batch", "letter"])
    given = {
        "reconciliation_batch": {"title": "Eski", "state": "done"},
        "letter": {"account_title": "İPTAL Işık Çınar", "account_code": "120.9", "state": "sent"},
    }
    with database.engine.begin() as conn:
        ids = {}
        for name in ("reconciliation_batch", "letter"):
            table = meta.tables[name]
            row = {
                c.name: given[name].get(c.name, _filler(c))
                for c in table.columns
                if not c.nullable and c.server_default is None and not c.primary_key
            }
            if name == "letter":
                row["batch_id"] = ids["reconciliation_batch"]
            ids[name] = conn.execute(table.insert().values(row)).inserted_primary_key[0]
    migrate.upgrade(database.engine)
    batch = int(ids["reconciliation_batch"])
    assert codes(database, LetterFilter(batch, search="iptal isik")) == ["120.9"]
    database.dispose()


async def test_letters_written_by_a_send_are_found_by_their_folded_title(
    database: Database, actor: Actor, settings: Settings
) -> None:
    """The bulk writer of a send fills the folded title too (a column default, per row)."""
    with database.unit_of_work() as session:
        add_company(session)
        configure_sender(session, actor.login)
        keys = []
        for n, title in enumerate(("İPTAL YAPI", "Işıklar Ltd", "Düz Firma"), start=1):
            account = add_account(session, f"120.00{n}", title, emails=(f"m{n}@x.com.tr",))
            add_movement(session, account, dt.date(2026, 3, 1), debit="1000")
            keys.append((account.id, "TRY"))
    created = write_batch(
        database, actor, dt.date(2026, 12, 31), keys, SendOptions(answer_by=dt.date(2027, 1, 31))
    )
    assert created.batch_id is not None
    batch = created.batch_id
    assert codes(database, LetterFilter(batch, search="iptal")) == ["120.001"]
    assert codes(database, LetterFilter(batch, search="ISIKLAR")) == ["120.002"]
    assert codes(database, LetterFilter(batch, search="düz")) == ["120.003"]


async def test_the_list_is_saved_as_shown(
    app: MutabakatApp, database: Database, settings: Settings
) -> None:
    """Ctrl+X with a filter and a sort: the CSV holds the letters shown, in their order (a
    letter of two currencies a line each)."""
    add_letters(database)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f2", "enter", "f2", "ctrl+s", "ctrl+s", "ctrl+x")
        assert any("yalnız listede görünen" in n.message for n in app._notifications)
    [saved] = list((Path(settings.data_dir) / "exports").glob("*.csv"))
    lines = saved.read_text(encoding="utf-8-sig").splitlines()
    # Waiting for an answer, by balance: EUR first, then TRY from the largest credit.
    assert [line.split(";")[0] for line in lines[1:]] == [
        "120.007",
        "320.001",
        "120.006",
        "120.006",
    ]
    assert lines[3].split(";")[2:5] == ["TL", "12.000,00", "borç"]  # TL, as on the screens
