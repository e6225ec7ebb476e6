"""Exactly once under crashes: four `mutabakat worker` processes on one outbox, killed with
SIGKILL at random about every second and started again, deliver each letter to each
recipient once — counted at a real SMTP server — on PostgreSQL and on SQLite.

Duplicate: the server received the same Message-ID for the same recipient twice. Lost: a
recipient the server never received that is not flagged `in_doubt` either (in doubt is
the one window the design leaves open — killed between the durable hand-over and the
final "." — and it is shown to a person; its count is reported)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.smtp_server import Received, running_server
from tests.test_send_worker import ROOT, SlowHandler, make_batch
from tui_mutabakat.config import sqlite_url
from tui_mutabakat.data.outbox_models import Letter, Recipient
from tui_mutabakat.data.session import Database
from tui_mutabakat.domain.states import PENDING_RECIPIENT_STATES, LetterState, RecipientState

LETTERS = 600
WORKERS = 4
#: Kills go on for this long at most (fewer when everything is delivered sooner); about
#: 30 s in all on an idle two-core machine.
KILL_SECONDS = 15.0
#: A worker is killed only once it has run this long (seconds).
MIN_AGE = 1.5
#: After the kills, the workers finish in peace: a bound for a machine under heavy load,
#: not a figure of speed (the run reports its duration).
SETTLE_SECONDS = 120.0


def start_worker(url: str, tmp_path: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "MUTABAKAT_MAIL_BACKEND": "smtp",
        "MUTABAKAT_DATA_DIR": str(tmp_path / "data"),
        "MUTABAKAT_CONFIG": str(tmp_path / "none.toml"),
    }
    code = "import sys; from tui_mutabakat.cli_worker import worker_main; "
    code += "sys.exit(worker_main(sys.argv[1:]))"
    args = ["--db", url, "--no-migrate", "--no-track", "--connections", "4", "--poll", "0.2"]
    with open(tmp_path / "workers.log", "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-c", code, *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()


def _undelivered(database: Database) -> int:
    with database.reader() as session:
        return int(
            session.scalar(select(func.count()).where(Letter.next_attempt_at.is_not(None))) or 0
        )


def _seed() -> int:
    """A new seed each run (printed); `MUTABAKAT_CHAOS_SEED` repeats one."""
    return int(os.environ.get("MUTABAKAT_CHAOS_SEED") or time.time_ns() % 1_000_000)


def _chaos(url: str, tmp_path: Path, processes: list[subprocess.Popen[bytes]], seed: int) -> None:
    print(f"\nseed {seed}")
    rng = random.Random(seed)
    # The server answers the final "." a little late, as real ones do: kills land between
    # the "." and the answer too (recipients then in doubt, but delivered).
    handler = SlowHandler(delay=0.1)
    started = time.monotonic()
    with running_server(handler) as (server, port):
        database = make_batch(url, port, LETTERS)
        built = time.monotonic()
        live = [start_worker(url, tmp_path) for _ in range(WORKERS)]
        born = [time.monotonic()] * WORKERS
        processes.extend(live)
        kills = 0
        kill_until = time.monotonic() + KILL_SECONDS
        while time.monotonic() < kill_until and _undelivered(database):
            time.sleep(rng.uniform(0.4, 1.2))
            # A worker that had time to start up and claim (on a loaded machine a fresh
            # one spends its first second importing): kills land in the sending.
            grown = [i for i in range(WORKERS) if time.monotonic() - born[i] >= MIN_AGE]
            if not grown:
                continue
            # One worker, or several at once: restarted together, they recover the dead
            # ones' letters at the same moment — the race the claim generation is for.
            victims = rng.sample(grown, min(len(grown), rng.choice((1, 1, 1, 2))))
            for victim in victims:
                live[victim].send_signal(signal.SIGKILL)
            for victim in victims:
                # Reaped at once: a zombie would still look alive to `process_is_gone`.
                live[victim].wait()
                kills += 1
            for victim in victims:
                live[victim] = start_worker(url, tmp_path)
                born[victim] = time.monotonic()
                processes.append(live[victim])
        killed_for = time.monotonic() - built
        settle_until = time.monotonic() + SETTLE_SECONDS
        while _undelivered(database) and time.monotonic() < settle_until:
            time.sleep(0.2)
        left = _undelivered(database)
        for process in live:
            process.send_signal(signal.SIGTERM)
        for process in live:
            process.wait(timeout=30)
        received = list(server.received)
    _check(database, received, kills, left, started, built, killed_for)


def _check(
    database: Database,
    received: list[Received],
    kills: int,
    left: int,
    started: float,
    built: float,
    killed_for: float,
) -> None:
    delivered: Counter[tuple[str, str]] = Counter()
    for message in received:
        for address in message.rcpt_tos:
            delivered[(message.message_id, address.lower())] += 1
    with database.reader() as session:
        rows = [
            (m, a.lower(), RecipientState(s), doubt)
            for m, a, s, doubt in session.execute(
                select(
                    Letter.message_id, Recipient.address, Recipient.state, Recipient.in_doubt
                ).join(Recipient, Recipient.letter_id == Letter.id)
            )
        ]
        states = Counter(session.scalars(select(Letter.state)))
        claimed = session.scalar(select(func.count()).where(Letter.claim_token.is_not(None)))
    database.dispose()
    duplicates = {key: n for key, n in delivered.items() if n > 1}
    in_doubt = [(m, a) for m, a, _s, doubt in rows if doubt]
    doubt_not_received = [key for key in in_doubt if key not in delivered]
    missing = [(m, a, s) for m, a, s, doubt in rows if not doubt and (m, a) not in delivered]
    # Not delivered yet (the workers were too slow, on a loaded machine) vs. lost for good.
    unfinished = [x for x in missing if x[2] in PENDING_RECIPIENT_STATES]
    lost = [x for x in missing if x[2] not in PENDING_RECIPIENT_STATES]
    unknown = set(delivered) - {(m, a) for m, a, _s, _d in rows}
    print(
        f"\n{database.engine.dialect.name}: letters {LETTERS}, recipients {len(rows)}, "
        f"kills {kills} in {killed_for:.1f} s, delivered {sum(delivered.values())}, "
        f"duplicates {len(duplicates)}, lost {len(lost)}, unfinished {len(unfinished)}, "
        f"in_doubt {len(in_doubt)} (of which not received {len(doubt_not_received)}), "
        f"build {built - started:.1f} s, total {time.monotonic() - started:.1f} s"
    )
    assert kills >= 5, kills
    assert not duplicates, list(duplicates.items())[:10]
    assert not lost, lost[:10]
    assert not unknown, list(unknown)[:10]
    assert not unfinished and left == 0 and not claimed, (len(unfinished), left, claimed)
    assert states == {LetterState.SENT: LETTERS}
    assert {state for _m, _a, state, _d in rows} == {RecipientState.ACCEPTED}


def test_killed_workers_on_sqlite_deliver_each_letter_exactly_once(
    tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    url = sqlite_url(tmp_path / "chaos.sqlite3")
    _chaos(url, tmp_path, processes, seed=_seed())


@pytest.mark.postgres
def test_killed_workers_on_postgresql_deliver_each_letter_exactly_once(
    pg_database: Database, tmp_path: Path, processes: list[subprocess.Popen[bytes]]
) -> None:
    url = pg_database.engine.url.render_as_string(hide_password=False)
    _chaos(url, tmp_path, processes, seed=_seed())
