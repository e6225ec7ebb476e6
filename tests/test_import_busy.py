"""SQLite has one write lock, and an import holds it from its first row to its commit (one
file, one transaction). Another session that writes meanwhile is told, in Turkish, that an
import — whose, which file — keeps the database busy, and nothing of its action is stored;
it neither hangs nor crashes. Once the import is done the same write goes through."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select

from tests.import_files import ACCOUNT_HEADER, account_rows, write_csv_1254
from tests.pilot_keys import press, wait_for
from tests.test_track_screens import SIZE, sent_batch, state_of
from tui_mutabakat.app import make_app
from tui_mutabakat.config import Settings
from tui_mutabakat.data.import_models import ImportRun
from tui_mutabakat.data.models import Account
from tui_mutabakat.data.session import RUNNING, SQLITE_BUSY_TIMEOUT_MS, Database
from tui_mutabakat.domain.errors import DatabaseBusy
from tui_mutabakat.domain.states import LetterState
from tui_mutabakat.screens.tracking.track_letters import TrackLettersScreen
from tui_mutabakat.services.accounts.cards import AccountData, save_account
from tui_mutabakat.services.context import Actor
from tui_mutabakat.services.importing import ImportOptions, Kind, run_import
from tui_mutabakat.services.importing.history import past_imports
from tui_mutabakat.services.importing.run import CHUNK, locks_out_writers


def other_session(database: Database) -> Database:
    """A second user of the same SQLite file, waiting a short while for a lock."""
    other = Database.from_url(str(database.engine.url))

    @event.listens_for(other.engine, "connect")
    def _short_wait(connection: Any, _record: Any) -> None:
        connection.execute("PRAGMA busy_timeout=300")

    return other


def test_a_write_during_an_import_is_told_the_database_is_busy(
    database: Database, actor: Actor, tmp_path: Path
) -> None:
    assert locks_out_writers(database)
    rows = [[str(c) for c in row] for row in account_rows(CHUNK * 2)]
    path = write_csv_1254(tmp_path / "cari_listesi.csv", [ACCOUNT_HEADER, *rows])
    other = other_session(database)
    typed = AccountData(code="320.01.001", title="Elle Girilen Tedarikçi")
    seen: list[str] = []

    def meanwhile() -> bool:
        """After the first chunk: the import's transaction holds the write lock."""
        if not seen:
            with pytest.raises(DatabaseBusy) as busy:
                with other.unit_of_work() as session:
                    save_account(session, actor, typed)
            seen.append(str(busy.value))
            # Reading is not blocked (WAL): the other session sees the running import.
            with other.reader() as session:
                assert [p.outcome for p in past_imports(session)] == ["bitmedi"]
        return False

    try:
        summary = run_import(
            database, actor, ImportOptions(Kind.ACCOUNTS, path), cancelled=meanwhile
        )
        assert (summary.outcome, summary.added) == ("imported", CHUNK * 2)
        assert len(seen) == 1
        assert seen[0].startswith("Veritabanı şu an bir içe aktarma ile meşgul (tester: ")
        assert "cari_listesi.csv" in seen[0] and "kaydedilmedi" in seen[0]
        # Nothing of the refused write was stored; after the import it goes through.
        with other.unit_of_work() as session:
            save_account(session, actor, typed)
    finally:
        other.dispose()
    with database.reader() as session:
        assert session.scalar(select(func.count()).select_from(Account)) == CHUNK * 2 + 1
        outcomes = session.scalars(select(ImportRun.outcome)).all()
    assert outcomes == ["imported"]


def test_a_lock_held_by_something_else_says_so_without_naming_an_import(
    database: Database, actor: Actor
) -> None:
    other = other_session(database)
    try:
        with database.unit_of_work() as session:
            save_account(session, actor, AccountData(code="120.01.001", title="Birinci"))
            session.flush()  # this session now holds the write lock
            with pytest.raises(DatabaseBusy, match="başka bir oturumun işlemi ile meşgul"):
                with other.unit_of_work() as busy:
                    save_account(busy, actor, AccountData(code="120.01.002", title="İkinci"))
    finally:
        other.dispose()


def test_the_interface_is_told_at_once_instead_of_waiting_for_the_lock(
    database: Database, actor: Actor, tmp_path: Path
) -> None:
    """The interface's writes (`brief_wait_during_import`) wait a moment, not the full ten
    seconds, while an import holds the lock — and wait the usual time again afterwards."""
    rows = [[str(c) for c in row] for row in account_rows(CHUNK * 2)]
    path = write_csv_1254(tmp_path / "cari_listesi.csv", [ACCOUNT_HEADER, *rows])
    interface = Database.from_url(str(database.engine.url))
    interface.brief_wait_during_import = True
    waited: list[float] = []

    def meanwhile() -> bool:
        if not waited:
            started = time.monotonic()
            with pytest.raises(DatabaseBusy, match="içe aktarma ile meşgul"):
                with interface.unit_of_work() as session:
                    save_account(session, actor, AccountData(code="320.01.001", title="Elle"))
            waited.append(time.monotonic() - started)
        return False

    try:
        run_import(database, actor, ImportOptions(Kind.ACCOUNTS, path), cancelled=meanwhile)
        assert len(waited) == 1 and waited[0] < 5, waited  # the full wait is 10 s
        with interface.engine.connect() as conn:
            patience = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
        assert patience == SQLITE_BUSY_TIMEOUT_MS
        with interface.unit_of_work() as session:
            save_account(session, actor, AccountData(code="320.01.001", title="Elle"))
    finally:
        interface.dispose()


async def test_a_letter_action_while_an_import_holds_the_lock_is_told_not_fatal(
    database: Database, actor: Actor, settings: Settings
) -> None:
    """F8 (cancel) on the letter list while an import holds SQLite's lock: the user reads
    that the database is busy, the letter is unchanged, the application goes on."""
    ids = await sent_batch(database, actor, settings)
    app = make_app(settings, database)
    with database.unit_of_work() as session:
        session.add(
            ImportRun(
                user_login="ayse",
                kind="accounts",
                file_name="cari.xlsx",
                sha256="0" * 64,
                started_at=datetime.now(UTC),
                outcome=RUNNING,
            )
        )
    holder = sqlite3.connect(database.engine.url.database or "", isolation_level=None)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "f2", "enter")
            holder.execute("BEGIN IMMEDIATE")  # the import's transaction, as it were
            await press(pilot, "f8", "e")
            await wait_for(pilot, lambda: bool(app._notifications))
            said = [n.message for n in app._notifications]
            assert any("meşgul" in m and "cari.xlsx" in m for m in said), said
            assert isinstance(app.screen, TrackLettersScreen)
            holder.execute("ROLLBACK")
            await press(pilot, "f8", "e")
            assert state_of(database, ids[0]) is LetterState.CANCELLED
    finally:
        holder.close()
