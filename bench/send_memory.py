"""Peak memory of a send: `create_and_send` of N letters (as the interface sends them, the
compose child included) to an aiosmtpd sink, in a process that did nothing else before.

    python bench/send_memory.py [--letters 100000] [--tracemalloc]

The data set is built by another process first (its ORM objects would count otherwise).
Printed: the sender process's peak RSS (VmHWM), the compose child's peak, and the peak of
their sum sampled every 20 ms (the sink, a separate program, is not counted). Goal (issue
14.8): ≤ 200 MB at 100 000 letters. `--tracemalloc` also lists where the sender process's
Python memory was at its peak (slower).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.send_throughput import AS_OF, Sink, build_data  # noqa: E402
from tui_mutabakat.config import Settings, sqlite_url  # noqa: E402
from tui_mutabakat.data.session import Database  # noqa: E402


def _build(path: Path, letters: int, port: int) -> None:
    from tui_mutabakat.data import migrate

    database = Database.from_url(sqlite_url(path))
    migrate.upgrade(database.engine)
    build_data(database, letters, port)
    database.dispose()


def _status(pid: int, field: str) -> int:
    """A `VmRSS`/`VmHWM` line of /proc/<pid>/status, in kB (0 when gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children(pid: int, leave_out: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == leave_out:
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return found


class Sampler(threading.Thread):
    """Peak of (this process + its children but the sink) RSS, and each child's VmHWM."""

    def __init__(self, sink_pid: int) -> None:
        super().__init__(daemon=True)
        self.sink_pid = sink_pid
        self.peak_sum = 0
        self.child_peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self.done.is_set():
            children = _children(me, self.sink_pid)
            total = _status(me, "VmRSS") + sum(_status(c, "VmRSS") for c in children)
            self.peak_sum = max(self.peak_sum, total)
            for child in children:
                self.child_peak = max(self.child_peak, _status(child, "VmHWM"))
            time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=100_000)
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _build(Path(args.child[0]), args.letters, int(args.child[1]))
        return
    from tui_mutabakat.services.context import resolve_actor
    from tui_mutabakat.services.sending.compose import SendOptions
    from tui_mutabakat.services.sending.send_now import create_and_send

    with tempfile.TemporaryDirectory(dir="/tmp") as tmp:
        workdir = Path(tmp)
        path = workdir / "memory.sqlite3"
        sink = Sink()
        command = [sys.executable, __file__, "--letters", str(args.letters)]
        subprocess.run([*command, "--child", str(path), str(sink.port)], check=True)
        database = Database.from_url(sqlite_url(path))
        settings = Settings(data_dir=workdir, database_url="", mail_backend="smtp")
        with database.unit_of_work() as session:
            actor = resolve_actor(session, "bench")
        from sqlalchemy import select

        from tui_mutabakat.data.models import Account

        with database.reader() as session:
            keys = [(i, "TRY") for i in session.scalars(select(Account.id).order_by(Account.id))]
        before = _status(os.getpid(), "VmRSS")
        if args.tracemalloc:
            import tracemalloc

            tracemalloc.start(8)
        sampler = Sampler(sink.process.pid)
        sampler.start()
        started = time.perf_counter()
        result = asyncio.run(
            create_and_send(database, settings, actor, AS_OF, keys, SendOptions(), connections=16)
        )
        elapsed = time.perf_counter() - started
        sampler.done.set()
        sampler.join()
        assert result.report.progress.sent == args.letters, result.report
        if args.tracemalloc:
            snapshot = tracemalloc.take_snapshot()
            peak = tracemalloc.get_traced_memory()[1]
            print(f"tracemalloc: peak {peak / 2**20:.0f} MB of Python objects; now, by line:")
            for stat in snapshot.statistics("lineno")[:12]:
                print(f"  {stat}")
        messages, distinct, _size = sink.stop()
        assert messages == distinct == args.letters
        database.dispose()
    me = _status(os.getpid(), "VmHWM")
    print(f"{args.letters} letters in {elapsed:.1f} s ({args.letters / elapsed:.0f} /s):")
    print(f"  sender process peak RSS {me / 1024:.0f} MB (before the send {before / 1024:.0f} MB)")
    print(f"  compose child peak RSS {sampler.child_peak / 1024:.0f} MB")
    print(f"  peak of the two together (sampled) {sampler.peak_sum / 1024:.0f} MB")


if __name__ == "__main__":
    main()
