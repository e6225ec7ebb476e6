"""Two worker processes on one PostgreSQL database: `FOR UPDATE SKIP LOCKED` claims give
each letter to one worker only, and the server receives each letter exactly once."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.smtp_server import running_server
from tests.test_send_worker import make_batch, worker
from tui_mutabakat.data.outbox_models import Letter, LetterEvent
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.states import LetterState


@pytest.fixture
def postgres(request: pytest.FixtureRequest) -> Database:
    try:
        database: Database = request.getfixturevalue("pg_database")
    except pytest.FixtureLookupError:
        pytest.skip("needs the pg_database fixture (PostgreSQL) from tests/conftest.py")
    return database


@pytest.mark.postgres
def test_two_workers_send_each_letter_exactly_once(postgres: Database, tmp_path: Path) -> None:
    letters = 600
    url = postgres.engine.url.render_as_string(hide_password=False)
    with running_server() as (server, port):
        database = make_batch(url, port, letters)
        first, second = worker(url, tmp_path), worker(url, tmp_path)
        for process in (first, second):
            _out, err = process.communicate(timeout=180)
            assert process.returncode == 0, err.decode()
        counts = server.by_message_id()
    with database.reader() as session:
        ids = set(session.scalars(select(Letter.message_id)))
        states = Counter(session.scalars(select(Letter.state)))
        # Who claimed each letter: the sender run's actor ("worker@host:pid").
        claimers = Counter(
            session.scalars(select(LetterEvent.actor).where(LetterEvent.to_state == "sending"))
        )
    database.dispose()
    assert set(counts) == ids
    assert set(counts.values()) == {1}
    assert states == {LetterState.SENT: letters}
    assert sum(claimers.values()) == letters
    print(f"letters per worker: {dict(claimers)}")
