"""The worker process: killed with SIGKILL mid-batch and started again, every letter still
reaches the server exactly once (counted on the server)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.send_data import add_account, add_company, add_movement, configure_sender, write_batch
from tests.smtp_server import RecordingHandler, running_server
from tui_mutabakat.config import sqlite_url
from tui_mutabakat.data import migrate
from tui_mutabakat.data.outbox_models import Letter, Recipient
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.states import LetterState, RecipientState
from tui_mutabakat.services.context import resolve_actor
from tui_mutabakat.services.sending.compose import SendOptions

ROOT = Path(__file__).resolve().parent.parent
AS_OF = date(2026, 12, 31)


@dataclass
class SlowHandler(RecordingHandler):
    """Keeps the message as soon as the final "." is read, then answers late: a worker
    killed in between has handed the message over without seeing the answer."""

    delay: float = 0.0
    answered: list[int] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        answer = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(self.delay)
        return answer


def make_batch(url: str, port: int, letters: int) -> Database:
    database = Database.from_url(url)
    migrate.upgrade(database.engine)
    with database.unit_of_work() as session:
        actor = resolve_actor(session, "tester")
        add_company(session)
        configure_sender(session, "tester", host="127.0.0.1", port=port)
        keys = []
        for n in range(letters):
            emails = (f"a{n}@firma{n}.com.tr",) + ((f"b{n}@firma{n}.com.tr",) if n % 3 == 0 else ())
            account = add_account(session, f"120.{n:05d}", f"Firma {n}", emails=emails)
            add_movement(session, account, date(2026, 5, 1), debit=f"{1000 + n}.25")
            keys.append((account.id, "TRY"))
    created = write_batch(database, actor, AS_OF, keys, SendOptions())
    assert created.letters == letters
    return database


def worker(url: str, tmp_path: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "MUTABAKAT_MAIL_BACKEND": "smtp",
        "MUTABAKAT_DATA_DIR": str(tmp_path / "data"),
        "MUTABAKAT_CONFIG": str(tmp_path / "none.toml"),
    }
    code = "import sys; from tui_mutabakat.cli_worker import worker_main; "
    code += "sys.exit(worker_main(sys.argv[1:]))"
    return subprocess.Popen(
        [sys.executable, "-c", code, "--db", url, "--once", "--no-migrate", "--connections", "4"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.fixture
def reap() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("answer_delay", [0.0, 0.05], ids=["fast-server", "slow-answer"])
def test_killed_worker_restarted_sends_each_letter_exactly_once(
    tmp_path: Path, reap: list[subprocess.Popen[bytes]], answer_delay: float
) -> None:
    letters = 300
    handler = SlowHandler(delay=answer_delay)
    url = sqlite_url(tmp_path / "kill.sqlite3")
    with running_server(handler) as (server, port):
        database = make_batch(url, port, letters)
        first = worker(url, tmp_path)
        reap.append(first)
        deadline = time.monotonic() + 60
        while server.count() < 40 and time.monotonic() < deadline and first.poll() is None:
            time.sleep(0.002)
        assert first.poll() is None, first.stderr.read().decode() if first.stderr else ""
        first.send_signal(signal.SIGKILL)
        first.wait()
        at_kill = server.count()
        assert 40 <= at_kill < letters, at_kill
        second = worker(url, tmp_path)
        reap.append(second)
        _out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err.decode()
        counts = server.by_message_id()
    with database.reader() as session:
        ids = set(session.scalars(select(Letter.message_id)))
        states = dict(
            session.execute(select(Letter.state, func.count()).group_by(Letter.state)).all()
        )
        recipients = session.execute(select(Recipient.state, Recipient.in_doubt)).all()
        missing = ids - set(counts)
        detail = [
            (r.address, r.state, r.in_doubt, r.handover_at, r.smtp_answer)
            for r in session.scalars(
                select(Recipient).join(Letter).where(Letter.message_id.in_(missing))
            )
        ]
    database.dispose()
    # Never twice, whatever the timing of the kill.
    assert max(counts.values()) == 1, [m for m, n in counts.items() if n > 1]
    assert set(counts) <= ids
    # The one window the design leaves open: killed between the durable hand-over and the
    # final "." of DATA, the server kept nothing while the letter counts as delivered. It is
    # never sent again, and it is flagged in doubt so a person sees it and resends it. The
    # window is microseconds wide; more than one such letter in a run would be a bug.
    assert len(missing) <= 1, detail
    assert all(in_doubt for _address, _state, in_doubt, _at, _answer in detail), detail
    assert states == {LetterState.SENT: letters}
    assert {state for state, _doubt in recipients} == {RecipientState.ACCEPTED}
    if answer_delay:
        # Killed while the server sat on its answer: that letter was taken as delivered
        # (in doubt), and indeed the server has it, once.
        assert any(doubt for _state, doubt in recipients)
